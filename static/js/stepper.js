/**
 * The stepper bar: Forward, Backward, Update, Step, Play, Pause, Reset, with a speed control,
 * slow motion (each phase narrated in a caption), step and epoch counters and the colour
 * scale selector. It calls the API, publishes the results on the bus and lets the network
 * view animate them. Play streams frames over the WebSocket and draws the newest frame once
 * per animation frame.
 */
import { CONFIG } from './config.js';
import { formatNumber } from './draw-utils.js';
import { setText } from './dom-utils.js';

/**
 * Return the newer frame carrying the history of both (frames that arrive between two
 * animation frames are drawn once, but every loss point reaches the chart).
 * @param {object|null} older
 * @param {object} newer
 */
function mergeFrames(older, newer) {
  if (!older?.history || !newer.history) return newer;
  const history = {};
  for (const key of Object.keys(newer.history)) {
    history[key] = [...(older.history[key] ?? []), ...newer.history[key]];
  }
  return { ...newer, history };
}

const BUTTONS = ['forward', 'backward', 'update', 'step', 'play', 'pause', 'reset'];

/** Controls of the training loop. */
export class Stepper {
  /**
   * @param {HTMLElement} root
   * @param {{ctx: {bus: any, api: any, i18n: any, getNetworkId: () => string},
   *   view: import('./network-view.js').NetworkView, refresh: () => Promise<void>,
   *   refreshHeatmaps: () => Promise<void>, onFrame: (frame: object) => void,
   *   reportError: (err: Error) => void}} opts
   */
  constructor(root, opts) {
    this.root = root;
    Object.assign(this, opts.ctx);
    this.ctx = opts.ctx;
    this.view = opts.view;
    this.refresh = opts.refresh;
    this.refreshHeatmaps = opts.refreshHeatmaps;
    this.onFrameDrawn = opts.onFrame;
    this.reportError = opts.reportError;
    this.busy = false;
    this.playing = false;
    this.session = null;
    this.pending = null;
    this.speed = CONFIG.play.defaultSpeed;
    this.slow = false;
    this.caption = { key: 'core.caption.ready', params: {} };
    this.render();
    this.root.addEventListener('click', (ev) => this.handleClick(ev));
    this.root.addEventListener('change', (ev) => this.handleChange(ev));
    document.addEventListener('keydown', (ev) => this.handleKey(ev));
    this.bus.on('language', () => this.render());
    this.bus.on('network', (doc) => {
      if (doc.id !== this.networkId) this.forgetNetwork(doc.id);
      this.drawCounters(doc);
    });
  }

  t(key, params) {
    return this.i18n.t(key, params);
  }

  render() {
    const t = (k) => this.t(k);
    const icons = { forward: '→', backward: '←', update: '⇄', step: '»', play: '▶', pause: '‖', reset: '↺' };
    const buttons = BUTTONS.map((name) => `<button type="button" id="btn-${name}"
      class="btn step-btn btn-${name}" data-action="${name}" title="${t(`core.stepper.${name}Title`)}"><span class="ico" aria-hidden="true">${icons[name]}</span><span class="lbl">${t(`core.stepper.${name}`)}</span></button>`).join('');
    const speeds = CONFIG.play.speeds.map((s) => `<option value="${s}"${s === this.speed ? ' selected' : ''}>${s}</option>`).join('');
    const scope = this.view.scope;
    const scopes = ['neuron', 'layer', 'network'].map((s) => `<option value="${s}"${s === scope ? ' selected' : ''}>${t(`core.scope.${s}`)}</option>`).join('');
    this.root.innerHTML = `
      <div class="stepper-row">
        <div class="step-buttons" role="toolbar" aria-label="${t('core.stepper.label')}">${buttons}</div>
        <div class="counters">
          <span>${t('core.stepper.stepCount')} <b class="count-step" data-testid="step-count">0</b></span>
          <span>${t('core.stepper.epochCount')} <b class="count-epoch">0</b></span>
        </div>
      </div>
      <div class="stepper-row options">
        <label class="inline">${t('core.stepper.speed')}
          <select name="speed" aria-label="${t('core.stepper.speed')}">${speeds}</select></label>
        <label class="inline check"><input type="checkbox" name="slow"${this.slow ? ' checked' : ''}> ${t('core.stepper.slow')}</label>
        <label class="inline check"><input type="checkbox" name="heatmaps"${this.view.showHeatmaps ? ' checked' : ''}> ${t('core.stepper.heatmaps')}</label>
        <label class="inline" title="${t('core.scope.title')}">${t('core.stepper.scope')}
          <select name="scope">${scopes}</select></label>
        <span class="loss-change" aria-live="polite"></span>
      </div>
      <p class="caption" aria-live="polite"></p>`;
    this.drawCaption();
    this.drawButtons();
    this.drawCounters(this.bus.get('network'));
    this.drawLossChange(this.lastStep);
  }

  drawButtons() {
    const disabled = { forward: this.playing, backward: this.playing, update: this.playing,
      step: this.playing, play: this.playing, pause: !this.playing, reset: false };
    for (const name of BUTTONS) {
      const btn = this.root.querySelector(`.btn-${name}`);
      btn.disabled = disabled[name] || (this.busy && name !== 'pause');
      btn.classList.toggle('active', name === 'play' && this.playing);
    }
    document.body.dataset.busy = this.busy ? '1' : '0';
    document.body.dataset.playing = this.playing ? '1' : '0';
  }

  /** Clear what belonged to the previous network (loss change, caption). */
  forgetNetwork(id) {
    this.networkId = id;
    this.lastStep = null;
    const el = this.root.querySelector('.loss-change');
    if (el) el.textContent = '';
    this.setCaption('core.caption.ready');
  }

  /**
   * Show the step and epoch counters (text nodes are touched only when a number changed).
   * @param {{step: number, epoch: number}|undefined} doc
   */
  drawCounters(doc) {
    if (!doc) return;
    const step = this.root.querySelector('.count-step');
    const epoch = this.root.querySelector('.count-epoch');
    setText(step, String(doc.step));
    setText(epoch, String(doc.epoch));
  }

  /**
   * Narrate a phase in the caption (slow motion adds the per-layer detail).
   * @param {string} key i18n key
   * @param {object} [params]
   */
  setCaption(key, params = {}) {
    this.caption = { key, params };
    this.drawCaption();
  }

  drawCaption() {
    const el = this.root.querySelector('.caption');
    if (el) el.textContent = this.t(this.caption.key, this.caption.params);
  }

  drawLossChange(res) {
    const el = this.root.querySelector('.loss-change');
    if (!el || !res) return;
    const down = res.loss <= res.loss_before;
    el.innerHTML = `${this.t('core.stepper.lossChange')} <b>${formatNumber(res.loss_before)}</b>
      → <b class="${down ? 'down' : 'up'}">${formatNumber(res.loss)}</b>`;
    el.dataset.lossBefore = String(res.loss_before);
    el.dataset.lossAfter = String(res.loss);
  }

  handleClick(ev) {
    const btn = ev.target.closest('button[data-action]');
    if (!btn || btn.disabled) return;
    const action = btn.dataset.action;
    if (action === 'play') this.play();
    else if (action === 'pause') this.pause();
    else this.run(action);
  }

  handleChange(ev) {
    const el = ev.target;
    if (el.name === 'speed') {
      this.speed = Number(el.value);
      this.session?.send({ type: 'config', steps_per_frame: this.speed });
    } else if (el.name === 'slow') this.slow = el.checked;
    else if (el.name === 'heatmaps') this.view.setShowHeatmaps(el.checked);
    else if (el.name === 'scope') this.view.setScope(el.value);
  }

  handleKey(ev) {
    const tag = ev.target?.tagName;
    if (['INPUT', 'SELECT', 'TEXTAREA', 'BUTTON'].includes(tag) && ev.key === ' ') return;
    if (['INPUT', 'SELECT', 'TEXTAREA'].includes(tag)) return;
    if (ev.key === ' ') {
      ev.preventDefault();
      if (this.playing) this.pause(); else this.play();
    } else if (ev.key === 'ArrowRight' && !this.playing) {
      ev.preventDefault();
      this.run('step');
    }
  }

  get layerMs() {
    return this.slow ? CONFIG.animation.slowLayerMs : CONFIG.animation.layerMs;
  }

  /**
   * Run one stepper action (forward, backward, update, step, reset) unless one is running.
   * @param {string} action
   */
  async run(action) {
    if (this.busy || !this.getNetworkId()) return;
    this.busy = true;
    this.drawButtons();
    try {
      if (action === 'forward' || action === 'step') await this.doForward();
      if (action === 'backward' || action === 'step') await this.doBackward();
      if (action === 'update' || action === 'step') await this.doUpdate();
      if (action === 'reset') await this.doReset();
    } catch (err) {
      this.reportError(err);
    } finally {
      this.busy = false;
      this.bus.emit('phase', 'idle');
      this.drawButtons();
    }
  }

  async doForward() {
    this.bus.emit('phase', 'forward');
    this.setCaption('core.caption.forward');
    const res = await this.api.forward(this.getNetworkId());
    this.bus.emit('forward', res);
    const acts = this.bus.get('network')?.spec.activations ?? [];
    await this.view.animatePass({ kind: 'a', input: res.input, layers: res.layers }, {
      layerMs: this.layerMs, reverse: false,
      onLayer: (l) => this.slow && this.setCaption(l === 0 ? 'core.caption.forwardInput' : 'core.caption.forwardLayer',
        { l, act: this.t(`core.act.${acts[l - 1]}`) }),
    });
    this.setCaption('core.caption.forwardDone', { loss: formatNumber(res.loss) });
  }

  async doBackward() {
    this.bus.emit('phase', 'backward');
    this.setCaption('core.caption.backward');
    const res = await this.api.backward(this.getNetworkId());
    this.bus.emit('backward', res);
    this.view.setGradients(res.layers);
    const L = res.layers.length;
    await this.view.animatePass({ kind: 'delta', layers: res.layers }, {
      layerMs: this.layerMs, reverse: true,
      onLayer: (l) => this.slow && this.setCaption(l === L ? 'core.caption.backwardOutput' : 'core.caption.backwardLayer', { l, next: l + 1 }),
    });
    this.setCaption('core.caption.backwardDone');
  }

  async doUpdate() {
    this.bus.emit('phase', 'update');
    const before = this.bus.get('network');
    const res = await this.api.step(this.getNetworkId(), 1);
    // With mini-batches the API gives no loss_before (the step saw one batch); the training
    // loss before the step is the one of the last network document.
    res.loss_before = res.loss_before ?? before?.loss ?? null;
    this.lastStep = res;
    this.bus.emit('step', res);
    this.view.setGradients(res.layers);
    this.view.clearValues();
    this.setCaption('core.caption.update', { eta: formatNumber(res.learning_rate_used) });
    this.drawLossChange(res);
    const from = res.layers.map((p) => ({ W: p.W_before, b: p.b_before }));
    const fromMax = before ? Math.max(...from.flatMap((p) => p.W.flat().map(Math.abs))) : undefined;
    await this.view.drawWeights(res.layers, { duration: this.slow ? CONFIG.animation.slowUpdateMs
      : CONFIG.animation.updateMs, from, fromMax });
    await Promise.all([this.refresh(), this.refreshHeatmaps()]);
    this.setCaption('core.caption.updateDone', { before: formatNumber(res.loss_before),
      after: formatNumber(res.loss) });
    this.checkDiverged(res);
  }

  async doReset() {
    this.stopSession();
    this.view.clearValues();
    this.view.setGradients(null);
    const doc = await this.api.reset(this.getNetworkId());
    this.lastStep = null;
    this.root.querySelector('.loss-change').textContent = '';
    this.bus.emit('network', doc);
    await this.refreshHeatmaps();
    this.setCaption('core.caption.reset');
  }

  checkDiverged(res) {
    if (res.status === 'diverged') {
      this.bus.emit('error', { message: this.t('core.error.diverged', { step: res.diverged_at_step ?? res.step }) });
      return true;
    }
    return false;
  }

  /** Start continuous training over the WebSocket. */
  play() {
    const id = this.getNetworkId();
    if (this.playing || this.busy || !id) return;
    const doc = this.bus.get('network');
    if (doc?.status === 'diverged') { this.checkDiverged(doc); return; }
    this.playing = true;
    this.view.clearValues();
    this.bus.emit('phase', 'play');
    this.setCaption('core.caption.play');
    this.drawButtons();
    const twoD = doc && doc.spec.layers[0] <= 2;
    const heatmaps = twoD && this.view.showHeatmaps ? CONFIG.heatmap.playResolution : 0;
    if (!this.session || this.session.id !== id) {
      this.closeSession();
      this.session = this.openSession(id);
    }
    this.session.send({ type: 'start', steps_per_frame: this.speed, fps: CONFIG.play.fps, heatmaps });
    this.scheduleDraw();
  }

  openSession(id) {
    const handlers = {
      onFrame: (frame) => {
        if (!this.playing) return;
        if (document.body.dataset.perf === 'on') performance.mark('bpe-frame-in');
        this.lastReceived = frame;
        this.pending = mergeFrames(this.pending, frame);
        this.scheduleDraw();
      },
      onMessage: (msg) => this.handleMessage(msg),
      onClose: () => {
        if (this.session?.socket === session.socket) this.session = null;
        if (this.playing) {
          this.bus.emit('error', { message: this.t('core.error.socket') });
          this.stopPlaying();
        }
      },
    };
    const session = { id, ...this.api.play(id, handlers) };
    return session;
  }

  handleMessage(msg) {
    if (msg.type === 'paused' && msg.reason === 'diverged') {
      this.bus.emit('error', { message: this.t('core.error.diverged', { step: this.lastReceived?.diverged_at_step ?? this.lastReceived?.step ?? '?' }) });
      this.stopPlaying();
      this.sync();
    } else if (msg.type === 'paused' && msg.reason === 'early_stopped') {
      this.bus.emit('status', { message: this.t('core.status.earlyStopped') });
      this.stopPlaying();
      this.sync();
    } else if (msg.type === 'error') {
      this.bus.emit('error', { message: msg.error?.message ?? this.t('core.error.generic') });
      this.stopPlaying();
    }
  }

  scheduleDraw() {
    if (this.rafId) return;
    this.rafId = requestAnimationFrame(() => {
      this.rafId = null;
      const frame = this.pending;
      this.pending = null;
      if (frame) this.drawFrame(frame);
    });
  }

  drawFrame(frame) {
    const t0 = performance.now();
    // Publish first: panels that read layout then find it clean (no forced reflow), and
    // the views below only write.
    this.bus.emit('frame', frame);
    this.view.drawWeightsFast(frame.layers);
    if (frame.heatmaps) this.view.setHeatmaps(frame.heatmaps);
    this.drawCounters(frame);
    this.onFrameDrawn(frame);
    if (document.body.dataset.perf === 'on') {
      performance.measure('bpe-draw', { start: t0, end: performance.now() });
    }
  }

  /** Pause play mode and bring every view up to date with the server. */
  async pause() {
    if (!this.playing) return;
    this.session?.send({ type: 'pause' });
    this.stopPlaying();
    await this.sync();
  }

  /** Fetch the network document and heatmaps after play stopped. */
  async sync() {
    try {
      await this.refresh();
      await this.refreshHeatmaps();
    } catch (err) {
      this.reportError(err);
    }
  }

  stopPlaying() {
    this.playing = false;
    this.setCaption('core.caption.paused');
    this.bus.emit('phase', 'idle');
    this.drawButtons();
  }

  /** Close the play socket (e.g. before the network is rebuilt). */
  stopSession() {
    if (this.playing) this.stopPlaying();
    this.closeSession();
  }

  closeSession() {
    const s = this.session;
    this.session = null;
    s?.send({ type: 'stop' });
    s?.close();
  }
}

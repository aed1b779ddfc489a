/**
 * Loss-surface panel (#panel-surface): the real full-batch loss over a plane through the
 * current weights (two picked parameters, two random filter-normalized directions with a
 * shown seed, or the top two PCA directions of the trajectory), as a contour map and a 3-D
 * surface, with the descent path growing live while training plays.
 *
 * Requests never block the stepper: each is async, carries a sequence number, and answers
 * that arrive after a newer request was made are dropped. A surface is drawn coarse (31×31)
 * first, then refined. While playing, the surface is recomputed coarse at most every
 * PLAY_SURFACE_MS and the path (a 2×2 "surface" request, which is cheap) once per frame
 * with at most one request in flight.
 */
import {
  SurfaceView, paramLabel, selectionToParam, defaultParams, errorText, PATH_COLOURS,
} from './surface-view.js';
import { buildPanel, LandscapePanel, RequestGate, makeDebounce } from './panel-utils.js';

const COARSE = 31;
const PATH_ONLY_RES = 2;
const PLAY_SURFACE_MS = 3000;
const PLAY_IDLE_MS = 700;
/** While playing, the 3-D view follows the surface at most this often... */
const PLAY_3D_MS = 5000;
/** ...and only if its last redraw took at most this long (ms, until painted): without a GPU
 * a redraw freezes the page for a third of a second, so it then waits for Pause. */
const PLAY_3D_BUDGET_MS = 60;
const STEP_DEBOUNCE_MS = 120;
const SPANS = ['auto', 0.25, 0.5, 1, 2, 5];
const RESOLUTIONS = [31, 51, 101];
const KINDS = ['parameters', 'random', 'pca'];

function buildDom(root) {
  const q = buildPanel(root, { name: 'surface-panel', prefix: 'surface', body: `
    <div class="lv-controls">
      <div class="lv-seg" role="radiogroup" data-role="kinds">
        ${KINDS.map((k) => `<button type="button" role="radio" data-kind="${k}"
          data-i18n="surface.plane.${k}"></button>`).join('')}
      </div>
      <div class="lv-field" data-role="picks-field">
        <span class="lv-label" data-i18n="surface.picks"></span>
        <span class="lv-chips" data-role="chips"></span>
        <span class="lv-muted" data-i18n="surface.picks.hint"></span>
      </div>
      <label class="lv-field" data-role="seed-field"><span class="lv-label" data-i18n="surface.seed"></span>
        <input type="number" min="0" max="4294967295" step="1" value="0" data-role="seed">
        <button type="button" class="lv-btn-small" data-role="new-seed" data-i18n="surface.seed.new"></button>
      </label>
      <label class="lv-field"><span class="lv-label" data-i18n="surface.span"></span>
        <select data-role="span">${SPANS.map((s) => `<option value="${s}"
          ${s === 'auto' ? 'data-i18n="surface.span.auto"' : ''}>${s}</option>`).join('')}</select>
      </label>
      <label class="lv-field"><span class="lv-label" data-i18n="surface.resolution"></span>
        <select data-role="resolution">${RESOLUTIONS.map((r) => `<option value="${r}">${r}×${r}</option>`).join('')}</select>
      </label>
    </div>
    <p class="lv-help" data-role="help"></p>
    <div class="lv-plot-area" data-role="view" data-testid="surface-view"></div>
    <p class="lv-status" data-role="status" aria-live="polite"></p>` });
  return {
    kinds: q('kinds'), chips: q('chips'), picksField: q('picks-field'), seedField: q('seed-field'),
    seed: q('seed'), newSeed: q('new-seed'), span: q('span'), resolution: q('resolution'),
    help: q('help'), view: q('view'), status: q('status'),
  };
}

/** One panel instance; all its state lives here (no module-level state). */
class SurfacePanel extends LandscapePanel {
  constructor(root, ctx) {
    super(root, ctx);
    this.el = buildDom(root);
    this.el.span.value = 'auto';
    this.el.resolution.value = '101';
    this.view = new SurfaceView(this.el.view, { t: this.t, height: 340 });
    this.state = { kind: 'parameters', picks: [], seed: 0, network: null, surface: null, path: null,
      lastPlaySurface: 0 };
    /** surfaces: newest wins; paths: one in flight */
    this.surfaceGate = new RequestGate();
    this.pathGate = new RequestGate();
    this.stepLater = makeDebounce(() => this.refresh());
    this.stale = true;
    this.bindControls();
    this.listen({
      network: (doc) => this.onNetwork(doc),
      selection: (sel) => this.onSelection(sel),
      step: () => this.onStep(),
      frame: () => this.onFrame(),
    });
    this.renderStatic();
    const doc = ctx.bus.get('network');
    if (doc) this.onNetwork(doc);
  }

  bindControls() {
    this.el.kinds.addEventListener('click', (ev) => {
      const kind = ev.target.closest('[data-kind]')?.dataset.kind;
      if (kind && kind !== this.state.kind) { this.state.kind = kind; this.renderStatic(); this.refresh(); }
    });
    this.el.seed.addEventListener('change', () => {
      const seed = Math.max(0, Math.min(4294967295, Math.floor(Number(this.el.seed.value) || 0)));
      this.state.seed = seed;
      this.el.seed.value = String(seed);
      this.refresh();
    });
    this.el.newSeed.addEventListener('click', () => {
      this.state.seed = (this.state.seed * 7919 + 17) % 100000;
      this.el.seed.value = String(this.state.seed);
      this.refresh();
    });
    this.el.span.addEventListener('change', () => this.refresh());
    this.el.resolution.addEventListener('change', () => this.refresh());
  }

  onShown() {
    if (this.undrawn) this.renderStatic();
    if (this.stale) this.refresh();
    else if (this.undrawn) this.redraw();
    else this.view.resize();
  }

  onLanguage() {
    this.renderStatic();
    this.redraw();
  }

  onNetwork(doc) {
    const prev = this.state.network;
    this.state.network = doc;
    const shape = (d) => d?.layers.map((l) => `${l.W.length}x${l.W[0].length}`).join(',');
    if (!prev || prev.id !== doc.id || shape(prev) !== shape(doc)) {
      this.state.picks = this.state.picks.filter((p) => this.fits(p, doc));
      this.state.surface = null;
      this.state.path = null;
    }
    this.renderChips();
    if (!this.echoesStep(doc)) this.onStep();
  }

  /** Whether a parameter reference exists in the network doc. */
  fits(param, doc) {
    const layer = doc.layers.find((l) => l.index === param.layer);
    if (!layer) return false;
    if (param.name === 'b') return param.index[0] < layer.b.length;
    return param.index[0] < layer.W.length && param.index[1] < layer.W[0].length;
  }

  onSelection(sel) {
    const param = selectionToParam(sel);
    if (!param) return;
    const key = JSON.stringify(param);
    const picks = this.state.picks.filter((p) => JSON.stringify(p) !== key);
    picks.push(param);
    this.state.picks = picks.slice(-2);
    this.renderChips();
    if (this.state.kind === 'parameters' && this.state.picks.length === 2) this.refresh();
  }

  /** The two parameters of the plane: the last two picks, completed by defaults. */
  planeParams() {
    const picks = [...this.state.picks];
    const key = (p) => JSON.stringify(p);
    const missing = defaultParams(this.state.network).filter((d) => !picks.some((p) => key(p) === key(d)));
    return [...missing.slice(0, Math.max(0, 2 - picks.length)), ...picks].slice(-2);
  }

  onStep() {
    if (this.shouldWork()) this.stepLater.after(STEP_DEBOUNCE_MS);
  }

  /** A play frame: hidden, only note it; shown, move the path (and now and then the surface). */
  onFrame() {
    if (!this.shouldWork()) return;
    this.stepLater.after(PLAY_IDLE_MS);
    const now = performance.now();
    if (now - this.state.lastPlaySurface > PLAY_SURFACE_MS) {
      this.state.lastPlaySurface = now;
      this.refresh({ coarseOnly: true });
    } else {
      this.requestPath();
    }
  }

  /** Whether the surface shown lies on the plane the next request would use. */
  showsPlane() {
    const shown = this.state.surface;
    return Boolean(shown) && JSON.stringify(shown.plane) === JSON.stringify(this.body(2, 1).plane);
  }

  /** The span ± of the next surface: the chosen one, or ('auto') one that holds the path. */
  chooseSpan() {
    if (this.el.span.value !== 'auto') return Number(this.el.span.value);
    const shown = this.state.path ?? this.state.surface;
    if (!this.showsPlane()) return 1;
    const reach = Math.max(...shown.path.map((p) => Math.max(Math.abs(p.alpha), Math.abs(p.beta))));
    return Number(Math.max(0.5, reach * 1.15).toPrecision(2));
  }

  /** The request body for a resolution and span. */
  body(resolution, span) {
    const s = this.state;
    let plane;
    if (s.kind === 'parameters') plane = { kind: 'parameters', params: this.planeParams() };
    else if (s.kind === 'random') plane = { kind: 'random', seed: s.seed };
    else plane = { kind: 'pca' };
    return { plane, span, resolution };
  }

  /**
   * Recompute the surface: coarse first, then (unless coarseOnly) the chosen resolution.
   * Hidden, it only notes that the surface is stale.
   * @param {{coarseOnly?: boolean}} [opts]
   */
  async refresh(opts = {}) {
    const s = this.state;
    const id = this.ctx.getNetworkId();
    if (!id || !s.network) { this.setStatus(this.t('surface.nonetwork')); return; }
    if (!this.shouldWork()) return;
    this.stale = false;
    const isNewest = this.surfaceGate.ticket();
    const fine = Number(this.el.resolution.value);
    // Coarse first only for a new plane: after a step the old surface stays up meanwhile.
    let steps = [fine];
    if (opts.coarseOnly) steps = [Math.min(COARSE, fine)];
    else if (fine > COARSE && !this.showsPlane()) steps = [COARSE, fine];
    this.setStatus(this.t('surface.status.loading', { res: steps[0] }), true);
    let next = this.fetchSurface(id, steps[0]);
    for (let i = 0; i < steps.length; i += 1) {
      let resp;
      try {
        resp = await next;
      } catch (err) {
        if (isNewest()) this.showError(err);
        return;
      }
      if (!isNewest()) return;
      s.surface = resp;
      s.path = null;
      // Ask for the finer surface at once: the server computes it while this one is drawn.
      if (i + 1 < steps.length) {
        next = this.fetchSurface(id, steps[i + 1]);
        next.catch(() => {}); // handled when awaited above
      }
      // While playing, the slow 3-D view follows rarely, or (without a GPU) after Pause.
      await this.redraw({ skip3d: opts.coarseOnly && this.recently3d() });
      if (!isNewest()) return;
      if (i + 1 < steps.length) {
        this.setStatus(this.t('surface.status.refining', { res: steps[i + 1] }), true);
      }
    }
  }

  /**
   * Ask for the surface at a resolution (span from the surface shown, see chooseSpan).
   * @param {string} id network id
   * @param {number} res points a side
   * @returns {Promise<object>} the API's loss-surface answer
   */
  fetchSurface(id, res) {
    return this.ctx.api.lossSurface(id, this.body(res, this.chooseSpan()));
  }

  /** Fetch only the path (a 2×2 surface) and draw it on the surface already shown. */
  requestPath() {
    if (!this.state.surface) return;
    this.pathGate.single(async () => {
      const s = this.state;
      const sameSurface = this.surfaceGate.watch();
      try {
        const span = s.surface.alpha.at(-1);
        const resp = await this.ctx.api.lossSurface(this.ctx.getNetworkId(), this.body(PATH_ONLY_RES, span));
        if (sameSurface() && this.visible && resp.step >= s.surface.step) {
          s.path = resp;
          await this.redrawPath();
        }
      } catch (err) {
        // A failed path refresh is harmless: the next frame or the next surface retries.
      }
    });
  }

  /**
   * Move the newest path on the surface already drawn (an overlay, one per animation
   * frame; the 3-D view waits for the next surface), or redraw all if that surface is not
   * the one drawn.
   */
  async redrawPath() {
    const { surface, path } = this.state;
    if (!this.visible) { this.undrawn = true; return; }
    if (this.view.data?.loss !== surface.loss) { await this.redraw({ skip3d: this.recently3d() }); return; }
    const points = path.path;
    await this.view.updatePath([{ name: this.t('surface.path'), color: PATH_COLOURS[0], points, current: true }]);
    this.root.dataset.step = String(points[points.length - 1].step);
    this.statusReady();
  }

  /** While playing: whether to leave the 3-D view alone (see PLAY_3D_MS, PLAY_3D_BUDGET_MS). */
  recently3d() {
    return performance.now() - this.view.drawn3dAt < PLAY_3D_MS || this.view.paint3dMs > PLAY_3D_BUDGET_MS;
  }

  axisTitles(resp) {
    const s = this.state;
    const axes = [this.t('surface.alpha'), this.t('surface.beta')];
    if (resp.plane.kind === 'parameters') {
      return axes.map((axis, i) => this.t('surface.axis.param', { axis, name: paramLabel(resp.plane.params[i]) }));
    }
    if (resp.plane.kind === 'random') {
      return axes.map((axis, i) => this.t('surface.axis.random', { axis, n: i + 1, seed: resp.seed ?? s.seed }));
    }
    const ev = resp.explained_variance ?? [0, 0];
    return axes.map((axis, i) => this.t('surface.axis.pca', { axis, n: i + 1, pct: (ev[i] * 100).toFixed(1) }));
  }

  /**
   * Draw the last surface with the newest path.
   * @param {{skip3d?: boolean}} [opts] see SurfaceView.update
   */
  async redraw(opts = {}) {
    const { surface, path } = this.state;
    if (!surface) return;
    if (!this.visible) { this.undrawn = true; return; }
    this.undrawn = false;
    const [xTitle, yTitle] = this.axisTitles(surface);
    const points = (path ?? surface).path;
    const revision = JSON.stringify(surface.plane);
    this.root.dataset.planeKind = surface.plane.kind;
    this.root.dataset.surfaceStep = String(surface.step);
    await this.view.update({
      alpha: surface.alpha, beta: surface.beta, loss: surface.loss, xTitle, yTitle, revision,
      paths: [{ name: this.t('surface.path'), color: PATH_COLOURS[0], points, current: true }],
    }, opts);
    this.root.dataset.step = String(points[points.length - 1].step);
    this.statusReady();
  }

  statusReady() {
    const { surface, path } = this.state;
    const last = (path ?? surface).path.at(-1);
    const parts = [this.t('surface.status.ready', {
      step: surface.step, res: surface.alpha.length, loss: last.loss.toPrecision(6) })];
    if (last.step !== surface.step) {
      parts.push(this.t('surface.status.stale', { surfaceStep: surface.step, step: last.step }));
    }
    if (surface.explained_variance) {
      const pct = ((surface.explained_variance[0] + surface.explained_variance[1]) * 100).toFixed(1);
      parts.push(this.t('surface.status.explained', { pct }));
    } else {
      parts.push(this.t('surface.status.honest'));
    }
    this.setStatus(parts.join(' '));
  }

  setStatus(text, busy = false) {
    this.el.status.textContent = text;
    this.el.status.classList.toggle('lv-busy', busy);
    this.el.status.classList.remove('lv-error');
  }

  showError(err) {
    let message = errorText(err, this.t);
    if (this.state.kind === 'pca' && err.code === 'degenerate') message = this.t('surface.pca.needsteps');
    this.el.status.textContent = this.t('surface.error', { message });
    this.el.status.classList.remove('lv-busy');
    this.el.status.classList.add('lv-error');
  }

  renderChips() {
    const chips = this.state.network ? this.planeParams() : this.state.picks;
    this.el.chips.replaceChildren(...chips.map((p, i) => {
      const chip = document.createElement('span');
      chip.className = 'lv-chip';
      chip.style.borderColor = i === 0 ? '#0072B2' : '#CC79A7';
      chip.textContent = `${i === 0 ? 'α' : 'β'}: ${paramLabel(p)}`;
      chip.title = this.describe(p);
      return chip;
    }));
  }

  /** Plain-words description of a parameter for tooltips. */
  describe(p) {
    const what = p.name === 'W'
      ? this.t('surface.pick.weight', { from: p.index[1] + 1, to: p.index[0] + 1, prev: p.layer - 1 })
      : this.t('surface.pick.bias', { neuron: p.index[0] + 1 });
    return this.t('surface.pick.title', { layer: p.layer, what });
  }

  renderStatic() {
    this.ctx.i18n.apply(this.root);
    const kind = this.state.kind;
    for (const b of this.el.kinds.querySelectorAll('[data-kind]')) {
      b.setAttribute('aria-checked', String(b.dataset.kind === kind));
    }
    this.el.picksField.hidden = kind !== 'parameters';
    this.el.seedField.hidden = kind !== 'random';
    this.el.help.textContent = this.t(`surface.plane.${kind}.help`);
    this.renderChips();
    if (this.state.surface) this.statusReady();
  }
}

/**
 * Mount the loss-surface panel.
 * @param {HTMLElement} root the #panel-surface container
 * @param {{bus: object, api: object, i18n: object, getNetworkId: () => string}} ctx page context
 * @returns {SurfacePanel}
 */
export function mount(root, ctx) {
  return new SurfacePanel(root, ctx);
}

/**
 * Optimizer race panel (#panel-race): the user picks which of SGD, momentum, RMSProp and
 * Adam to run, with their learning rates and the number of steps; POST .../race runs them
 * all from the current weights on the same data, and the panel draws their paths on the
 * contour of the returned surface (one colour each, Okabe–Ito palette, with a legend) next
 * to their loss curves. The network itself is not changed by a race.
 */
import { loadPlotly } from './vendor.js';
import { SurfaceView, PATH_COLOURS, errorText } from './surface-view.js';
import { buildPanel, LandscapePanel, RequestGate } from './panel-utils.js';

const OPTIMIZERS = [
  { name: 'sgd', lr: null, extra: {} },
  { name: 'momentum', lr: null, extra: { momentum: 0.9 } },
  { name: 'rmsprop', lr: 0.01, extra: {} },
  { name: 'adam', lr: 0.01, extra: {} },
];
const RESOLUTION = 61;
const CURVES_HEIGHT = 380;

function buildDom(root) {
  const q = buildPanel(root, { name: 'race-panel', prefix: 'race', body: `
    <div class="lv-controls">
      ${OPTIMIZERS.map((o, i) => `<label class="lv-field race-opt" style="--swatch:${PATH_COLOURS[i]}">
        <input type="checkbox" checked data-opt="${o.name}"><span class="race-swatch"></span>
        <span data-i18n="race.optimizer.${o.name}"></span>
        <span class="lv-label" data-i18n="race.lr"></span>
        <input type="number" min="0.00001" max="1000" step="any" data-lr="${o.name}" value="${o.lr ?? 0.1}">
      </label>`).join('')}
      <label class="lv-field"><span class="lv-label" data-i18n="race.steps"></span>
        <input type="number" min="1" max="2000" step="1" value="100" data-role="steps"></label>
      <label class="lv-field"><span class="lv-label" data-i18n="race.plane"></span>
        <select data-role="plane"><option value="pca"></option><option value="random"></option></select></label>
      <button type="button" class="lv-btn lv-primary" data-role="run" data-i18n="race.run"></button>
    </div>
    <div class="race-plots" data-role="plots" hidden>
      <div class="lv-plot-area race-contour" data-role="contour"></div>
      <div class="lv-plot-area race-curves" data-role="curves"></div>
    </div>
    <p class="lv-status" data-role="status" aria-live="polite"></p>` });
  return { steps: q('steps'), plane: q('plane'), run: q('run'), contour: q('contour'), plots: q('plots'),
    curves: q('curves'), status: q('status') };
}

class RacePanel extends LandscapePanel {
  constructor(root, ctx) {
    super(root, ctx);
    this.el = buildDom(root);
    // A light grey scale, low loss lightest, so the coloured paths stand out on it.
    this.view = new SurfaceView(this.el.contour, { t: this.t, show3d: false, height: CURVES_HEIGHT,
      colorscale: [[0, '#f5f7fa'], [0.5, '#b8c2cc'], [1, '#52606d']] });
    this.state = { result: null, network: null, lrTouched: false };
    this.gate = new RequestGate();
    this.el.run.addEventListener('click', () => this.run());
    root.addEventListener('input', (ev) => { if (ev.target.dataset.lr) this.state.lrTouched = true; });
    this.listen({ network: (doc) => this.onNetwork(doc) });
    this.el.curves.style.height = `${CURVES_HEIGHT}px`;
    this.curvesWidth = 0;
    new ResizeObserver((entries) => {
      const width = Math.round(entries[entries.length - 1].contentRect.width);
      if (width !== this.curvesWidth) this.resizeCurves();
    }).observe(this.el.curves);
    this.renderStatic();
    const doc = ctx.bus.get('network');
    if (doc) this.onNetwork(doc);
  }

  onShown() {
    if (this.undrawn) { this.renderStatic(); this.draw(); return; }
    this.view.resize();
    this.resizeCurves();
  }

  onLanguage() {
    this.renderStatic();
    this.draw();
  }

  renderStatic() {
    this.ctx.i18n.apply(this.root);
    const [pca, random] = this.el.plane.options;
    pca.textContent = this.t('race.plane.pca');
    random.textContent = this.t('race.plane.random', { seed: 0 });
    if (!this.state.result) this.setStatus(this.t('race.empty'));
  }

  onNetwork(doc) {
    const changed = this.state.network?.id !== doc.id;
    this.state.network = doc;
    if (changed) this.state.lrTouched = false;
    if (!this.state.lrTouched && doc.learning_rate) {
      for (const name of ['sgd', 'momentum']) {
        this.root.querySelector(`[data-lr="${name}"]`).value = String(doc.learning_rate);
      }
    }
  }

  /** The optimizers the user ticked, as API race entries. */
  entries() {
    return OPTIMIZERS.filter((o) => this.root.querySelector(`[data-opt="${o.name}"]`).checked)
      .map((o) => ({ name: o.name, learning_rate: Number(this.root.querySelector(`[data-lr="${o.name}"]`).value), ...o.extra }));
  }

  async run() {
    const optimizers = this.entries();
    if (optimizers.length === 0) { this.setStatus(this.t('race.none'), 'error'); return; }
    const steps = Math.max(1, Math.min(2000, Math.floor(Number(this.el.steps.value) || 100)));
    this.el.steps.value = String(steps);
    const plane = this.el.plane.value === 'random' ? { kind: 'random', seed: 0 } : undefined;
    const isNewest = this.gate.ticket();
    this.setStatus(this.t('race.running'), 'busy');
    this.el.run.disabled = true;
    try {
      const body = { optimizers, steps, ...(plane ? { plane } : {}) };
      // First a 2×2 grid (cheap) to see how far the paths reach, then the surface at a span
      // that holds every path.
      const probe = await this.ctx.api.race(this.ctx.getNetworkId(), { ...body, span: 1, resolution: 2 });
      if (!isNewest()) return;
      const reach = Math.max(...probe.runs.flatMap((r) => r.path.map((p) => Math.max(Math.abs(p.alpha), Math.abs(p.beta)))));
      const span = Number(Math.max(reach * 1.25, 1e-3).toPrecision(2));
      const resp = await this.ctx.api.race(this.ctx.getNetworkId(), { ...body, span, resolution: RESOLUTION });
      if (!isNewest()) return;
      this.state.result = { resp };
      await this.draw();
    } catch (err) {
      if (isNewest()) this.setStatus(this.t('race.error', { message: errorText(err, this.t) }), 'error');
    } finally {
      this.el.run.disabled = false;
    }
  }

  label(run) {
    return this.t(`race.optimizer.${run.optimizer.name}`) + ` (η ${run.optimizer.learning_rate})`;
  }

  async draw() {
    const result = this.state.result;
    if (!result) return;
    if (!this.visible) { this.undrawn = true; return; }
    this.undrawn = false;
    const { resp } = result;
    this.el.plots.hidden = false;
    const colour = (run) => PATH_COLOURS[OPTIMIZERS.findIndex((o) => o.name === run.optimizer.name)];
    const ev = resp.explained_variance;
    const axis = (a, i) => (ev ? this.t('surface.axis.pca', { axis: a, n: i + 1, pct: (ev[i] * 100).toFixed(1) })
      : this.t('surface.axis.random', { axis: a, n: i + 1, seed: resp.seed ?? 0 }));
    await this.view.update({
      alpha: resp.alpha, beta: resp.beta, loss: resp.loss, revision: `${resp.kind}${resp.alpha.at(-1)}`,
      xTitle: axis(this.t('surface.alpha'), 0), yTitle: axis(this.t('surface.beta'), 1),
      paths: resp.runs.map((run) => ({ name: this.label(run), color: colour(run), points: run.path })),
    });
    await this.drawCurves(resp, colour);
    this.root.dataset.runCount = String(resp.runs.length);
    const diverged = resp.runs.filter((r) => r.status === 'diverged');
    const notes = [this.t('race.done', { steps: resp.runs[0].path.at(-1).step })];
    for (const r of diverged) notes.push(this.t('race.diverged', { name: this.label(r), step: r.diverged_at_step }));
    this.setStatus(notes.join(' '), diverged.length ? 'error' : '');
  }

  async drawCurves(resp, colour) {
    const Plotly = await loadPlotly();
    const losses = resp.runs.flatMap((r) => r.path.map((p) => p.loss)).filter((v) => v > 0);
    const logY = losses.length > 0 && Math.max(...losses) / Math.min(...losses) > 50;
    const traces = resp.runs.map((run) => ({
      type: 'scatter', mode: 'lines', name: this.label(run), meta: { role: 'loss' },
      x: run.path.map((p) => p.step), y: run.path.map((p) => p.loss),
      line: { color: colour(run), width: 2.2 },
      hovertemplate: `${this.t('race.step')} %{x}<br>${this.t('race.loss')} %{y:.6g}<extra>%{fullData.name}</extra>`,
    }));
    await Plotly.react(this.el.curves, traces, {
      height: CURVES_HEIGHT, margin: { l: 60, r: 10, t: 34, b: 92 }, font: { family: 'inherit', size: 12, color: '#334155' },
      title: { text: this.t('race.curves'), font: { size: 13 }, x: 0.02, xanchor: 'left' },
      xaxis: { title: { text: this.t('race.step') } },
      // On a log axis, label whole decades only (Plotly's default also labels 2…9 in each).
      yaxis: { title: { text: this.t('race.loss') }, ...(logY ? { type: 'log', dtick: 1 } : {}) },
      showlegend: false, paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)',
    }, { displaylogo: false, modeBarButtonsToRemove: ['toImage', 'lasso2d', 'select2d'] });
  }

  async resizeCurves() {
    const width = this.el.curves.clientWidth;
    if (!this.visible || !this.el.curves._fullLayout || width === 0) return;
    this.curvesWidth = width;
    const Plotly = await loadPlotly();
    Plotly.Plots.resize(this.el.curves);
  }

  setStatus(text, kind = '') {
    this.el.status.textContent = text;
    this.el.status.className = `lv-status${kind ? ` lv-${kind}` : ''}`;
  }
}

/**
 * Mount the optimizer-race panel.
 * @param {HTMLElement} root the #panel-race container
 * @param {{bus: object, api: object, i18n: object, getNetworkId: () => string}} ctx page context
 * @returns {RacePanel}
 */
export function mount(root, ctx) {
  return new RacePanel(root, ctx);
}

/**
 * Slope panel (#panel-slope): the tutorials' "point P on a curve" picture. The loss C as a
 * function of one parameter w with all others fixed (POST .../loss-slice), the tangent at
 * the current value with the slope ∂C/∂w the API returns, and an arrow for the step
 * −η·∂C/∂w landing on the curve. A local η slider shows that a large η overshoots and a
 * small one crawls; "use this η" sets the network's learning rate (PATCH).
 *
 * Drawn with d3 in SVG. The SVG carries data-slope, data-value, data-loss and data-eta.
 */
import { getD3 } from './vendor.js';
import { paramLabel, selectionToParam, defaultParams, errorText } from './surface-view.js';
import { buildPanel, LandscapePanel, RequestGate, Throttle, makeDebounce } from './panel-utils.js';

const RESOLUTION = 161;
const SPANS = [0.5, 1, 2, 5, 10];
const HEIGHT = 300;
const MARGIN = { top: 18, right: 20, bottom: 46, left: 64 };
const FRAME_MIN_MS = 250;
const ETA_LOG = { min: -4, max: 2 };
const fmt = (x) => (Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(3) : x.toPrecision(5));

function buildDom(root) {
  const q = buildPanel(root, { name: 'slope-panel', prefix: 'slope', body: `
    <div class="lv-controls">
      <div class="lv-field"><span class="lv-label" data-i18n="slope.param"></span>
        <span class="lv-chips" data-role="chip"></span>
        <span class="lv-muted" data-i18n="surface.picks.hint"></span></div>
      <label class="lv-field lv-eta"><span class="lv-label" data-i18n="slope.eta"></span>
        <input type="range" min="${ETA_LOG.min}" max="${ETA_LOG.max}" step="0.01" data-role="eta">
        <output data-role="eta-out"></output></label>
      <button type="button" class="lv-btn" data-role="use-eta" data-i18n="slope.eta.use"></button>
      <label class="lv-field"><span class="lv-label" data-i18n="slope.span"></span>
        <select data-role="span">${SPANS.map((s) => `<option value="${s}">${s}</option>`).join('')}</select></label>
    </div>
    <div class="lv-plot-area slope-plot" data-role="plot"></div>
    <p class="lv-readout" data-role="readout"></p>
    <p class="lv-status" data-role="verdict" aria-live="polite"></p>
    <p class="lv-muted" data-i18n="slope.note"></p>` });
  return { chip: q('chip'), eta: q('eta'), etaOut: q('eta-out'), useEta: q('use-eta'),
    span: q('span'), plot: q('plot'), readout: q('readout'), verdict: q('verdict') };
}

/** Linear interpolation of the sampled curve at x (null outside it). */
function curveAt(values, loss, x) {
  if (x < values[0] || x > values[values.length - 1]) return null;
  let i = 1;
  while (i < values.length - 1 && values[i] < x) i += 1;
  const f = (x - values[i - 1]) / (values[i] - values[i - 1]);
  return loss[i - 1] + f * (loss[i] - loss[i - 1]);
}

class SlopePanel extends LandscapePanel {
  constructor(root, ctx) {
    super(root, ctx);
    this.el = buildDom(root);
    this.el.span.value = '2';
    this.state = { param: null, network: null, slice: null, eta: 0.1, etaTouched: false };
    this.gate = new RequestGate();
    this.later = makeDebounce(() => this.refresh());
    this.framely = new Throttle(FRAME_MIN_MS, () => this.refresh());
    this.stale = true;
    this.setEta(0.1);
    this.bind();
    new ResizeObserver(() => this.draw()).observe(this.el.plot);
    this.ctx.i18n.apply(root);
    const doc = ctx.bus.get('network');
    if (doc) this.onNetwork(doc);
  }

  bind() {
    this.listen({
      network: (doc) => this.onNetwork(doc),
      selection: (sel) => {
        const param = selectionToParam(sel);
        if (param) { this.state.param = param; this.refresh(); }
      },
      step: () => { if (this.shouldWork()) this.later.after(100); },
      frame: () => {
        if (!this.shouldWork()) return;
        this.framely.request();
        this.later.after(600);
      },
    });
    this.el.eta.addEventListener('input', () => {
      this.state.etaTouched = true;
      this.setEta(10 ** Number(this.el.eta.value));
      this.draw();
    });
    this.el.span.addEventListener('change', () => this.refresh());
    this.el.useEta.addEventListener('click', () => this.useEta());
  }

  onShown() {
    if (this.stale) this.refresh(); else this.draw();
  }

  onLanguage() {
    this.draw();
  }

  setEta(eta) {
    this.state.eta = eta;
    this.el.eta.value = String(Math.log10(eta));
    this.el.etaOut.textContent = `η = ${Number(eta.toPrecision(3))}`;
  }

  onNetwork(doc) {
    const s = this.state;
    if (!s.network || s.network.id !== doc.id) s.etaTouched = false;
    s.network = doc;
    if (!s.param || !doc.layers.some((l) => l.index === s.param.layer)) s.param = defaultParams(doc)[0];
    if (!s.etaTouched && doc.learning_rate) this.setEta(doc.learning_rate);
    if (!this.echoesStep(doc) && this.shouldWork()) this.later.after(100);
  }

  /** Fetch the slice through the current value (one request in flight, then the newest). */
  refresh() {
    const s = this.state;
    if (!this.ctx.getNetworkId() || !s.param || !this.shouldWork()) return;
    this.stale = false;
    this.gate.single(async () => {
      try {
        const body = { param: s.param, span: Number(this.el.span.value), resolution: RESOLUTION };
        s.slice = await this.ctx.api.lossSlice(this.ctx.getNetworkId(), body);
        this.draw();
      } catch (err) {
        this.el.verdict.textContent = this.t('slope.error', { message: errorText(err, this.t) });
        this.el.verdict.className = 'lv-status lv-error';
      }
    });
  }

  async useEta() {
    try {
      const eta = Number(this.state.eta.toPrecision(3));
      const doc = await this.ctx.api.patchNetwork(this.ctx.getNetworkId(), { optimizer: { learning_rate: eta } });
      this.state.etaTouched = false;
      this.ctx.bus.emit('network', doc);
      this.ctx.bus.emit('status', { message: this.t('slope.eta.used', { eta: doc.learning_rate }) });
    } catch (err) {
      this.ctx.bus.emit('error', { message: errorText(err, this.t) });
    }
  }

  /** The predicted step for the local η: {next, landing loss or null, step}. */
  prediction() {
    const sl = this.state.slice;
    const step = -this.state.eta * sl.slope;
    const next = sl.value + step;
    return { step, next, landing: curveAt(sl.values, sl.loss, next) };
  }

  draw() {
    const sl = this.state.slice;
    if (!sl) return;
    if (!this.visible) { this.undrawn = true; return; }
    const width = this.el.plot.clientWidth;
    if (width === 0) return;
    this.undrawn = false;
    const d3 = getD3();
    const name = paramLabel(sl.param);
    const pred = this.prediction();
    const x = d3.scaleLinear().domain(d3.extent(sl.values)).range([MARGIN.left, width - MARGIN.right]);
    const ys = [...sl.loss, sl.current_loss, ...(pred.landing === null ? [] : [pred.landing])];
    // Some room below the lowest point, so P at a minimum does not sit on the axis.
    const [lo, hi] = d3.extent(ys);
    const y = d3.scaleLinear().domain([lo - 0.08 * (hi - lo), hi]).nice()
      .range([HEIGHT - MARGIN.bottom, MARGIN.top]);
    const svg = d3.select(this.el.plot).selectAll('svg').data([0]).join('svg')
      .attr('width', width).attr('height', HEIGHT).attr('class', 'slope-svg')
      .attr('data-slope', String(sl.slope)).attr('data-value', String(sl.value))
      .attr('data-loss', String(sl.current_loss)).attr('data-eta', String(this.state.eta))
      .attr('data-next-value', String(pred.next)).attr('data-step', String(sl.step));
    svg.selectAll('*').remove();
    this.drawAxes(svg, { x, y, name, width });
    this.drawCurve(svg, { x, y, sl, pred, name, width });
    this.drawReadout(sl, pred, name);
  }

  drawAxes(svg, { x, y, name, width }) {
    const d3 = getD3();
    svg.append('defs').html(`<marker id="slope-arrow" viewBox="0 0 10 10" refX="9" refY="5"
      markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#D55E00"/></marker>
      <clipPath id="slope-clip"><rect x="${MARGIN.left}" y="${MARGIN.top}"
      width="${width - MARGIN.left - MARGIN.right}" height="${HEIGHT - MARGIN.top - MARGIN.bottom}"/></clipPath>`);
    svg.append('g').attr('class', 'lv-axis').attr('transform', `translate(0,${HEIGHT - MARGIN.bottom})`)
      .call(d3.axisBottom(x).ticks(Math.max(3, Math.floor(width / 90))));
    svg.append('g').attr('class', 'lv-axis').attr('transform', `translate(${MARGIN.left},0)`)
      .call(d3.axisLeft(y).ticks(6));
    svg.append('text').attr('class', 'lv-axis-title').attr('x', (MARGIN.left + width - MARGIN.right) / 2)
      .attr('y', HEIGHT - 8).attr('text-anchor', 'middle').text(this.t('slope.xlabel', { name }));
    const midY = (HEIGHT - MARGIN.bottom + MARGIN.top) / 2;
    svg.append('text').attr('class', 'lv-axis-title').attr('transform', `translate(16,${midY}) rotate(-90)`)
      .attr('text-anchor', 'middle').text(this.t('slope.ylabel'));
  }

  drawCurve(svg, { x, y, sl, pred, name, width }) {
    const d3 = getD3();
    const g = svg.append('g').attr('clip-path', 'url(#slope-clip)');
    const line = d3.line().x((d) => x(d[0])).y((d) => y(d[1]));
    g.append('path').attr('class', 'slope-curve').attr('d', line(sl.values.map((v, i) => [v, sl.loss[i]])));
    const half = (sl.values[sl.values.length - 1] - sl.values[0]) * 0.22;
    const tangent = [-half, half].map((dx) => [sl.value + dx, sl.current_loss + sl.slope * dx]);
    g.append('path').attr('class', 'slope-tangent').attr('d', line(tangent))
      .append('title').text(this.t('slope.tangent', { name, slope: fmt(sl.slope) }));
    const [px, py] = [x(sl.value), y(sl.current_loss)];
    const inside = pred.landing !== null;
    const qx = inside ? x(pred.next) : (pred.next > sl.value ? width - MARGIN.right : MARGIN.left);
    const qy = inside ? y(pred.landing) : py;
    if (Math.abs(qx - px) > 1.5) {
      const lift = Math.min(60, Math.abs(qx - px) * 0.35);
      g.append('path').attr('class', 'slope-step').attr('marker-end', 'url(#slope-arrow)')
        .attr('d', `M${px},${py} Q${(px + qx) / 2},${Math.min(py, qy) - lift} ${qx},${qy}`)
        .append('title').text(this.t('slope.next', { name, value: fmt(pred.next) }));
    }
    if (inside) {
      g.append('line').attr('class', 'slope-drop').attr('x1', qx).attr('x2', qx).attr('y1', qy).attr('y2', HEIGHT - MARGIN.bottom);
      g.append('circle').attr('class', 'slope-landing').attr('cx', qx).attr('cy', qy).attr('r', 5);
    }
    g.append('line').attr('class', 'slope-drop').attr('x1', px).attr('x2', px).attr('y1', py).attr('y2', HEIGHT - MARGIN.bottom);
    g.append('circle').attr('class', 'slope-point').attr('cx', px).attr('cy', py).attr('r', 6);
    svg.append('text').attr('class', 'slope-label').attr('x', px + 9).attr('y', py - 9).text(this.t('slope.point'));
  }

  drawReadout(sl, pred, name) {
    this.el.chip.innerHTML = '';
    const chip = document.createElement('span');
    chip.className = 'lv-chip';
    chip.textContent = name;
    this.el.chip.appendChild(chip);
    this.el.readout.textContent = this.t('slope.readout', {
      name, value: fmt(sl.value), loss: fmt(sl.current_loss), slope: fmt(sl.slope), step: fmt(pred.step) });
    const span = sl.values[sl.values.length - 1] - sl.values[0];
    // Within two grid spacings the interpolated curve is too coarse to judge the landing.
    const resolved = Math.abs(pred.step) > 2 * (sl.values[1] - sl.values[0]);
    let key = 'slope.good';
    if (Math.abs(sl.slope) < 1e-9) key = 'slope.flat';
    else if (pred.landing === null) key = 'slope.offchart';
    else if (resolved && pred.landing > sl.current_loss) key = 'slope.overshoot';
    else if (Math.abs(pred.step) < span / 400) key = 'slope.crawl';
    this.el.verdict.textContent = this.t(key);
    this.el.verdict.className = `lv-status lv-verdict-${key.split('.')[1]}`;
  }
}

/**
 * Mount the slope panel.
 * @param {HTMLElement} root the #panel-slope container
 * @param {{bus: object, api: object, i18n: object, getNetworkId: () => string}} ctx page context
 * @returns {SlopePanel}
 */
export function mount(root, ctx) {
  return new SlopePanel(root, ctx);
}

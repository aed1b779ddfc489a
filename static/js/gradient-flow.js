/**
 * Gradient-flow panel (#panel-gradients): the Frobenius norm ‖∂C/∂Wˡ‖ of every layer's
 * weight gradient over training, one line per layer on a log scale (d3), so vanishing
 * gradients (deep sigmoid nets: the first layers' lines sink) and exploding ones (lines
 * shooting up) are visible.
 *
 * Data: a one-step 'step' payload carries grad_W per layer (the gradient at the weights
 * before that step). Multi-step results and play frames carry none, so the panel asks
 * POST .../backward for them, at most every BACKWARD_MIN_MS with one request in flight.
 * The norms are display arithmetic on the API's arrays; no gradient is computed here.
 */
import { getD3 } from './vendor.js';
import { ensureStyles } from './surface-view.js';

const BACKWARD_MIN_MS = 250;
const MAX_POINTS = 1500;
const HEIGHT = 300;
const MARGIN = { top: 16, right: 92, bottom: 44, left: 64 };

/** ‖G‖_F of a matrix given as nested arrays. */
function frobenius(G) {
  let sum = 0;
  for (const row of G) for (const v of row) sum += v * v;
  return Math.sqrt(sum);
}

function buildDom(root) {
  root.classList.add('lv-panel', 'grad-panel');
  root.innerHTML = `
    <header class="lv-head">
      <h3 data-i18n="grad.title"></h3>
      <p class="lv-intro" data-i18n="grad.intro"></p>
    </header>
    <div class="lv-plot-area grad-plot" data-role="plot"></div>
    <p class="lv-status" data-role="status" aria-live="polite"></p>
    <p class="lv-hint" data-i18n="grad.hint"></p>
    <button type="button" class="lv-btn-small" data-role="clear" data-i18n="grad.clear"></button>`;
  return { plot: root.querySelector('[data-role="plot"]'), status: root.querySelector('[data-role="status"]'),
    clear: root.querySelector('[data-role="clear"]') };
}

class GradientFlow {
  constructor(root, ctx) {
    this.root = root;
    this.ctx = ctx;
    this.t = (key, params) => ctx.i18n.t(key, params);
    ensureStyles();
    this.el = buildDom(root);
    /** points: [{step, norms: number[] (one per layer, layer 1 first)}] in step order */
    this.state = { netId: null, step: 0, points: [], busy: false, pending: false, last: 0, timer: 0 };
    this.bind();
    ctx.i18n.apply(root);
    new ResizeObserver(() => this.draw()).observe(this.el.plot);
    const doc = ctx.bus.get('network');
    if (doc) this.onNetwork(doc);
    this.draw();
  }

  bind() {
    const { bus } = this.ctx;
    bus.on('network', (doc) => this.onNetwork(doc));
    bus.on('step', (res) => this.onStep(res));
    bus.on('frame', (frame) => {
      this.state.step = frame.step;
      this.throttledBackward();
    });
    bus.on('language', () => { this.ctx.i18n.apply(this.root); this.draw(); });
    bus.on('tab', (id) => { if (id === this.root.id) this.draw(); });
    this.el.clear.addEventListener('click', () => { this.state.points = []; this.draw(); });
  }

  onNetwork(doc) {
    const s = this.state;
    const lastStep = s.points.at(-1)?.step ?? -1;
    if (s.netId !== doc.id || doc.step < lastStep || (s.points[0] && s.points[0].norms.length !== doc.layers.length)) {
      s.points = [];
    }
    s.netId = doc.id;
    s.step = doc.step;
    if (!s.points.some((p) => p.step === doc.step)) this.throttledBackward();
  }

  onStep(res) {
    this.state.step = res.step;
    if (res.layers?.[0]?.grad_W) {
      // One step: its gradient was taken at the weights before the update (step − 1).
      this.record(res.step - 1, res.layers.map((l) => frobenius(l.grad_W)));
    }
    this.throttledBackward();
  }

  record(step, norms) {
    const pts = this.state.points;
    const at = pts.findIndex((p) => p.step >= step);
    if (at === -1) pts.push({ step, norms });
    else if (pts[at].step === step) pts[at] = { step, norms };
    else pts.splice(at, 0, { step, norms });
    if (pts.length > MAX_POINTS) this.state.points = pts.filter((p, i) => i % 2 === 0 || i === pts.length - 1);
    this.draw();
  }

  /** Ask for the gradient at the current weights, at a bounded rate. */
  throttledBackward() {
    const s = this.state;
    const wait = BACKWARD_MIN_MS - (performance.now() - s.last);
    clearTimeout(s.timer);
    if (s.busy || wait > 0) {
      s.timer = setTimeout(() => this.throttledBackward(), Math.max(wait, 50));
      return;
    }
    this.fetchBackward();
  }

  async fetchBackward() {
    const s = this.state;
    const id = this.ctx.getNetworkId();
    if (!id) return;
    s.busy = true;
    s.last = performance.now();
    const step = s.step;
    try {
      const resp = await this.ctx.api.backward(id);
      if (id === this.ctx.getNetworkId()) this.record(step, resp.layers.map((l) => frobenius(l.grad_W)));
    } catch (err) {
      // A missed sample only leaves a gap in the lines; the next step or frame retries.
    } finally {
      s.busy = false;
    }
  }

  draw() {
    const width = this.el.plot.clientWidth;
    const pts = this.state.points;
    if (width === 0) return;
    const d3 = getD3();
    const svg = d3.select(this.el.plot).selectAll('svg').data([0]).join('svg')
      .attr('width', width).attr('height', HEIGHT).attr('class', 'grad-svg')
      .attr('data-points', String(pts.length))
      .attr('data-latest-step', pts.length ? String(pts.at(-1).step) : '')
      .attr('data-latest', pts.length ? JSON.stringify(pts.at(-1).norms) : '');
    svg.selectAll('*').remove();
    if (pts.length === 0) {
      svg.append('text').attr('class', 'lv-empty').attr('x', width / 2).attr('y', HEIGHT / 2)
        .attr('text-anchor', 'middle').text(this.t('grad.empty'));
      this.el.status.textContent = '';
      return;
    }
    const L = pts[0].norms.length;
    const values = pts.flatMap((p) => p.norms).filter((v) => v > 0);
    const lo = values.length ? d3.min(values) : 1e-6;
    const hi = values.length ? d3.max(values) : 1;
    const x = d3.scaleLinear().domain(d3.extent(pts, (p) => p.step)).range([MARGIN.left, width - MARGIN.right]);
    if (pts.length === 1) x.domain([pts[0].step - 1, pts[0].step + 1]);
    const y = d3.scaleLog().domain([lo / 1.5, hi * 1.5]).range([HEIGHT - MARGIN.bottom, MARGIN.top]).nice();
    // Viridis from dark purple (first layer) to green, stopping before its pale yellow end.
    const colour = (l) => d3.interpolateViridis(L === 1 ? 0.1 : 0.72 * (l / (L - 1)));
    this.drawAxes(svg, { x, y, width });
    const labelY = this.labelPositions(y, L);
    for (let l = 0; l < L; l += 1) this.drawLayer(svg, { x, y, l, colour: colour(l), width, labelY });
    this.drawVerdict();
  }

  drawAxes(svg, { x, y, width }) {
    const d3 = getD3();
    svg.append('g').attr('class', 'lv-axis').attr('transform', `translate(0,${HEIGHT - MARGIN.bottom})`)
      .call(d3.axisBottom(x).ticks(Math.max(3, Math.floor(width / 90))).tickFormat(d3.format('~d')));
    svg.append('g').attr('class', 'lv-axis').attr('transform', `translate(${MARGIN.left},0)`)
      .call(d3.axisLeft(y).ticks(5, '~e'));
    svg.append('text').attr('class', 'lv-axis-title').attr('x', (MARGIN.left + width - MARGIN.right) / 2)
      .attr('y', HEIGHT - 8).attr('text-anchor', 'middle').text(this.t('grad.step'));
    svg.append('text').attr('class', 'lv-axis-title')
      .attr('transform', `translate(16,${(HEIGHT - MARGIN.bottom + MARGIN.top) / 2}) rotate(-90)`)
      .attr('text-anchor', 'middle').text(this.t('grad.norm'));
  }

  /** End-label heights (px) of the layers' lines, pushed apart so they never overlap. */
  labelPositions(y, L) {
    const last = this.state.points.at(-1).norms;
    const order = [...Array(L).keys()].filter((l) => last[l] > 0).sort((a, b) => y(last[a]) - y(last[b]));
    const pos = new Array(L).fill(null);
    let prev = -Infinity;
    for (const l of order) {
      pos[l] = Math.max(y(last[l]) + 4, prev + 12);
      prev = pos[l];
    }
    const overflow = prev - (HEIGHT - 4);
    if (overflow > 0) for (const l of order) pos[l] -= overflow;
    return pos;
  }

  drawLayer(svg, { x, y, l, colour, width, labelY }) {
    const d3 = getD3();
    const pts = this.state.points.filter((p) => p.norms[l] > 0);
    if (pts.length === 0) return;
    const line = d3.line().x((p) => x(p.step)).y((p) => y(p.norms[l]));
    svg.append('path').attr('class', 'grad-line').attr('data-layer', String(l + 1))
      .attr('stroke', colour).attr('d', line(pts));
    const last = pts.at(-1);
    svg.append('circle').attr('cx', x(last.step)).attr('cy', y(last.norms[l])).attr('r', 3).attr('fill', colour);
    svg.append('text').attr('class', 'grad-label').attr('x', width - MARGIN.right + 6)
      .attr('y', labelY[l] ?? y(last.norms[l]) + 4).attr('fill', colour)
      .text(`${this.t('grad.layer', { l: l + 1 })} ${d3.format('.1e')(last.norms[l])}`)
      .append('title').text(`‖∂C/∂W${l + 1}‖ = ${last.norms[l]}`);
  }

  drawVerdict() {
    const pts = this.state.points;
    const latest = pts.at(-1).norms;
    const first = Math.max(...pts[0].norms);
    const parts = [];
    if (latest.length > 1 && latest.at(-1) > 0) {
      const ratio = latest[0] / latest.at(-1);
      parts.push(this.t('grad.ratio', { ratio: ratio.toExponential(1) }));
      if (ratio < 1e-2) parts.push(this.t('grad.vanishing'));
    }
    if (first > 0 && Math.max(...latest) > 100 * first) parts.push(this.t('grad.exploding'));
    this.el.status.textContent = parts.join(' ');
  }
}

/**
 * Mount the gradient-flow panel.
 * @param {HTMLElement} root the #panel-gradients container
 * @param {{bus: object, api: object, i18n: object, getNetworkId: () => string}} ctx page context
 * @returns {GradientFlow}
 */
export function mount(root, ctx) {
  return new GradientFlow(root, ctx);
}

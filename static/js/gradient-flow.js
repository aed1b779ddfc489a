/**
 * Gradient-flow panel (#panel-gradients): the Frobenius norm ‖∂C/∂Wˡ‖ of every layer's
 * weight gradient over training, one line per layer on a log scale (d3), so vanishing
 * gradients (deep sigmoid nets: the first layers' lines sink) and exploding ones (lines
 * shooting up) are visible.
 *
 * Data: a one-step 'step' payload carries grad_W per layer (the gradient at the weights
 * before that step). Multi-step results and play frames carry none, so while the panel is
 * shown it asks POST .../backward for them, at most every BACKWARD_MIN_MS with one request
 * in flight. While hidden it only records the one-step payloads (no requests, no drawing)
 * and asks once for the current gradient when shown again. The norms are display
 * arithmetic on the API's arrays; no gradient is computed here.
 */
import { getD3 } from './vendor.js';
import { buildPanel, LandscapePanel, RequestGate, Throttle } from './panel-utils.js';

/** At most 2 backward requests a second: each carries every sample's z, a and δ. */
const BACKWARD_MIN_MS = 500;
const MAX_POINTS = 1500;
const HEIGHT = 300;
const MARGIN = { top: 16, right: 92, bottom: 44, left: 64 };

/**
 * Split points (in step order) into densely sampled runs: a jump of more than ten times the
 * median spacing (and more than 10 steps) starts a new run, e.g. steps trained while the
 * panel was hidden and sampled nothing.
 */
function splitRuns(pts) {
  const gaps = pts.slice(1).map((p, i) => p.step - pts[i].step).sort((a, b) => a - b);
  const limit = Math.max(10, 10 * (gaps[Math.floor(gaps.length / 2)] ?? 1));
  const runs = [[pts[0]]];
  for (let i = 1; i < pts.length; i += 1) {
    if (pts[i].step - pts[i - 1].step > limit) runs.push([]);
    runs.at(-1).push(pts[i]);
  }
  return runs;
}

/** ‖G‖_F of a matrix given as nested arrays. */
function frobenius(G) {
  let sum = 0;
  for (const row of G) for (const v of row) sum += v * v;
  return Math.sqrt(sum);
}

function buildDom(root) {
  const q = buildPanel(root, { name: 'grad-panel', prefix: 'grad', body: `
    <div class="lv-plot-area grad-plot" data-role="plot"></div>
    <div class="lv-row"><p class="lv-status" data-role="status" aria-live="polite"></p>
      <button type="button" class="lv-btn-small" data-role="clear" data-i18n="grad.clear"></button></div>
    <p class="lv-hint" data-i18n="grad.hint"></p>` });
  return { plot: q('plot'), status: q('status'), clear: q('clear') };
}

class GradientFlow extends LandscapePanel {
  constructor(root, ctx) {
    super(root, ctx);
    this.el = buildDom(root);
    /** points: [{step, norms: number[] (one per layer, layer 1 first)}] in step order */
    this.state = { netId: null, step: 0, points: [] };
    this.gate = new RequestGate();
    this.sampler = new Throttle(BACKWARD_MIN_MS, () => this.gate.single(() => this.fetchBackward()));
    this.listen({
      network: (doc) => this.onNetwork(doc),
      step: (res) => this.onStep(res),
      frame: (frame) => {
        this.state.step = frame.step;
        if (this.shouldWork()) this.sampler.request();
      },
    });
    this.el.clear.addEventListener('click', () => { this.state.points = []; this.draw(); });
    ctx.i18n.apply(root);
    new ResizeObserver(() => this.draw()).observe(this.el.plot);
    const doc = ctx.bus.get('network');
    if (doc) this.onNetwork(doc);
    this.draw();
  }

  onShown() {
    if (this.stale || !this.hasCurrent()) this.sampler.request();
    this.draw();
  }

  onLanguage() {
    this.draw();
  }

  /** Whether the history holds the gradient at the current step. */
  hasCurrent() {
    return this.state.points.some((p) => p.step === this.state.step);
  }

  onNetwork(doc) {
    const s = this.state;
    const lastStep = s.points.at(-1)?.step ?? -1;
    if (s.netId !== doc.id || doc.step < lastStep || (s.points[0] && s.points[0].norms.length !== doc.layers.length)) {
      s.points = [];
      this.draw();
    }
    s.netId = doc.id;
    s.step = doc.step;
    if (!this.hasCurrent() && this.shouldWork()) this.sampler.request();
  }

  onStep(res) {
    this.state.step = res.step;
    if (res.layers?.[0]?.grad_W) {
      // One step: its gradient was taken at the weights before the update (step − 1).
      this.record(res.step - 1, res.layers.map((l) => frobenius(l.grad_W)));
    }
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

  /** Record the gradient at the current weights (POST .../backward). */
  async fetchBackward() {
    const id = this.ctx.getNetworkId();
    if (!id) return;
    const step = this.state.step;
    this.stale = false;
    try {
      const resp = await this.ctx.api.backward(id);
      if (id === this.ctx.getNetworkId()) this.record(step, resp.layers.map((l) => frobenius(l.grad_W)));
    } catch (err) {
      // A missed sample only leaves a gap in the lines; the next step or frame retries.
    }
  }

  draw() {
    if (!this.visible) { this.undrawn = true; return; }
    const width = this.el.plot.clientWidth;
    const pts = this.state.points;
    if (width === 0) return;
    this.undrawn = false;
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
    const runs = splitRuns(pts);
    for (const [i, run] of runs.entries()) {
      svg.append('path').attr('class', 'grad-line').attr('data-layer', String(l + 1))
        .attr('stroke', colour).attr('d', line(run));
      if (run.length === 1) {
        svg.append('circle').attr('cx', x(run[0].step)).attr('cy', y(run[0].norms[l])).attr('r', 2)
          .attr('fill', colour);
      }
      if (i > 0) {
        svg.append('path').attr('class', 'grad-gap').attr('stroke', colour)
          .attr('d', line([runs[i - 1].at(-1), run[0]]));
      }
    }
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
    if (pts.length > 1 && splitRuns(pts).length > 1) parts.push(this.t('grad.gap'));
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

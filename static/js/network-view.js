/**
 * The network view: neurons as circles (each with a heatmap of its output over the input
 * plane), weights as curves whose width is proportional to |w| and whose colour is the sign.
 * Forward and backward passes animate layer by layer; an update animates every width from W
 * to W⁺. Hover a weight for its value, ∂C/∂w and the coming update; click to select it;
 * double-click to edit it. Three stacked layers: SVG edges, a heatmap canvas, SVG neurons.
 */
import { getD3 } from './vendor.js';
import { CONFIG } from './config.js';
import { EdgeCanvas } from './edge-canvas.js';
import { setText } from './dom-utils.js';
import { getNeuronPositions, getNeuronRadius, getEdgePath, getMaxAbsWeight, getEdgeWidth,
  divergingColor, divergingRgb, getCentre, formatNumber, getStringExtent,
  getHeatmapLut, getColumnValue } from './draw-utils.js';

/**
 * @param {number} v
 * @returns {string} 2 significant digits (exponent when tiny or huge; 0 below 1e-9), for
 *   labels inside neurons and the legend
 */
const formatShort = (v) => {
  const a = Math.abs(v);
  if (a < 1e-9) return '0';
  if (a < 0.01 || a >= 1000) return v.toExponential(0);
  return String(Number(v.toPrecision(2)));
};
/** Play frames draw edge widths rounded to 1/EDGE_STEPS px. */
const EDGE_STEPS = 4;
/** Least time between two bias repaints during play, in ms. */
const BIAS_FAST_MS = 50;
/** Legend line widths as fractions of the widest edge. */
const LEGEND_FRACTIONS = [0.25, 0.5, 1];
const SUP = (n) => String(n).replace(/\d/g, (d) => '⁰¹²³⁴⁵⁶⁷⁸⁹'[d]);

/** Neuron-and-weight diagram of the current network. */
export class NetworkView {
  /**
   * @param {HTMLElement} root container
   * @param {{bus: any, i18n: any, legend: HTMLElement,
   *   onEditWeight: (edit: {layer: number, from: number, to: number, value: number}) => void}} opts
   */
  constructor(root, opts) {
    this.root = root;
    this.bus = opts.bus;
    this.i18n = opts.i18n;
    this.legend = opts.legend;
    this.onEditWeight = opts.onEditWeight;
    this.d3 = getD3();
    this.doc = null;
    /** 'neuron' | 'layer' | 'network': what a colour is scaled against. */
    this.scope = 'layer';
    this.showHeatmaps = true;
    this.values = null;
    this.grads = null;
    this.heatmaps = null;
    this.width = 0;
    this.buildDom();
    this.painter = new HeatmapPainter(this.canvas);
    this.drawScaleNote();
    this.bus.on('selection', (sel) => this.drawSelection(sel));
    this.bus.on('language', () => {
      this.drawLabels();
      this.buildLegend();
      this.drawScaleNote();
    });
    this.bus.on('sample', () => this.drawValues());
    new ResizeObserver(() => this.handleResize()).observe(this.root);
  }

  buildDom() {
    const d3 = this.d3;
    const root = d3.select(this.root).classed('nv', true);
    this.edgeSvg = root.append('svg').attr('class', 'nv-edges').attr('role', 'img');
    this.haloLayer = this.edgeSvg.append('g').attr('class', 'nv-halo');
    this.edgeLayer = this.edgeSvg.append('g').attr('class', 'nv-edge-paths');
    this.hitLayer = this.edgeSvg.append('g').attr('class', 'nv-hits');
    this.edgeCanvas = new EdgeCanvas(root.append('canvas').attr('class', 'nv-edge-canvas').node(),
      { onDrawn: () => this.showFastEdges() });
    this.canvas = root.append('canvas').attr('class', 'nv-canvas').node();
    this.nodeSvg = root.append('svg').attr('class', 'nv-nodes');
    this.labelLayer = this.nodeSvg.append('g').attr('class', 'nv-labels');
    this.nodeLayer = this.nodeSvg.append('g');
    this.tooltip = root.append('div').attr('class', 'nv-tooltip').attr('role', 'tooltip')
      .attr('hidden', true).node();
    this.note = root.append('p').attr('class', 'nv-note').node();
    this.editor = root.append('form').attr('class', 'nv-editor').attr('hidden', true).node();
    this.editor.innerHTML = '<label><span></span><input type="number" step="any" required></label>';
    this.editor.addEventListener('submit', (ev) => { ev.preventDefault(); this.commitEdit(); });
    this.editor.querySelector('input').addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') this.closeEditor();
    });
    this.editor.querySelector('input').addEventListener('blur', () => this.closeEditor());
  }

  handleResize() {
    const w = Math.round(this.root.clientWidth);
    if (w > 0 && w !== this.width && this.doc) this.drawStructure();
  }

  /** @returns {number[]} neurons per layer (input first) */
  get sizes() {
    return this.doc ? this.doc.spec.layers : [];
  }

  /**
   * Show a network document (GET /api/networks/{id}); redraws the structure if it changed.
   * @param {object} doc
   */
  setNetwork(doc) {
    const structureChanged = !this.doc || this.doc.id !== doc.id
      || this.doc.spec.layers.join() !== doc.spec.layers.join();
    if (this.doc?.id !== doc.id) { this.values = null; this.grads = null; this.heatmaps = null; }
    this.doc = doc;
    if (structureChanged) this.drawStructure();
    else this.drawWeights(doc.layers);
    this.drawLabels();
  }

  drawStructure() {
    const d3 = this.d3;
    this.width = Math.max(320, Math.round(this.root.clientWidth));
    const height = CONFIG.network.height;
    this.radius = getNeuronRadius(this.sizes, height);
    this.pos = getNeuronPositions({ sizes: this.sizes, width: this.width, height, radius: this.radius });
    for (const svg of [this.edgeSvg, this.nodeSvg]) {
      svg.attr('width', this.width).attr('height', height).attr('viewBox', `0 0 ${this.width} ${height}`);
    }
    this.painter.resize(this.width, height);
    const edges = [];
    for (let l = 1; l < this.sizes.length; l += 1) {
      for (let j = 0; j < this.sizes[l]; j += 1) {
        for (let k = 0; k < this.sizes[l - 1]; k += 1) edges.push({ layer: l, from: k, to: j });
      }
    }
    const path = (e) => getEdgePath(this.pos[e.layer - 1][e.from], this.pos[e.layer][e.to]);
    const attrs = (sel) => sel.attr('data-layer', (e) => e.layer).attr('data-from', (e) => e.from)
      .attr('data-to', (e) => e.to).attr('d', path);
    this.edgeEls = attrs(this.edgeLayer.selectAll('path').data(edges).join('path')
      .attr('class', 'edge')).nodes();
    attrs(this.hitLayer.selectAll('path').data(edges).join('path').attr('class', 'edge-hit'))
      .attr('stroke-width', CONFIG.network.hitWidth)
      .on('mouseenter', (ev, e) => this.showTooltip(ev, { kind: 'weight', ...e }))
      .on('mousemove', (ev) => this.moveTooltip(ev))
      .on('mouseleave', () => this.hideTooltip())
      .on('click', (ev, e) => this.select({ kind: 'weight', layer: e.layer, from: e.from, to: e.to }))
      .on('dblclick', (ev, e) => this.openEditor(ev, e));
    this.edges = edges;
    this.resizeEdgeCanvas(this.width, height);
    this.drawNeurons();
    this.drawWeights(this.doc.layers);
    this.drawValues();
    this.drawHeatmaps();
    this.drawSelection(this.bus.get('selection'));
  }

  drawNeurons() {
    const nodes = this.pos.flatMap((col, l) => col.map((p, j) => ({ layer: l, neuron: j, ...p })));
    const r = this.radius;
    const g = this.nodeLayer.selectAll('g.neuron').data(nodes).join((enter) => {
      const n = enter.append('g').attr('class', 'neuron');
      n.append('circle').attr('class', 'body');
      n.append('text').attr('class', 'value').attr('text-anchor', 'middle').attr('dy', '0.35em');
      n.append('rect').attr('class', 'bias');
      return n;
    });
    g.attr('transform', (d) => `translate(${d.x},${d.y})`)
      .attr('data-layer', (d) => d.layer).attr('data-neuron', (d) => d.neuron);
    g.select('circle.body').attr('r', r).attr('data-layer', (d) => d.layer)
      .attr('data-neuron', (d) => d.neuron)
      .on('mouseenter', (ev, d) => this.showTooltip(ev, { kind: 'neuron', layer: d.layer, neuron: d.neuron }))
      .on('mousemove', (ev) => this.moveTooltip(ev))
      .on('mouseleave', () => this.hideTooltip())
      .on('click', (ev, d) => this.select({ kind: 'neuron', layer: d.layer, neuron: d.neuron }));
    g.select('text.value').style('font-size', `${Math.max(8, r * 0.5)}px`);
    const s = Math.max(5, r * 0.42);
    g.select('rect.bias').attr('x', -r - s * 0.2).attr('y', r - s * 0.8).attr('width', s)
      .attr('height', s).attr('rx', 1.5).attr('display', (d) => (d.layer === 0 ? 'none' : null))
      .on('mouseenter', (ev, d) => this.showTooltip(ev, { kind: 'bias', layer: d.layer, neuron: d.neuron }))
      .on('mousemove', (ev) => this.moveTooltip(ev))
      .on('mouseleave', () => this.hideTooltip())
      .on('click', (ev, d) => this.select({ kind: 'bias', layer: d.layer, neuron: d.neuron }));
    this.neuronEls = g.nodes();
    this.biasEls = this.neuronEls.filter((el) => el.dataset.layer !== '0').map((el) => ({
      g: el, rect: el.querySelector('rect.bias'), l: Number(el.dataset.layer),
      j: Number(el.dataset.neuron), fill: null }));
  }

  /** Draw the layer titles above the columns. */
  drawLabels() {
    if (!this.pos || !this.doc) return;
    const L = this.sizes.length - 1;
    const acts = this.doc.spec.activations;
    const labels = this.pos.map((col, l) => {
      let title = this.i18n.t('core.network.hidden', { n: l });
      if (l === 0) title = this.i18n.t('core.network.input');
      else if (l === L) title = this.i18n.t('core.network.output');
      const act = l === 0 ? '' : this.i18n.t(`core.act.${acts[l - 1]}`);
      return { x: col[0].x, title, act, l };
    });
    const g = this.labelLayer.selectAll('g').data(labels).join((enter) => {
      const e = enter.append('g');
      e.append('text').attr('class', 'layer-title').attr('y', 13);
      e.append('text').attr('class', 'layer-act').attr('y', 26);
      return e;
    });
    g.attr('transform', (d) => `translate(${d.x},0)`).attr('text-anchor', 'middle')
      .style('cursor', (d) => (d.l ? 'pointer' : null))
      .on('click', (ev, d) => (d.l ? this.select({ kind: 'layer', layer: d.l }) : null));
    g.select('.layer-title').text((d) => d.title);
    g.select('.layer-act').text((d) => d.act);
  }

  resizeEdgeCanvas(width, height) {
    this.edgeCanvas.resize(width, height);
    this.edgeCanvas.setLines(Float64Array.from(this.edges.flatMap((e) => {
      const a = this.pos[e.layer - 1][e.from];
      const b = this.pos[e.layer][e.to];
      return [a.x, a.y, b.x, b.y];
    })));
    this.root.classList.remove('fast-edges');
    this.fast = false;
    this.fastWidths = null;
  }

  /**
   * Draw the weights of a play frame on a canvas instead of the SVG (no DOM work, and the
   * curves are rasterised in a worker when the browser can); the SVG is brought up to date by
   * the next drawWeights. Widths are rounded to 1/EDGE_STEPS px; the canvas is redrawn only
   * when a rounded width or a sign changed.
   * @param {{W: number[][], b: number[]}[]} layers per weight layer
   */
  drawWeightsFast(layers) {
    if (!this.edgeEls) return;
    this.doc = { ...this.doc, layers };
    const maxAbs = getMaxAbsWeight(layers);
    this.maxAbs = maxAbs;
    this.fast = true;
    const q = new Int16Array(this.edges.length);
    let changed = !this.fastWidths || this.fastWidths.length !== q.length;
    this.edges.forEach((e, i) => {
      const w = layers[e.layer - 1].W[e.to][e.from];
      q[i] = Math.sign(w) * Math.round(getEdgeWidth(w, maxAbs) * EDGE_STEPS);
      if (!changed && q[i] !== this.fastWidths[i]) changed = true;
    });
    if (changed) this.edgeCanvas.draw(q, EDGE_STEPS);
    this.fastWidths = q;
    // Bias squares repaint the neuron SVG: at most BIAS_FAST_MS apart during play.
    const now = performance.now();
    if (!(now - this.biasDrawnAt < BIAS_FAST_MS)) {
      this.biasDrawnAt = now;
      this.drawBiases(layers, { fast: true });
    }
    this.drawLegend();
  }

  /** Show the edge canvas instead of the SVG once a play frame is drawn on it. */
  showFastEdges() {
    if (this.fast && !this.root.classList.contains('fast-edges')) {
      this.root.classList.add('fast-edges');
    }
  }

  /**
   * Set edge widths (∝ |w|), colours (sign) and data attributes from parameters.
   * @param {{W: number[][], b: number[]}[]} layers per weight layer (index 1..L in order)
   * @param {{duration?: number, from?: {W: number[][]}[]}} [opts] animate from other weights
   */
  drawWeights(layers, opts = {}) {
    if (!this.edgeEls) return Promise.resolve();
    this.root.classList.remove('fast-edges');
    this.fast = false;
    this.doc = { ...this.doc, layers };
    const maxAbs = getMaxAbsWeight(layers);
    this.maxAbs = maxAbs;
    const { colors } = CONFIG;
    const transitions = [];
    const animating = this.animating;
    this.animating = Boolean(opts.duration && opts.from);
    this.edgeEls.forEach((el, i) => {
      const e = this.edges[i];
      const w = layers[e.layer - 1].W[e.to][e.from];
      el.setAttribute('data-w', String(w));
      el.setAttribute('stroke', w < 0 ? colors.negative : colors.positive);
      const width = getEdgeWidth(w, maxAbs);
      if (opts.duration && opts.from) {
        const w0 = opts.from[e.layer - 1].W[e.to][e.from];
        el.setAttribute('stroke-width', String(getEdgeWidth(w0, opts.fromMax ?? maxAbs)));
        transitions.push(this.d3.select(el).transition().duration(opts.duration)
          .attr('stroke-width', width).end().catch(() => null));
      } else {
        if (animating) this.d3.select(el).interrupt();
        el.setAttribute('stroke-width', String(width));
      }
    });
    this.drawBiases(layers);
    this.drawLegend();
    return Promise.all(transitions).then(() => { this.animating = false; });
  }

  /**
   * Colour each bias square by its sign and size (against the largest |b|); an attribute is
   * written only when its colour changed.
   * @param {{b: number[]}[]} layers per weight layer
   * @param {{fast?: boolean}} [opts] fast: a play frame (skip the data-b attributes)
   */
  drawBiases(layers, opts = {}) {
    let maxB = 1e-12;
    for (const p of layers) for (const b of p.b) if (Math.abs(b) > maxB) maxB = Math.abs(b);
    for (const item of this.biasEls ?? []) {
      const b = layers[item.l - 1].b[item.j];
      // Play frames use 32 shades per sign: finer steps would repaint every frame unseen.
      const t = opts.fast ? Math.round((b / maxB) * 32) / 32 : b / maxB;
      const fill = divergingColor(t);
      if (fill !== item.fill) {
        item.rect.setAttribute('fill', fill);
        item.fill = fill;
      }
      if (!opts.fast) item.g.setAttribute('data-b', String(b));
    }
  }

  /** Build the legend (line widths and signs) in the current language. */
  buildLegend() {
    if (!this.legend) return;
    const t = (k) => this.i18n.t(k);
    const W = CONFIG.network.maxEdgeWidth;
    const samples = LEGEND_FRACTIONS.map((f) => `<span class="lg-item"><svg width="26" height="10"
      aria-hidden="true"><line x1="0" y1="5" x2="26" y2="5" stroke="#52606d"
      stroke-width="${W * f}"/></svg><span class="lg-num"></span></span>`).join('');
    this.legend.innerHTML = `<span class="lg-title">${t('core.legend.width')}</span>${samples}
      <span class="lg-item"><i class="sw neg"></i>${t('core.legend.negative')}</span>
      <span class="lg-item"><i class="sw pos"></i>${t('core.legend.positive')}</span>`;
    this.legendNums = [...this.legend.querySelectorAll('.lg-num')];
    this.legendText = null;
    this.drawLegend();
  }

  /** Write the |w| of each legend width (2 significant digits), only when one changed. */
  drawLegend() {
    if (!this.legend) return;
    if (!this.legendNums) { this.buildLegend(); return; }
    const max = this.maxAbs ?? 0;
    const texts = LEGEND_FRACTIONS.map((f) => formatShort(max * f));
    const key = texts.join(' ');
    if (key === this.legendText) return;
    this.legendText = key;
    texts.forEach((text, i) => setText(this.legendNums[i], text));
  }

  /**
   * Store per-layer values from a forward (a) or backward (delta) response.
   * @param {{kind: 'a'|'delta', input?: number[][], layers: object[]}|null} values
   */
  setValues(values) {
    this.values = values;
    this.drawValues();
  }

  /** @param {{index: number, grad_W: number[][], grad_b: number[]}[]|null} layers */
  setGradients(layers) {
    this.grads = layers;
  }

  getLayerMatrix(l) {
    const v = this.values;
    if (!v) return null;
    if (v.kind === 'a') return l === 0 ? v.input : v.layers[l - 1]?.a;
    return l === 0 ? null : v.layers[l - 1]?.delta;
  }

  /**
   * Return the colour scale of every neuron under the scope: the largest |value − centre|
   * over the whole batch in that neuron, its layer or the whole network. The batch, not the
   * values on display, sets the scale: a one-neuron layer is not always at full colour, and
   * picking one sample keeps the colours comparable.
   * @returns {number[][]} scale per layer and neuron
   */
  getScales() {
    const extents = this.sizes.map((n, l) => {
      const M = this.getLayerMatrix(l);
      const c = this.getValueCentre(l);
      return Array.from({ length: n }, (_, j) => (M?.length
        ? M.reduce((m, row) => Math.max(m, Math.abs(row[j] - c)), 0) : 0));
    });
    if (this.scope === 'neuron') return extents;
    const layerMax = extents.map((vals) => Math.max(0, ...vals));
    const all = Math.max(0, ...layerMax);
    return extents.map((vals, l) => vals.map(() => (this.scope === 'layer' ? layerMax[l] : all)));
  }

  getValueCentre(l) {
    if (this.values?.kind !== 'a' || l === 0) return 0;
    return getCentre(this.doc.spec.activations[l - 1]);
  }

  /** Colour each neuron by its activation or δ (selected sample, else the batch mean). */
  drawValues(upTo = null) {
    if (!this.neuronEls) return;
    const sample = this.bus.get('sample') ?? null;
    const active = Boolean(this.values);
    const scales = active ? this.getScales() : null;
    this.root.classList.toggle('show-values', active);
    this.root.dataset.phase = this.values?.kind ?? 'none';
    for (const el of this.neuronEls) {
      const l = Number(el.dataset.layer);
      const j = Number(el.dataset.neuron);
      const M = this.getLayerMatrix(l);
      const reached = upTo === null || upTo(l);
      const circle = el.querySelector('circle.body');
      const text = el.querySelector('text.value');
      if (!active || !M || !reached) {
        circle.style.fill = active && reached ? CONFIG.colors.neutral : '';
        text.textContent = '';
        continue;
      }
      const v = getColumnValue(M, j, sample);
      const t = (v - this.getValueCentre(l)) / (scales[l][j] || 1);
      circle.style.fill = divergingColor(t);
      const [r, g, b] = divergingRgb(t);
      text.style.fill = 0.299 * r + 0.587 * g + 0.114 * b < 140 ? '#fff' : '#1f2933';
      text.textContent = formatShort(v);
      el.setAttribute('data-value', String(v));
    }
  }

  /**
   * Animate values flowing through the layers, one layer at a time.
   * @param {{kind: 'a'|'delta', input?: number[][], layers: object[]}} values
   * @param {{layerMs: number, reverse: boolean, onLayer?: (l: number) => void}} opts
   *   duration per layer in ms; reverse for δ; onLayer called as layer l lights up
   * @returns {Promise<void>} resolves when the last layer is drawn
   */
  async animatePass(values, opts) {
    this.values = values;
    const L = this.sizes.length - 1;
    const order = opts.reverse ? Array.from({ length: L }, (_, i) => L - i)
      : Array.from({ length: L + 1 }, (_, i) => i);
    const reached = new Set();
    for (const l of order) {
      reached.add(l);
      opts.onLayer?.(l);
      this.flowEdges(l, opts.reverse, opts.layerMs);
      this.drawValues((ll) => reached.has(ll));
      await new Promise((r) => setTimeout(r, opts.layerMs));
    }
    this.edgeEls.forEach((el) => el.classList.remove('flow', 'flow-back'));
    this.drawValues();
  }

  flowEdges(l, reverse, ms) {
    const cls = reverse ? 'flow-back' : 'flow';
    this.edgeEls.forEach((el, i) => {
      const hit = this.edges[i].layer === (reverse ? l : l + 1) && !(reverse && l === 0);
      el.classList.toggle(cls, hit);
      if (hit) el.style.animationDuration = `${ms}ms`;
    });
  }

  /** Clear the forward/backward colouring and show heatmaps again. */
  clearValues() {
    this.values = null;
    this.edgeEls?.forEach((el) => el.classList.remove('flow', 'flow-back'));
    this.drawValues();
  }

  /**
   * Draw every neuron's heatmap (GET .../heatmaps or a play frame's heatmaps).
   * @param {object|null} heatmaps
   */
  setHeatmaps(heatmaps) {
    this.heatmaps = heatmaps;
    this.drawHeatmaps();
  }

  drawHeatmaps() {
    if (!this.pos) return;
    const show = this.showHeatmaps && this.heatmaps;
    this.root.classList.toggle('has-heatmaps', Boolean(show));
    if (!show) { this.painter.clear(); return; }
    this.painter.draw({ heatmaps: this.heatmaps, pos: this.pos, radius: this.radius - 0.5,
      scope: this.scope, activations: this.doc.spec.activations });
  }

  /** Say under the diagram what sets the colour scale (the scope). */
  drawScaleNote() {
    const text = this.i18n.t(`core.scope.note.${this.scope}`);
    if (this.note.textContent !== text) this.note.textContent = text;
  }

  /** @param {'neuron'|'layer'|'network'} scope */
  setScope(scope) {
    this.scope = scope;
    this.drawScaleNote();
    this.drawValues();
    this.drawHeatmaps();
  }

  /** @param {boolean} on */
  setShowHeatmaps(on) {
    this.showHeatmaps = on;
    this.drawHeatmaps();
  }

  select(sel) {
    const cur = this.bus.get('selection');
    const same = cur && JSON.stringify(cur) === JSON.stringify(sel);
    this.bus.emit('selection', same ? null : sel);
  }

  /** Highlight the selection from the bus (weight, bias, neuron or layer). */
  drawSelection(sel) {
    if (!this.edgeEls) return;
    const weight = sel?.kind === 'weight' ? this.edges.findIndex((e) => e.layer === sel.layer
      && e.from === sel.from && e.to === sel.to) : -1;
    const halo = weight >= 0 ? [this.edges[weight]] : [];
    this.haloLayer.selectAll('path').data(halo).join('path').attr('class', 'edge-halo')
      .attr('d', (e) => getEdgePath(this.pos[e.layer - 1][e.from], this.pos[e.layer][e.to]));
    this.edgeEls.forEach((el, i) => el.classList.toggle('selected', i === weight));
    for (const el of this.neuronEls) {
      const l = Number(el.dataset.layer);
      const j = Number(el.dataset.neuron);
      const on = sel && ((sel.kind === 'neuron' && sel.layer === l && sel.neuron === j)
        || (sel.kind === 'layer' && sel.layer === l)
        || (sel.kind === 'weight' && ((sel.layer === l && sel.to === j) || (sel.layer - 1 === l && sel.from === j))));
      el.classList.toggle('selected', Boolean(on));
      el.classList.toggle('bias-selected', Boolean(sel?.kind === 'bias' && sel.layer === l && sel.neuron === j));
    }
  }

  getParamInfo(target) {
    const { layer: l } = target;
    const p = this.doc.layers[l - 1];
    const g = this.grads?.find((x) => x.index === l);
    const eta = this.doc.learning_rate;
    if (target.kind === 'weight') {
      const grad = g ? g.grad_W[target.to][target.from] : null;
      return { name: `W${SUP(l)}[${target.to}][${target.from}]`, value: p.W[target.to][target.from], grad, eta };
    }
    const grad = g ? g.grad_b[target.neuron] : null;
    return { name: `b${SUP(l)}[${target.neuron}]`, value: p.b[target.neuron], grad, eta };
  }

  getTooltipHtml(target) {
    const t = (k, p) => this.i18n.t(k, p);
    if (target.kind === 'neuron') {
      const M = this.getLayerMatrix(target.layer);
      const name = this.values?.kind === 'delta' ? `δ${SUP(target.layer)}` : `a${SUP(target.layer)}`;
      const v = M ? getColumnValue(M, target.neuron, this.bus.get('sample') ?? null) : null;
      return `<b>${t('core.tip.neuron', { l: target.layer, j: target.neuron })}</b>
        ${M ? `<div>${name}<sub>${target.neuron}</sub> = ${formatNumber(v)}</div>` : ''}
        <div class="muted">${t('core.tip.clickNeuron')}</div>`;
    }
    const info = this.getParamInfo(target);
    const rows = [`<div>${t('core.tip.value')} = <b>${formatNumber(info.value)}</b></div>`];
    if (info.grad != null) {
      rows.push(`<div>∂C/∂${info.name.split('[')[0]} = ${formatNumber(info.grad)}</div>`,
        `<div>−η·∂C/∂w = ${formatNumber(-info.eta * info.grad)} <span class="muted">(η = ${formatNumber(info.eta)})</span></div>`);
    } else rows.push(`<div class="muted">${t('core.tip.noGrad')}</div>`);
    const hint = target.kind === 'weight' ? t('core.tip.editHint') : t('core.tip.clickBias');
    return `<b>${info.name}</b>${rows.join('')}<div class="muted">${hint}</div>`;
  }

  showTooltip(ev, target) {
    if (!this.doc || !this.editor.hidden) return;
    this.tooltip.innerHTML = this.getTooltipHtml(target);
    this.tooltip.hidden = false;
    this.moveTooltip(ev);
  }

  moveTooltip(ev) {
    const box = this.root.getBoundingClientRect();
    const x = ev.clientX - box.left;
    const y = ev.clientY - box.top;
    const w = this.tooltip.offsetWidth;
    this.tooltip.style.left = `${Math.min(x + 14, box.width - w - 4)}px`;
    this.tooltip.style.top = `${y + 16}px`;
  }

  hideTooltip() {
    this.tooltip.hidden = true;
  }

  openEditor(ev, e) {
    this.hideTooltip();
    const box = this.root.getBoundingClientRect();
    const input = this.editor.querySelector('input');
    const value = this.doc.layers[e.layer - 1].W[e.to][e.from];
    this.editor.querySelector('span').textContent = this.i18n.t('core.edit.label',
      { name: `W${SUP(e.layer)}[${e.to}][${e.from}]` });
    this.editing = e;
    input.value = String(Number(value.toPrecision(6)));
    this.editor.hidden = false;
    this.editor.style.left = `${Math.min(ev.clientX - box.left, box.width - 190)}px`;
    this.editor.style.top = `${ev.clientY - box.top - 20}px`;
    input.focus();
    input.select();
  }

  commitEdit() {
    const input = this.editor.querySelector('input');
    const value = Number(input.value);
    const e = this.editing;
    if (!e || input.value.trim() === '' || !Number.isFinite(value)) {
      this.bus.emit('error', { message: this.i18n.t('core.valid.number') });
      return;
    }
    this.closeEditor();
    this.onEditWeight({ layer: e.layer, from: e.from, to: e.to, value });
  }

  closeEditor() {
    this.editing = null;
    this.editor.hidden = true;
  }
}

/** Little-endian platforms keep a pixel's alpha in the top byte of a Uint32 (RGBA bytes). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const RGB_BITS = LITTLE_ENDIAN ? 0x00ffffff : 0xffffff00;

/**
 * Paints every neuron's heatmap into one canvas as discs. Each neuron's uint8 grid is decoded
 * straight into an atlas ImageData through a 256-entry colour table (one 32-bit write per
 * pixel, alpha from a precomputed disc mask), and only when its bytes or colour scale changed;
 * the atlas is uploaded with one putImageData, each neuron is one scaled drawImage, and the
 * canvas is left alone when nothing changed.
 */
export class HeatmapPainter {
  /** @param {HTMLCanvasElement} canvas */
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.atlas = document.createElement('canvas');
    this.atlasCtx = this.atlas.getContext('2d');
    this.image = null;
    this.pixels = null;
    this.mask = null;
    /** @type {Map<string, object>} what each atlas block holds (data, lo, hi, scale, centre) */
    this.painted = new Map();
    this.drawn = null;
    this.lut = new Uint8ClampedArray(256 * 4);
    this.lut32 = new Uint32Array(this.lut.buffer);
  }

  /**
   * @param {number} width CSS px
   * @param {number} height CSS px
   */
  resize(width, height) {
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(width * dpr);
    this.canvas.height = Math.round(height * dpr);
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    this.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    this.width = width;
    this.height = height;
    this.drawn = null;
  }

  clear() {
    this.ctx.clearRect(0, 0, this.width ?? 0, this.height ?? 0);
    this.drawn = null;
  }

  /**
   * Make the atlas hold one (res + 2) × (rows + 2) block per neuron (a 1-pixel border repeats
   * the edge so scaled drawing never samples a neighbour) and the disc mask of a block.
   */
  fitAtlas(res, rows, sizes) {
    const w = (res + 2) * Math.max(...sizes);
    const h = (rows + 2) * sizes.length;
    if (this.image && this.image.width === w && this.image.height === h && this.res === res) return;
    this.atlas.width = w;
    this.atlas.height = h;
    this.image = this.atlasCtx.createImageData(w, h);
    this.pixels = new Uint32Array(this.image.data.buffer);
    this.res = res;
    this.painted.clear();
    this.mask = getDiscMask(res, rows);
  }

  /**
   * Return per layer and neuron {key, n, centre, bin, extent, scale}: bin is the atob string,
   * only when the bytes changed since the block was painted; scale follows the scope.
   */
  measure(heatmaps, scope, activations) {
    const maps = heatmaps.layers.map((layer, l) => {
      const centre = layer.index === 0 ? 0 : getCentre(activations[layer.index - 1]);
      return layer.neurons.map((n, j) => {
        const key = `${l}:${j}`;
        const old = this.painted.get(key);
        if (old && old.data === n.data && old.lo === n.lo && old.hi === n.hi) {
          return { key, n, centre, bin: null, extent: old.extent };
        }
        const bin = atob(n.data);
        return { key, n, centre, bin, extent: getStringExtent(bin, n, centre) };
      });
    });
    const layerMax = maps.map((layer) => layer.reduce((m, x) => Math.max(m, x.extent), 0));
    const all = Math.max(0, ...layerMax);
    maps.forEach((layer, l) => layer.forEach((m) => {
      m.scale = { neuron: m.extent, layer: layerMax[l], network: all }[scope] || 1;
    }));
    return maps;
  }

  /** Paint one neuron's block into the atlas pixels (y grows upwards). */
  paintBlock(m, l, j) {
    const { res, mask } = this;
    const rows = mask.rows;
    const bin = m.bin ?? atob(m.n.data);
    const lut = this.lut32;
    getHeatmapLut({ lo: m.n.lo, hi: m.n.hi, centre: m.centre, scale: m.scale, out: this.lut });
    const stride = this.image.width;
    const x0 = j * (res + 2);
    const y0 = l * (rows + 2);
    const bw = res + 2;
    for (let r = 0; r < rows + 2; r += 1) {
      const src = Math.min(rows - 1, Math.max(0, rows - r)) * res;
      const dst = (y0 + r) * stride + x0;
      const mrow = r * bw;
      for (let c = 0; c < bw; c += 1) {
        const q = bin.charCodeAt(src + Math.min(res - 1, Math.max(0, c - 1)));
        this.pixels[dst + c] = (lut[q] & RGB_BITS) | mask.alpha[mrow + c];
      }
    }
    this.painted.set(m.key, { data: m.n.data, lo: m.n.lo, hi: m.n.hi, extent: m.extent,
      scale: m.scale, centre: m.centre });
  }

  /**
   * Draw the heatmaps into the neuron circles.
   * @param {{heatmaps: object, pos: {x: number, y: number}[][], radius: number,
   *   scope: string, activations: string[]}} opts radius of a disc in px
   */
  draw(opts) {
    const { heatmaps, pos, radius, scope, activations } = opts;
    if (heatmaps.layers.length !== pos.length) { this.clear(); return; }
    const res = heatmaps.axes[0].length;
    const rows = heatmaps.axes.length === 2 ? res : 1;
    this.fitAtlas(res, rows, pos.map((col) => col.length));
    const maps = this.measure(heatmaps, scope, activations);
    let changed = false;
    maps.forEach((layer, l) => layer.forEach((m, j) => {
      if (!pos[l]?.[j]) return;
      const old = this.painted.get(m.key);
      if (m.bin === null && old?.scale === m.scale && old.centre === m.centre) return;
      this.paintBlock(m, l, j);
      changed = true;
    }));
    if (changed) this.atlasCtx.putImageData(this.image, 0, 0);
    if (!changed && this.drawn?.pos === pos && this.drawn.radius === radius) return;
    this.clear();
    this.drawn = { pos, radius };
    this.drawDiscs(maps, pos, radius);
  }

  /** drawImage every neuron's block as a disc (1 input: a band clipped to the circle). */
  drawDiscs(maps, pos, radius) {
    const { ctx, res } = this;
    const rows = this.mask.rows;
    ctx.imageSmoothingEnabled = true;
    maps.forEach((layer, l) => layer.forEach((m, j) => {
      const p = pos[l]?.[j];
      if (!p) return;
      const args = [this.atlas, j * (res + 2) + 1, l * (rows + 2) + 1, res, rows,
        p.x - radius, p.y - radius, 2 * radius, 2 * radius];
      if (this.mask.disc) {
        ctx.drawImage(...args);
        return;
      }
      ctx.save();
      ctx.beginPath();
      ctx.arc(p.x, p.y, radius, 0, 2 * Math.PI);
      ctx.clip();
      ctx.drawImage(...args);
      ctx.restore();
    }));
  }
}

/**
 * Return the alpha of every pixel of a (res + 2) × (rows + 2) atlas block, already shifted
 * into a Uint32 pixel's alpha byte: a disc of diameter res (anti-aliased by pixel coverage)
 * for 2-D maps, fully opaque for 1-D bands (those are clipped when drawn).
 * @param {number} res grid resolution
 * @param {number} rows res for 2 inputs, 1 for a single input
 * @returns {{alpha: Uint32Array, rows: number, disc: boolean}}
 */
function getDiscMask(res, rows) {
  const w = res + 2;
  const alpha = new Uint32Array(w * (rows + 2));
  const disc = rows === res;
  const half = res / 2;
  for (let r = 0; r < rows + 2; r += 1) {
    for (let c = 0; c < w; c += 1) {
      const d = Math.hypot(c - 1 + 0.5 - half, r - 1 + 0.5 - half);
      const a = disc ? Math.round(255 * Math.max(0, Math.min(1, half - d + 0.5))) : 255;
      alpha[r * w + c] = LITTLE_ENDIAN ? a * 0x1000000 : a;
    }
  }
  return { alpha, rows, disc };
}

/**
 * Output view: the decision boundary (classification) or the fitted curve/surface
 * (regression) drawn from the output layer's heatmap, with training points (filled) and
 * validation points (rings). Click adds a point of class 1, shift-click one of class 0,
 * right-click removes the nearest point; a CSV file replaces the training data.
 */
import { getD3 } from './vendor.js';
import { CONFIG } from './config.js';
import { base64ToBytes, divergingRgb, hexToRgb, formatNumber, getCentre } from './draw-utils.js';
import { setText } from './dom-utils.js';

/** Decision-boundary / fit view with editable data. */
export class OutputView {
  /**
   * @param {HTMLElement} root
   * @param {{bus: any, i18n: any, metrics: HTMLElement,
   *   onData: (data: {X: number[][], Y: number[][], X_val: number[][], Y_val: number[][]}) => void,
   *   onCsv: (text: string, name: string) => void}} opts
   */
  constructor(root, opts) {
    this.root = root;
    this.bus = opts.bus;
    this.i18n = opts.i18n;
    this.metrics = opts.metrics;
    this.onData = opts.onData;
    this.onCsv = opts.onCsv;
    this.d3 = getD3();
    this.data = null;
    this.heatmaps = null;
    this.doc = null;
    this.build();
    this.bus.on('data', (d) => { this.data = d; this.drawPoints(); });
    this.bus.on('heatmaps', (h) => { this.heatmaps = h; this.drawField(); });
    this.bus.on('frame', (f) => {
      if (f.heatmaps) { this.heatmaps = f.heatmaps; this.drawField(); }
      this.drawMetrics(f);
    });
    this.bus.on('network', (doc) => { this.doc = doc; this.drawMetrics(doc); this.drawHint(); });
    this.bus.on('language', () => { this.drawStatic(); this.drawHint(); this.drawMetrics(this.doc); });
  }

  build() {
    const size = CONFIG.output.size;
    const root = this.d3.select(this.root).classed('output-view', true);
    const stage = root.append('div').attr('class', 'ov-stage').style('width', `${size}px`)
      .style('height', `${size}px`);
    this.canvas = stage.append('canvas').attr('width', size).attr('height', size).node();
    this.svg = stage.append('svg').attr('width', size).attr('height', size)
      .attr('class', 'ov-points');
    this.curve = this.svg.append('path').attr('class', 'ov-curve');
    this.pointLayer = this.svg.append('g');
    this.message = stage.append('div').attr('class', 'ov-message').attr('hidden', true).node();
    this.hint = root.append('p').attr('class', 'hint ov-hint').node();
    const tools = root.append('div').attr('class', 'ov-tools');
    this.csvLabel = tools.append('label').attr('class', 'btn small file-btn');
    this.csvText = this.csvLabel.append('span');
    this.csvInput = this.csvLabel.append('input').attr('type', 'file').attr('accept', '.csv,text/csv')
      .attr('hidden', true).node();
    this.csvHelp = tools.append('span').attr('class', 'hint csv-help').node();
    this.csvInput.addEventListener('change', () => this.readCsv());
    this.svg.on('click', (ev) => this.handleAdd(ev));
    this.svg.on('contextmenu', (ev) => this.handleRemove(ev));
    this.drawStatic();
  }

  drawStatic() {
    this.csvText.text(this.i18n.t('core.output.csv'));
    this.csvHelp.textContent = this.i18n.t('core.output.csvHelp');
  }

  drawHint() {
    const n = this.doc?.spec.layers[0];
    const kind = this.doc?.data_info?.kind;
    let key = 'core.output.hintClass';
    if (kind === 'regression') key = n === 1 ? 'core.output.hintCurve' : 'core.output.hintSurface';
    this.hint.textContent = n > 2 ? '' : this.i18n.t(key);
  }

  drawMetrics(p) {
    if (!p || !this.metrics) return;
    const t = (k) => this.i18n.t(k);
    const parts = [`${t('core.chart.train')} ${formatNumber(p.loss)}`];
    if (p.accuracy != null && this.doc?.data_info?.kind === 'classification') {
      parts.push(`${t('core.chart.accuracy')} ${(p.accuracy * 100).toFixed(1)}%`);
    }
    setText(this.metrics, parts.join(' · '));
  }

  /** Return [x scale, y scale] in data → px for the current bounds (and y range for 1-D). */
  getScales() {
    const d3 = this.d3;
    const size = CONFIG.output.size;
    const b = this.data?.bounds ?? this.heatmaps?.bounds ?? [[-1, 1], [-1, 1]];
    const x = d3.scaleLinear().domain(b[0]).range([0, size]);
    let yDomain = b[1];
    if (b.length === 1) {
      const ys = (this.data?.Y ?? []).concat(this.data?.Y_val ?? []).map((r) => r[0]);
      const lo = Math.min(-1, ...ys);
      const hi = Math.max(1, ...ys);
      yDomain = [lo - 0.1 * (hi - lo), hi + 0.1 * (hi - lo)];
    }
    const y = d3.scaleLinear().domain(yDomain).range([size, 0]);
    return [x, y];
  }

  /** Draw the output neuron's field (2 inputs) or curve (1 input). */
  drawField() {
    const hm = this.heatmaps;
    const ctx = this.canvas.getContext('2d');
    const size = CONFIG.output.size;
    if (!hm || !this.doc) return;
    const out = hm.layers[hm.layers.length - 1];
    if (!this.message.hidden) this.message.hidden = true;
    if (hm.axes.length === 1) {
      ctx.fillStyle = '#fbfcfd';
      ctx.fillRect(0, 0, size, size);
      this.drawCurve(hm, out.neurons[0]);
      return;
    }
    if (this.curveShown) {
      this.curve.attr('d', null);
      this.curveShown = false;
    }
    const res = hm.axes[0].length;
    if (!this.image || this.image.width !== res) {
      this.scratch = document.createElement('canvas');
      this.scratch.width = res;
      this.scratch.height = res;
      this.image = this.scratch.getContext('2d').createImageData(res, res);
      this.pixels = new Uint32Array(this.image.data.buffer);
    }
    if (out.neurons.length > 1 && this.doc.data_info.kind === 'classification') {
      this.paintClasses(hm, out, res);
    } else this.paintValues(out.neurons[0], res);
    this.scratch.getContext('2d').putImageData(this.image, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(this.scratch, 0, 0, size, size);
  }

  /**
   * Paint one output neuron's values through a 256-entry colour table (y grows upwards):
   * orange below the class threshold (or the activation's centre), blue above.
   * @param {{lo: number, hi: number, data: string}} n the neuron's uint8 heatmap
   * @param {number} res grid resolution
   */
  paintValues(n, res) {
    const lut = this.getValueLut(n);
    const bin = atob(n.data);
    const px = this.pixels;
    for (let i = 0; i < res; i += 1) {
      const src = i * res;
      const dst = (res - 1 - i) * res;
      for (let j = 0; j < res; j += 1) px[dst + j] = lut[bin.charCodeAt(src + j)];
    }
  }

  /** @returns {Uint32Array} 256 packed RGBA colours, one per heatmap byte */
  getValueLut(n) {
    const info = this.doc.data_info;
    const act = this.doc.spec.activations[this.doc.spec.activations.length - 1];
    const centre = info.kind === 'classification' ? info.threshold : getCentre(act);
    const scale = Math.max(Math.abs(n.hi - centre), Math.abs(n.lo - centre),
      this.getTargetExtent(centre)) || 1;
    const k = info.kind === 'classification' ? 0.85 : 1;
    this.lut ??= new Uint8ClampedArray(256 * 4);
    this.lut32 ??= new Uint32Array(this.lut.buffer);
    for (let q = 0; q < 256; q += 1) {
      const [r, g, b] = divergingRgb((k * (n.lo + (q * (n.hi - n.lo)) / 255 - centre)) / scale);
      this.lut.set([r, g, b, 255], q * 4);
    }
    return this.lut32;
  }

  /** Return max |y − centre| over the training targets (cached per data document). */
  getTargetExtent(centre) {
    if (this.extentOf?.data !== this.data || this.extentOf?.centre !== centre) {
      let m = 0;
      for (const row of this.data?.Y ?? []) m = Math.max(m, Math.abs(row[0] - centre));
      this.extentOf = { data: this.data, centre, value: m };
    }
    return this.extentOf.value;
  }

  /**
   * Paint the predicted class of every grid point (softmax or one sigmoid per class), paler
   * where the network is less sure.
   */
  paintClasses(hm, out, res) {
    const px = this.image.data;
    const neurons = out.neurons.map((n) => ({ lo: n.lo, k: (n.hi - n.lo) / 255, bin: atob(n.data) }));
    const value = (n, i) => n.lo + n.bin.charCodeAt(i) * n.k;
    const pred = hm.prediction ? atob(hm.prediction) : null;
    const rgb = CONFIG.colors.classes.map(hexToRgb);
    const K = neurons.length;
    for (let i = 0; i < res; i += 1) {
      for (let j = 0; j < res; j += 1) {
        const at = i * res + j;
        let best = 0;
        for (let c = 1; c < K; c += 1) if (value(neurons[c], at) > value(neurons[best], at)) best = c;
        const cls = pred ? pred.charCodeAt(at) : best;
        const conf = Math.max(0, Math.min(1, (value(neurons[best], at) - 1 / K) / (1 - 1 / K)));
        const f = 0.15 + 0.6 * conf;
        const colour = rgb[cls % rgb.length];
        const p = ((res - 1 - i) * res + j) * 4;
        px[p] = 255 + (colour[0] - 255) * f;
        px[p + 1] = 255 + (colour[1] - 255) * f;
        px[p + 2] = 255 + (colour[2] - 255) * f;
        px[p + 3] = 255;
      }
    }
  }

  drawCurve(hm, neuron) {
    const [x, y] = this.getScales();
    const bytes = base64ToBytes(neuron.data);
    const pts = hm.axes[0].map((xv, i) => [x(xv), y(neuron.lo + (bytes[i] * (neuron.hi - neuron.lo)) / 255)]);
    this.curve.attr('d', this.d3.line()(pts));
    this.curveShown = true;
  }

  /** Draw training (filled) and validation (ring) points. */
  drawPoints() {
    const d = this.data;
    if (!d) return;
    if (d.X[0]?.length > 2) {
      this.message.hidden = false;
      this.message.textContent = this.i18n.t('core.output.tooMany');
      this.pointLayer.selectAll('circle').remove();
      return;
    }
    const [x, y] = this.getScales();
    const oneD = d.X[0]?.length === 1;
    const rows = [
      ...d.X.map((p, i) => ({ p, t: d.Y[i], val: false, i })),
      ...(d.X_val ?? []).map((p, i) => ({ p, t: d.Y_val[i], val: true, i })),
    ];
    this.pointLayer.selectAll('circle').data(rows).join('circle')
      .attr('class', (r) => (r.val ? 'pt val' : 'pt'))
      .attr('r', (r) => (r.val ? CONFIG.output.pointRadius + 0.6 : CONFIG.output.pointRadius))
      .attr('cx', (r) => x(r.p[0]))
      .attr('cy', (r) => y(oneD ? r.t[0] : r.p[1]))
      .attr('fill', (r) => (r.val ? '#fff' : this.getColor(r.t)))
      .attr('stroke', (r) => (r.val ? this.getColor(r.t) : '#fff'));
    this.drawField();
  }

  getColor(target) {
    const d = this.data;
    if (d.kind !== 'classification') return '#1f2933';
    return CONFIG.colors.classes[this.getClass(target) % CONFIG.colors.classes.length];
  }

  getClass(target) {
    if (target.length > 1) return target.indexOf(Math.max(...target));
    return target[0] > this.data.threshold ? 1 : 0;
  }

  /** Return the target row for a new point of class cls (or value v for regression). */
  getTarget(cls, yValue) {
    const d = this.data;
    if (d.kind !== 'classification') return [yValue];
    const width = d.Y[0]?.length ?? 1;
    if (width > 1) return Array.from({ length: width }, (_, k) => (k === cls ? 1 : 0));
    const ys = d.Y.map((r) => r[0]);
    return [cls === 1 ? Math.max(...ys) : Math.min(...ys)];
  }

  handleAdd(ev) {
    const d = this.data;
    if (!d || d.X[0]?.length > 2) return;
    const [x, y] = this.getScales();
    const [mx, my] = this.d3.pointer(ev, this.svg.node());
    const oneD = d.X[0].length === 1;
    if (!oneD && d.kind !== 'classification') {
      this.bus.emit('status', { message: this.i18n.t('core.output.noAddSurface') });
      return;
    }
    const point = oneD ? [x.invert(mx)] : [x.invert(mx), y.invert(my)];
    let cls = ev.shiftKey ? 0 : 1;
    if (ev.altKey && (d.classes ?? 2) > 2) cls = 2;
    const target = this.getTarget(cls, y.invert(my));
    this.onData({ X: [...d.X, point], Y: [...d.Y, target], X_val: d.X_val, Y_val: d.Y_val });
  }

  handleRemove(ev) {
    ev.preventDefault();
    const d = this.data;
    if (!d || d.X[0]?.length > 2) return;
    const [x, y] = this.getScales();
    const [mx, my] = this.d3.pointer(ev, this.svg.node());
    const oneD = d.X[0].length === 1;
    const dist = (p, t) => Math.hypot(x(p[0]) - mx, y(oneD ? t[0] : p[1]) - my);
    let best = { set: null, i: -1, d: 14 };
    d.X.forEach((p, i) => { const v = dist(p, d.Y[i]); if (v < best.d) best = { set: 'train', i, d: v }; });
    (d.X_val ?? []).forEach((p, i) => { const v = dist(p, d.Y_val[i]); if (v < best.d) best = { set: 'val', i, d: v }; });
    if (!best.set) return;
    if (best.set === 'train' && d.X.length <= 1) {
      this.bus.emit('error', { message: this.i18n.t('core.output.lastPoint') });
      return;
    }
    const drop = (arr, i) => arr.filter((_, k) => k !== i);
    const train = best.set === 'train';
    this.onData({ X: train ? drop(d.X, best.i) : d.X, Y: train ? drop(d.Y, best.i) : d.Y,
      X_val: train ? d.X_val : drop(d.X_val, best.i), Y_val: train ? d.Y_val : drop(d.Y_val, best.i) });
  }

  async readCsv() {
    const file = this.csvInput.files?.[0];
    if (!file) return;
    const text = await file.text();
    this.csvInput.value = '';
    this.onCsv(text, file.name);
  }
}

/**
 * Parse a CSV of training data: columns x1..xn then either `label` (a class index) or
 * targets y1..ym. Returns {X, Y} or throws an Error whose message is an i18n key + params.
 * @param {string} text file contents
 * @param {{inputs: number, outputs: number, kind: string, classes: number|null,
 *   targetOf: (cls: number) => number[]}} shape what the network expects
 * @returns {{X: number[][], Y: number[][]}}
 */
export function parseCsv(text, shape) {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  if (lines.length < 2) throw csvError('core.csv.empty');
  const header = lines[0].split(',').map((h) => h.trim().toLowerCase());
  const xCols = header.map((h, i) => (/^x\d*$/.test(h) ? i : -1)).filter((i) => i >= 0);
  const labelCol = header.indexOf('label');
  const yCols = header.map((h, i) => (/^(y\d*|target\d*)$/.test(h) ? i : -1)).filter((i) => i >= 0);
  if (xCols.length !== shape.inputs) throw csvError('core.csv.inputs', { n: shape.inputs, got: xCols.length });
  if (labelCol < 0 && yCols.length !== shape.outputs) throw csvError('core.csv.targets', { n: shape.outputs });
  const X = [];
  const Y = [];
  lines.slice(1).forEach((line, r) => {
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length !== header.length) throw csvError('core.csv.columns', { line: r + 2, n: header.length, got: cells.length });
    const num = (i) => {
      const v = Number(cells[i]);
      if (cells[i] === '' || !Number.isFinite(v)) throw csvError('core.csv.number', { line: r + 2, value: cells[i] });
      return v;
    };
    X.push(xCols.map(num));
    if (labelCol >= 0) {
      const cls = num(labelCol);
      const K = Math.max(2, shape.classes ?? 2);
      if (!Number.isInteger(cls) || cls < 0 || cls >= K) throw csvError('core.csv.label', { line: r + 2, max: K - 1 });
      Y.push(shape.targetOf(cls));
    } else Y.push(yCols.map(num));
  });
  return { X, Y };
}

function csvError(key, params = {}) {
  const err = new Error(key);
  err.i18nKey = key;
  err.params = params;
  return err;
}

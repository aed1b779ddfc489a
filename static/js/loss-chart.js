/**
 * Loss chart: training and validation loss over steps, plus accuracy (right axis) for
 * classification. Points come from network documents, single steps and play frames' history.
 */
import { getD3 } from './vendor.js';
import { CONFIG } from './config.js';
import { formatNumber } from './draw-utils.js';
import { setText } from './dom-utils.js';

const SERIES = [
  { key: 'loss', color: CONFIG.colors.chartTrain, label: 'core.chart.train', axis: 'loss' },
  { key: 'validation_loss', color: CONFIG.colors.chartValidation, label: 'core.chart.validation', axis: 'loss', dash: '4 3' },
  { key: 'accuracy', color: CONFIG.colors.chartAccuracy, label: 'core.chart.accuracy', axis: 'acc' },
];

/** Line chart of the loss history. */
export class LossChart {
  /**
   * @param {HTMLElement} root
   * @param {{bus: any, i18n: any}} opts
   */
  constructor(root, opts) {
    this.root = root;
    this.bus = opts.bus;
    this.i18n = opts.i18n;
    this.d3 = getD3();
    this.timer = null;
    this.lastDraw = -Infinity;
    /** @type {{step: number, loss: number|null, validation_loss: number|null, accuracy: number|null}[]} */
    this.points = [];
    this.networkId = null;
    this.logScale = false;
    this.build();
    this.bus.on('network', (doc) => this.handleNetwork(doc));
    this.bus.on('step', (res) => this.addPoints([res]));
    this.bus.on('frame', (frame) => this.addHistory(frame.history, { throttle: true }));
    this.bus.on('language', () => { this.drawLegend(); this.draw(); });
  }

  build() {
    const { width, height } = CONFIG.chart;
    this.root.classList.add('loss-chart');
    this.svg = this.d3.select(this.root).append('svg').attr('viewBox', `0 0 ${width} ${height}`)
      .attr('width', '100%').attr('role', 'img');
    this.margin = { top: 8, right: 34, bottom: 20, left: 40 };
    this.gx = this.svg.append('g').attr('class', 'axis x');
    this.gy = this.svg.append('g').attr('class', 'axis y');
    this.ga = this.svg.append('g').attr('class', 'axis acc');
    this.lines = SERIES.map((s) => this.svg.append('path').attr('class', `line ${s.key}`)
      .attr('fill', 'none').attr('stroke', s.color).attr('stroke-width', 1.6)
      .attr('stroke-dasharray', s.dash ?? null));
    this.legendEl = this.d3.select(this.root).append('div').attr('class', 'chart-legend').node();
    this.readout = this.d3.select(this.root).append('div').attr('class', 'chart-readout').node();
    this.drawLegend();
  }

  handleNetwork(doc) {
    const last = this.points[this.points.length - 1];
    if (this.kind !== doc.data_info?.kind) {
      this.kind = doc.data_info?.kind;
      this.drawLegend();
    }
    if (doc.id !== this.networkId || !last || doc.step < last.step) {
      this.networkId = doc.id;
      this.points = [];
    }
    this.addPoints([doc]);
  }

  /**
   * @param {{step: number, loss: number, validation_loss?: number, accuracy?: number}[]} pts
   * @param {{throttle?: boolean}} [opts] throttle: redraw at most every CONFIG.chart.playMs
   */
  addPoints(pts, opts = {}) {
    for (const p of pts) {
      const last = this.points[this.points.length - 1];
      if (last && p.step <= last.step) {
        if (p.step === last.step) Object.assign(last, this.pick(p));
        continue;
      }
      this.points.push(this.pick(p));
    }
    this.thin();
    if (opts.throttle) this.scheduleDraw();
    else this.draw();
  }

  /**
   * Redraw at most once per CONFIG.chart.playMs (play frames arrive at up to 60 Hz): now if
   * the last drawing is old enough (play frames are handled inside an animation frame, so
   * this joins that frame), else in the first animation frame after the interval.
   */
  scheduleDraw() {
    const wait = this.lastDraw + CONFIG.chart.playMs - performance.now();
    if (!(wait > 0)) {
      this.draw();
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => requestAnimationFrame(() => {
      this.timer = null;
      this.draw();
    }), wait);
  }

  pick(p) {
    return { step: p.step, loss: p.loss ?? null, validation_loss: p.validation_loss ?? null,
      accuracy: p.accuracy ?? null };
  }

  /** @param {{step: number[], loss: number[]}} history parallel lists from a play frame */
  addHistory(history, opts = {}) {
    if (!history?.step) return;
    this.addPoints(history.step.map((step, i) => ({ step, loss: history.loss[i],
      validation_loss: history.validation_loss?.[i], accuracy: history.accuracy?.[i] })), opts);
  }

  /** Keep at most maxPoints points by dropping every other old one (the newest stay). */
  thin() {
    const max = CONFIG.chart.maxPoints;
    if (this.points.length <= max) return;
    const keep = this.points.slice(-200);
    const old = this.points.slice(0, -200).filter((_, i) => i % 2 === 0);
    this.points = [...old, ...keep];
  }

  draw() {
    this.lastDraw = performance.now();
    const d3 = this.d3;
    const { width, height } = CONFIG.chart;
    const m = this.margin;
    const all = this.points;
    // At most ~2 points per pixel: a longer path only costs time (play adds 300 points/s).
    const stride = Math.max(1, Math.ceil(all.length / (2 * (width - m.left - m.right))));
    const pts = stride === 1 ? all
      : all.filter((_, i) => i % stride === 0 || i === all.length - 1);
    const steps = [all[0]?.step ?? 0, all[all.length - 1]?.step ?? 1];
    const x = d3.scaleLinear().domain([Math.min(0, ...steps), Math.max(1, ...steps)])
      .range([m.left, width - m.right]);
    let ymax = 1e-6;
    for (const p of all) {
      if (Number.isFinite(p.loss) && p.loss > ymax) ymax = p.loss;
      if (Number.isFinite(p.validation_loss) && p.validation_loss > ymax) ymax = p.validation_loss;
    }
    ymax *= 1.05;
    const y = d3.scaleLinear().domain([0, ymax]).range([height - m.bottom, m.top]).nice();
    const acc = d3.scaleLinear().domain([0, 1]).range([height - m.bottom, m.top]);
    this.gx.attr('transform', `translate(0,${height - m.bottom})`)
      .call(d3.axisBottom(x).ticks(5, 's').tickSizeOuter(0));
    this.gy.attr('transform', `translate(${m.left},0)`)
      .call(d3.axisLeft(y).ticks(4).tickFormat(formatNumber).tickSizeOuter(0));
    const showAcc = this.kind === 'classification';
    this.ga.attr('transform', `translate(${width - m.right},0)`).attr('display', showAcc ? null : 'none')
      .call(d3.axisRight(acc).ticks(4, '.0%').tickSizeOuter(0));
    SERIES.forEach((s, i) => {
      const scale = s.axis === 'acc' ? acc : y;
      const line = d3.line().defined((p) => p[s.key] != null && Number.isFinite(p[s.key]))
        .x((p) => x(p.step)).y((p) => scale(p[s.key]));
      this.lines[i].attr('d', s.axis === 'acc' && !showAcc ? null : line(pts));
    });
    this.drawReadout();
  }

  drawLegend() {
    const t = (k) => this.i18n.t(k);
    const shown = SERIES.filter((s) => s.axis !== 'acc' || this.kind === 'classification');
    this.legendEl.innerHTML = shown.map((s) => `<span class="lg-item${s.axis === 'acc' ? ' acc' : ''}">
      <i style="background:${s.color}"></i>${t(s.label)}</span>`).join('');
  }

  drawReadout() {
    const p = this.points[this.points.length - 1];
    if (!p) { this.readout.textContent = ''; return; }
    const t = (k) => this.i18n.t(k);
    const acc = this.kind === 'classification' && p.accuracy != null
      ? ` · ${t('core.chart.accuracy')} ${(p.accuracy * 100).toFixed(1)}%` : '';
    setText(this.readout, `${t('core.chart.train')} ${formatNumber(p.loss)} · ${t('core.chart.validation')} ${formatNumber(p.validation_loss)}${acc}`);
    this.readout.dataset.loss = String(p.loss);
    this.readout.dataset.step = String(p.step);
  }
}

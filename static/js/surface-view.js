/**
 * SurfaceView: draws a loss surface returned by the API (POST .../loss-surface or .../race)
 * as a contour map (top view, with a colour bar) and, optionally, as a 3-D surface the user
 * can rotate, with one or more descent paths on both. The view takes data in and never
 * fetches it (STYLE 12); updates go through Plotly.react so redraws are incremental and the
 * camera or zoom the user chose survives them (uirevision).
 *
 * Coordinates: loss[i][j] is the loss at θ + alpha[j]·d1 + beta[i]·d2 (the API's layout),
 * so alpha is the x axis and beta the y axis. A path point carries the recorded (true) loss
 * and its distance off the plane; the 3-D path is drawn at the recorded loss, not at the
 * surface value, so a point off the plane visibly floats off the surface.
 */
import { loadPlotly } from './vendor.js';

/** Okabe–Ito colours: distinguishable with every common colour-vision deficiency. */
export const PATH_COLOURS = ['#D55E00', '#0072B2', '#009E73', '#CC79A7', '#E69F00', '#56B4E9'];

const SUB = '₀₁₂₃₄₅₆₇₈₉';
const SUP = '⁰¹²³⁴⁵⁶⁷⁸⁹';
const digits = (n, set) => String(n).split('').map((c) => set[Number(c)]).join('');

/**
 * Name a parameter the way the tutorials do: w²₁₂ is the weight of layer 2 into neuron 1
 * from neuron 2 of layer 1 (neurons counted from 1), b²₁ the bias of neuron 1 of layer 2.
 * @param {{layer: number, name: 'W'|'b', index: number[]}} param API parameter reference
 * @returns {string}
 */
export function paramLabel(param) {
  const sup = digits(param.layer, SUP);
  const ids = param.index.map((i) => i + 1);
  const sep = ids.some((i) => i > 9) ? '‚' : '';
  const sub = ids.map((i) => digits(i, SUB)).join(sep);
  return `${param.name === 'W' ? 'w' : 'b'}${sup}${sub}`;
}

/**
 * Turn a bus 'selection' payload into an API parameter reference, or null.
 * @param {object|null} sel {kind:'weight', layer, from, to} | {kind:'bias', layer, neuron}
 * @returns {{layer: number, name: 'W'|'b', index: number[]}|null}
 */
export function selectionToParam(sel) {
  if (sel?.kind === 'weight') return { layer: sel.layer, name: 'W', index: [sel.to, sel.from] };
  if (sel?.kind === 'bias') return { layer: sel.layer, name: 'b', index: [sel.neuron] };
  return null;
}

/**
 * The two parameters used before the user picks any: the output layer's first two weights
 * (or its first weight and bias when it has a single input).
 * @param {{layers: {index: number, W: number[][]}[]}} network GET /api/networks/{id}
 * @returns {object[]} two parameter references
 */
export function defaultParams(network) {
  const last = network.layers[network.layers.length - 1];
  const first = { layer: last.index, name: 'W', index: [0, 0] };
  const second = last.W[0].length > 1 ? { layer: last.index, name: 'W', index: [0, 1] }
    : { layer: last.index, name: 'b', index: [0] };
  return [first, second];
}

/**
 * Link static/css/surface.css once if the page does not already (the landscape panels'
 * styles); safe to call from every panel.
 */
export function ensureStyles() {
  if (document.querySelector('link[href="/static/css/surface.css"]')) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = '/static/css/surface.css';
  document.head.appendChild(link);
}

/**
 * Plain words for an API error, translated where the code is known.
 * @param {{code?: string, message: string}} err an ApiError
 * @param {(key: string) => string} t translator
 */
export function errorText(err, t) {
  return err.code === 'connection_lost' ? t('surface.connection_lost') : err.message;
}

/** Whether this browser can draw WebGL (the 3-D surface needs it). */
function hasWebGL() {
  try {
    const canvas = document.createElement('canvas');
    return Boolean(canvas.getContext('webgl') || canvas.getContext('experimental-webgl'));
  } catch (err) {
    return false;
  }
}

/** A five-pointed star of radius 8 px around (0, 0), like Plotly's 'star' marker of size 16. */
const STAR = Array.from({ length: 10 }, (_, i) => {
  const r = i % 2 ? 3.4 : 8;
  const a = (Math.PI / 5) * i - Math.PI / 2;
  return `${i ? 'L' : 'M'}${(r * Math.cos(a)).toFixed(2)},${(r * Math.sin(a)).toFixed(2)}`;
}).join('') + 'Z';

const FONT = { family: 'inherit', size: 12, color: '#334155' };
const CONFIG = { displaylogo: false, responsive: false, modeBarButtonsToRemove: ['toImage', 'lasso2d', 'select2d'] };

/** The 3-D mesh is decimated to at most this many points a side (the contour keeps all). */
const MESH_MAX = 51;
/** SVG namespace, for the path overlay. */
const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * Every k-th element of a grid axis so that at most `max` remain, always keeping both ends
 * and (for the API's odd, centred grids) the centre α = β = 0.
 * @param {number} n length of the axis
 * @param {number} max most points to keep
 * @returns {number[]} kept indices
 */
function meshIndices(n, max) {
  const k = Math.ceil((n - 1) / (max - 1));
  if (k <= 1) return [...Array(n).keys()];
  const kept = [];
  for (let i = 0; i < n - 1; i += k) kept.push(i);
  kept.push(n - 1);
  return kept;
}

/** Run a callback when the browser is idle (or after `timeout` ms at the latest). */
function whenIdle(run, timeout) {
  if (window.requestIdleCallback) window.requestIdleCallback(run, { timeout });
  else setTimeout(run, 0);
}

/** Draws a loss surface and its paths; see the module comment. */
export class SurfaceView {
  /**
   * @param {HTMLElement} container element the view fills
   * @param {{t: (key: string, p?: object) => string, show3d?: boolean, height?: number,
   *   colorscale?: string|Array}} options
   *   t: translator; show3d: also draw the 3-D surface (default true); height: plot height px;
   *   colorscale: Plotly colour scale of the loss (default Viridis, low loss dark)
   */
  constructor(container, options) {
    this.container = container;
    this.t = options.t;
    this.height = options.height ?? 360;
    this.colorscale = options.colorscale ?? 'Viridis';
    this.show3d = (options.show3d ?? true) && hasWebGL();
    ensureStyles();
    container.classList.add('sv');
    const cell = document.createElement('div');
    cell.className = 'sv-cell';
    container.appendChild(cell);
    this.contourEl = document.createElement('div');
    this.contourEl.className = 'sv-plot sv-contour';
    cell.appendChild(this.contourEl);
    /** path overlay drawn over the contour's plot area while the path moves fast */
    this.overlay = document.createElementNS(SVG_NS, 'svg');
    this.overlay.setAttribute('class', 'sv-overlay');
    this.overlay.setAttribute('aria-hidden', 'true');
    cell.appendChild(this.overlay);
    this.surfaceEl = document.createElement('div');
    this.surfaceEl.className = 'sv-plot sv-3d';
    if (this.show3d) container.appendChild(this.surfaceEl);
    // A fixed CSS height: Plotly's resize adopts the element's height, and a height that
    // followed the plot (plus borders) would grow a little on every resize.
    for (const el of [this.contourEl, this.surfaceEl]) el.style.height = `${this.height}px`;
    /** last data drawn, redrawn on language change or resize */
    this.data = null;
    /** performance.now() of the last 3-D redraw, ms */
    this.drawn3dAt = 0;
    /** how long the last 3-D redraw took until painted, ms (large without a GPU) */
    this.paint3dMs = 0;
    /** width (px) the plots were last fitted to */
    this.fittedWidth = 0;
    /** generation of full updates: a deferred 3-D draw of an older one is dropped */
    this.generation = 0;
    /** the 3-D draw waiting for an idle moment, and its promise */
    this.pending3d = Promise.resolve();
    /** paths waiting for the next animation frame (updatePath), and that frame's promise */
    this.pendingPaths = null;
    this.pathFrame = null;
    /** whether the contour's relayout (zoom, pan) events are followed */
    this.listening = false;
    this.observer = new ResizeObserver((entries) => {
      const width = Math.round(entries[entries.length - 1].contentRect.width);
      if (width > 0 && width !== this.fittedWidth) this.resize();
    });
    this.observer.observe(container);
  }

  /** Fit the plots to their boxes' width (after a tab became visible or the window changed). */
  async resize() {
    const width = this.container.clientWidth;
    if (!this.data || width === 0) return;
    this.fittedWidth = width;
    const Plotly = await loadPlotly();
    for (const el of [this.contourEl, this.surfaceEl]) {
      if (el._fullLayout && el.offsetWidth > 0) Plotly.Plots.resize(el);
    }
    this.drawOverlay();
  }

  /**
   * Draw (or redraw) the surface and paths. The contour map is drawn first (the promise
   * resolves then); the 3-D view, slow without a GPU, follows at the next idle moment,
   * unless a newer update came first (see whenDrawn()).
   * @param {object} data
   * @param {number[]} data.alpha x grid (res,), data units of d1
   * @param {number[]} data.beta y grid (res,)
   * @param {number[][]} data.loss loss[i][j] at (alpha[j], beta[i])
   * @param {{name: string, color: string, points: object[], current?: boolean}[]} data.paths
   *   points as the API's path entries {step, alpha, beta, loss, off_plane}
   * @param {string} data.xTitle axis title for α
   * @param {string} data.yTitle axis title for β
   * @param {string} data.revision changes when the plane changes (resets camera and zoom)
   * @param {{skip3d?: boolean}} [opts] skip3d: redraw only the contour map (the 3-D view
   *   then catches up on a later update)
   * @returns {Promise<number>} drawing time of the contour map, ms
   */
  async update(data, opts = {}) {
    const Plotly = await loadPlotly();
    const generation = ++this.generation;
    this.data = data;
    this.pendingPaths = null;
    const t0 = performance.now();
    await Plotly.react(this.contourEl, this.contourTraces(data), this.contourLayout(data), CONFIG);
    const ms = performance.now() - t0;
    if (!this.listening && this.contourEl.on) {
      // Zoom and pan move the axes: the overlay follows them.
      this.listening = true;
      this.contourEl.on('plotly_relayout', () => this.drawOverlay());
    }
    this.endOverlay();
    this.fittedWidth = this.container.clientWidth;
    this.expose(data, ms);
    if (this.show3d && !opts.skip3d) this.pending3d = this.defer3d(data, generation);
    return ms;
  }

  /**
   * Draw the 3-D view of `data` at the next idle moment, unless a newer update came first.
   * @returns {Promise<void>}
   */
  defer3d(data, generation) {
    return new Promise((resolve) => {
      whenIdle(async () => {
        try {
          if (generation !== this.generation) return;
          const Plotly = await loadPlotly();
          this.drawn3dAt = performance.now();
          await Plotly.react(this.surfaceEl, this.surfaceTraces(data), this.surfaceLayout(data), CONFIG);
          const ds = this.container.dataset;
          ds.draw3dMs = (performance.now() - this.drawn3dAt).toFixed(1);
          ds.resolution3d = String(data.alpha.length);
          // Software WebGL does much of its work when the frame is painted: time that too.
          await new Promise((done) => { requestAnimationFrame(() => setTimeout(done, 0)); });
          this.paint3dMs = performance.now() - this.drawn3dAt;
          ds.paint3dMs = this.paint3dMs.toFixed(1);
        } finally {
          resolve();
        }
      }, 100);
    });
  }

  /**
   * Resolves once the 3-D view asked for by the last update is drawn (or dropped).
   * @returns {Promise<void>}
   */
  whenDrawn() {
    return this.pending3d;
  }

  /**
   * Move the paths on the surface already drawn, cheaply: while training plays, the path is
   * drawn on a light SVG overlay over the contour map (at most once per animation frame;
   * the newest paths win) instead of redrawing the plots; the 3-D view is left alone. The
   * next update() redraws everything with Plotly again and removes the overlay.
   * @param {{name: string, color: string, points: object[], current?: boolean}[]} paths
   *   as data.paths of update()
   * @returns {Promise<void>} resolves when drawn
   */
  updatePath(paths) {
    if (!this.data) return Promise.resolve();
    this.pendingPaths = paths;
    if (!this.pathFrame) {
      this.pathFrame = new Promise((resolve) => {
        requestAnimationFrame(() => {
          this.pathFrame = null;
          const latest = this.pendingPaths;
          this.pendingPaths = null;
          if (latest && this.data) {
            const t0 = performance.now();
            this.data = { ...this.data, paths: latest };
            this.container.classList.add('sv-overlaying');
            this.drawOverlay();
            this.expose(this.data, performance.now() - t0);
          }
          resolve();
        });
      });
    }
    return this.pathFrame;
  }

  /** Leave overlay mode: the Plotly traces show the paths again. */
  endOverlay() {
    if (!this.container.classList.contains('sv-overlaying')) return;
    this.container.classList.remove('sv-overlaying');
    this.overlay.replaceChildren();
  }

  /** Draw data.paths on the overlay, in the contour's current axis ranges. */
  drawOverlay() {
    const layout = this.contourEl._fullLayout;
    if (!this.container.classList.contains('sv-overlaying') || !layout?.xaxis) return;
    const { l, t, w, h } = layout._size;
    const [x0, x1] = layout.xaxis.range;
    const [y0, y1] = layout.yaxis.range;
    const px = (x) => ((x - x0) / (x1 - x0)) * w;
    const py = (y) => h - ((y - y0) / (y1 - y0)) * h;
    const box = this.overlay;
    box.style.left = `${this.contourEl.offsetLeft + this.contourEl.clientLeft + l}px`;
    box.style.top = `${this.contourEl.offsetTop + this.contourEl.clientTop + t}px`;
    box.setAttribute('width', String(w));
    box.setAttribute('height', String(h));
    const parts = [];
    for (const path of this.data.paths) {
      const pts = path.points.map((p) => `${px(p.alpha).toFixed(1)},${py(p.beta).toFixed(1)}`);
      const r = pts.length > 40 ? 1.5 : 3;
      parts.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${path.color}" stroke-width="2.5"`
        + ' stroke-linejoin="round"/>');
      parts.push(`<g fill="${path.color}">${pts.map((p) => {
        const [x, y] = p.split(',');
        return `<circle cx="${x}" cy="${y}" r="${r}"/>`;
      }).join('')}</g>`);
      if (path.current && pts.length) {
        const [x, y] = pts[pts.length - 1].split(',');
        parts.push(`<path transform="translate(${x},${y})" d="${STAR}" fill="#fff" stroke="#111"`
          + ' stroke-width="1.5"/>');
      }
    }
    box.innerHTML = parts.join('');
  }

  /** Put what is drawn on data attributes, for tests and curious users of dev tools. */
  expose(data, ms) {
    const current = data.paths.find((p) => p.current);
    const last = current?.points[current.points.length - 1];
    const ds = this.container.dataset;
    ds.resolution = String(data.alpha.length);
    ds.pathCount = String(data.paths.length);
    ds.pathLength = String(current ? current.points.length : 0);
    ds.drawMs = ms.toFixed(1);
    if (last) {
      ds.currentLoss = String(last.loss);
      ds.currentStep = String(last.step);
    }
  }

  hoverSurface() {
    const t = this.t;
    return `${t('surface.alpha')} = %{x:.4f}<br>${t('surface.beta')} = %{y:.4f}<br>`
      + `${t('surface.loss')} = %{z:.6g}<extra></extra>`;
  }

  hoverPath(name) {
    const t = this.t;
    return `<b>${name}</b><br>${t('surface.hover.step')} %{customdata[0]}<br>`
      + `${t('surface.alpha')} = %{customdata[3]:.4f}, ${t('surface.beta')} = %{customdata[4]:.4f}<br>`
      + `${t('surface.hover.recorded')} = %{customdata[1]:.6g}<br>`
      + `${t('surface.hover.off')} = %{customdata[2]:.3g}<extra></extra>`;
  }

  static pathColumns(points) {
    return {
      x: points.map((p) => p.alpha),
      y: points.map((p) => p.beta),
      z: points.map((p) => p.loss),
      customdata: points.map((p) => [p.step, p.loss, p.off_plane, p.alpha, p.beta]),
    };
  }

  contourTraces(data) {
    const traces = [{
      type: 'contour', x: data.alpha, y: data.beta, z: data.loss, colorscale: this.colorscale,
      ncontours: 24, line: { width: 0.5, color: 'rgba(255,255,255,0.35)' },
      colorbar: { title: { text: this.t('surface.loss'), side: 'right' }, thickness: 12, len: 0.9 },
      hovertemplate: this.hoverSurface(), name: this.t('surface.loss'),
    }];
    for (const path of data.paths) {
      const cols = SurfaceView.pathColumns(path.points);
      traces.push({
        type: 'scatter', mode: 'lines+markers', x: cols.x, y: cols.y, customdata: cols.customdata,
        name: path.name, meta: { role: 'path' }, hovertemplate: this.hoverPath(path.name),
        line: { color: path.color, width: 2.5 },
        marker: cols.x.length > 40 ? { color: path.color, size: 3 }
          : { color: path.color, size: 6, line: { color: '#fff', width: 1 } },
      });
      if (path.current) traces.push(this.currentMarker2d(path, cols));
    }
    return traces;
  }

  currentMarker2d(path, cols) {
    const n = cols.x.length - 1;
    return {
      type: 'scatter', mode: 'markers', x: [cols.x[n]], y: [cols.y[n]], z: [cols.z[n]],
      customdata: [cols.customdata[n]], name: this.t('surface.current'), meta: { role: 'current' },
      hovertemplate: this.hoverPath(this.t('surface.current')),
      marker: { symbol: 'star', size: 16, color: '#fff', line: { color: '#111', width: 1.5 } },
    };
  }

  contourLayout(data) {
    return {
      height: this.height, margin: { l: 60, r: 10, t: 34, b: data.paths.length > 1 ? 92 : 48 }, font: FONT,
      title: { text: this.t('surface.contour'), font: { size: 13 }, x: 0.02, xanchor: 'left' },
      xaxis: { title: { text: data.xTitle }, zeroline: false },
      yaxis: { title: { text: data.yTitle }, zeroline: false },
      showlegend: data.paths.length > 1,
      legend: { orientation: 'h', yanchor: 'top', y: -0.2, x: 0 },
      uirevision: data.revision, paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)',
      hoverlabel: { namelength: -1 },
    };
  }

  /**
   * The 3-D mesh: the grid decimated to at most MESH_MAX points a side (software WebGL
   * draws a 101×101 mesh slowly and the eye cannot tell at this size).
   * @returns {{x: number[], y: number[], z: number[][]}}
   */
  static mesh(data) {
    const cols = meshIndices(data.alpha.length, MESH_MAX);
    const rows = meshIndices(data.beta.length, MESH_MAX);
    if (cols.length === data.alpha.length && rows.length === data.beta.length) {
      return { x: data.alpha, y: data.beta, z: data.loss };
    }
    return {
      x: cols.map((j) => data.alpha[j]),
      y: rows.map((i) => data.beta[i]),
      z: rows.map((i) => cols.map((j) => data.loss[i][j])),
    };
  }

  surfaceTraces(data) {
    const mesh = SurfaceView.mesh(data);
    const traces = [{
      type: 'surface', x: mesh.x, y: mesh.y, z: mesh.z, colorscale: this.colorscale,
      showscale: false, hovertemplate: this.hoverSurface(), name: this.t('surface.loss'),
      contours: { z: { show: true, usecolormap: true, project: { z: true }, width: 1 } },
      opacity: 0.92,
    }];
    for (const path of data.paths) {
      const cols = SurfaceView.pathColumns(path.points);
      traces.push({
        type: 'scatter3d', mode: 'lines+markers', x: cols.x, y: cols.y, z: cols.z,
        customdata: cols.customdata, name: path.name, meta: { role: 'path' },
        hovertemplate: this.hoverPath(path.name),
        line: { color: path.color, width: 6 }, marker: { color: path.color, size: 2.5 },
      });
      if (path.current) {
        const n = cols.x.length - 1;
        traces.push({
          type: 'scatter3d', mode: 'markers', x: [cols.x[n]], y: [cols.y[n]], z: [cols.z[n]],
          customdata: [cols.customdata[n]], name: this.t('surface.current'),
          meta: { role: 'current' }, hovertemplate: this.hoverPath(this.t('surface.current')),
          marker: { size: 6, color: '#fff', line: { color: '#111', width: 2 }, symbol: 'diamond' },
        });
      }
    }
    return traces;
  }

  surfaceLayout(data) {
    const axis = (text) => ({ title: { text }, backgroundcolor: 'rgba(0,0,0,0)' });
    return {
      height: this.height, margin: { l: 0, r: 0, t: 34, b: 0 }, font: FONT, showlegend: false,
      title: { text: this.t('surface.3d'), font: { size: 13 }, x: 0.02, xanchor: 'left' },
      scene: {
        xaxis: axis(this.t('surface.alpha')), yaxis: axis(this.t('surface.beta')),
        zaxis: axis(this.t('surface.loss')), aspectmode: 'manual',
        aspectratio: { x: 1, y: 1, z: 0.75 }, camera: { eye: { x: 1.25, y: -1.35, z: 0.85 } },
      },
      uirevision: data.revision, paper_bgcolor: 'rgba(0,0,0,0)',
      annotations: this.meshCaption(data),
    };
  }

  /** A small caption saying the 3-D mesh is coarser than the contour map, when it is. */
  meshCaption(data) {
    const n = meshIndices(data.alpha.length, MESH_MAX).length;
    if (n === data.alpha.length) return [];
    return [{
      text: `${this.t('surface.resolution')} ${n}×${n}`, showarrow: false,
      xref: 'paper', yref: 'paper', x: 0.99, y: 0.99, xanchor: 'right', yanchor: 'top',
      font: { size: 11, color: '#616e7c' },
    }];
  }

  /** Remove the plots (e.g. when the network changes shape). */
  async reset() {
    const Plotly = await loadPlotly();
    this.data = null;
    this.generation += 1;
    this.pendingPaths = null;
    this.endOverlay();
    Plotly.purge(this.contourEl);
    if (this.show3d) Plotly.purge(this.surfaceEl);
  }
}

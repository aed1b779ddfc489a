/**
 * Pure geometry and colour helpers of the core views (no DOM access): neuron positions,
 * edge paths, edge widths, diverging colour scales and heatmap pixel painting.
 */
import { CONFIG } from './config.js';

/**
 * Parse '#rrggbb' into [r, g, b].
 * @param {string} hex
 * @returns {number[]}
 */
export function hexToRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

const NEG = hexToRgb(CONFIG.colors.negative);
const POS = hexToRgb(CONFIG.colors.positive);
const MID = hexToRgb(CONFIG.colors.neutral);

/**
 * Return the diverging colour (orange < 0 < blue) of t in [-1, 1] as [r, g, b].
 * @param {number} t value already divided by its scale; clamped to [-1, 1]
 */
export function divergingRgb(t) {
  const u = Math.max(-1, Math.min(1, Number.isFinite(t) ? t : 0));
  const end = u < 0 ? NEG : POS;
  const f = Math.abs(u);
  return [0, 1, 2].map((i) => Math.round(MID[i] + (end[i] - MID[i]) * f));
}

/**
 * Return the diverging colour of t in [-1, 1] as a CSS colour.
 * @param {number} t
 */
export function divergingColor(t) {
  const [r, g, b] = divergingRgb(t);
  return `rgb(${r},${g},${b})`;
}

/**
 * Return the value an activation is centred on (0.5 for sigmoid and softmax, else 0), so
 * its colour is neutral at the middle of its range.
 * @param {string} activation
 */
export function getCentre(activation) {
  return activation === 'sigmoid' || activation === 'softmax' ? 0.5 : 0;
}

/**
 * Return the (x, y) centre of every neuron, layer by layer, in px.
 * @param {{sizes: number[], width: number, height: number, radius: number}} opts
 *   sizes: neurons per layer (input first); width/height: drawing area in px
 * @returns {{x: number, y: number}[][]}
 */
export function getNeuronPositions(opts) {
  const { sizes, width, height, radius } = opts;
  const { marginX, marginTop, marginBottom } = CONFIG.network;
  const L = sizes.length - 1;
  const usableH = height - marginTop - marginBottom;
  const maxN = Math.max(...sizes);
  const gap = Math.min(usableH / Math.max(1, maxN), radius * 3.2);
  return sizes.map((n, l) => {
    const x = L === 0 ? width / 2 : marginX + radius + ((width - 2 * (marginX + radius)) * l) / L;
    const top = marginTop + (usableH - gap * n) / 2 + gap / 2;
    return Array.from({ length: n }, (_, j) => ({ x, y: top + j * gap }));
  });
}

/**
 * Return the neuron radius that fits the tallest layer into the height.
 * @param {number[]} sizes neurons per layer
 * @param {number} height drawing height in px
 */
export function getNeuronRadius(sizes, height) {
  const { neuronRadius, minNeuronRadius, marginTop, marginBottom } = CONFIG.network;
  const fit = (height - marginTop - marginBottom) / Math.max(...sizes) / 2.5;
  return Math.max(minNeuronRadius, Math.min(neuronRadius, fit));
}

/**
 * Return the SVG path of an edge from (x1, y1) to (x2, y2): a gentle S-curve.
 * @param {{x: number, y: number}} a start in px
 * @param {{x: number, y: number}} b end in px
 */
export function getEdgePath(a, b) {
  const mx = (a.x + b.x) / 2;
  return `M${a.x},${a.y}C${mx},${a.y} ${mx},${b.y} ${b.x},${b.y}`;
}

/**
 * Return max |w| over every weight of every layer (0 if there are none or all are zero).
 * @param {{W: number[][]}[]} layers
 */
export function getMaxAbsWeight(layers) {
  let max = 0;
  for (const layer of layers) {
    for (const row of layer.W) for (const w of row) if (Math.abs(w) > max) max = Math.abs(w);
  }
  return max;
}

/**
 * Return an edge's stroke width in px, exactly proportional to |w|.
 * @param {number} w the weight
 * @param {number} maxAbs the largest |w| in the network
 */
export function getEdgeWidth(w, maxAbs) {
  return maxAbs > 0 ? (CONFIG.network.maxEdgeWidth * Math.abs(w)) / maxAbs : 0;
}

/** Number of shades in the precomputed diverging palette (over t in [-1, 1]). */
const NUM_SHADES = 511;
const PALETTE = (() => {
  const p = new Uint8ClampedArray(NUM_SHADES * 3);
  for (let i = 0; i < NUM_SHADES; i += 1) p.set(divergingRgb((2 * i) / (NUM_SHADES - 1) - 1), i * 3);
  return p;
})();

/**
 * Fill and return the colour lookup table (256 RGBA entries) of a uint8-quantised heatmap.
 * Byte q stands for lo + q·(hi − lo)/255, coloured by (value − centre)/scale.
 * @param {{lo: number, hi: number, centre: number, scale: number, out?: Uint8ClampedArray}} opts
 *   out: a 1024-byte table to fill (a new one when absent)
 * @returns {Uint8ClampedArray} 1024 bytes
 */
export function getHeatmapLut(opts) {
  const { lo, hi, centre, scale } = opts;
  // Byte q maps linearly into [lo, hi] (see app/api/present.py quantize).
  const lut = opts.out ?? new Uint8ClampedArray(256 * 4);
  const s = scale > 0 ? scale : 1;
  const half = (NUM_SHADES - 1) / 2;
  for (let q = 0; q < 256; q += 1) {
    const t = (lo + (q * (hi - lo)) / 255 - centre) / s;
    const i = Math.round((Math.max(-1, Math.min(1, t)) + 1) * half) * 3;
    lut[q * 4] = PALETTE[i];
    lut[q * 4 + 1] = PALETTE[i + 1];
    lut[q * 4 + 2] = PALETTE[i + 2];
    lut[q * 4 + 3] = 255;
  }
  return lut;
}

/**
 * Decode base64 into bytes.
 * @param {string} b64
 * @returns {Uint8Array}
 */
export function base64ToBytes(b64) {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i += 1) out[i] = s.charCodeAt(i);
  return out;
}

/**
 * Return the largest |value − centre| in a uint8 heatmap held as a binary string (atob).
 * @param {string} bin one character per byte
 * @param {{lo: number, hi: number}} neuron the byte range: q stands for lo + q·(hi − lo)/255
 * @param {number} centre
 */
export function getStringExtent(bin, neuron, centre) {
  let qmin = 255;
  let qmax = 0;
  for (let i = 0; i < bin.length; i += 1) {
    const q = bin.charCodeAt(i);
    if (q < qmin) qmin = q;
    if (q > qmax) qmax = q;
  }
  const k = (neuron.hi - neuron.lo) / 255;
  return Math.max(Math.abs(neuron.lo + qmin * k - centre), Math.abs(neuron.lo + qmax * k - centre));
}

/**
 * Return mean over rows of column j of a (m, n) matrix, or row `sample` if given.
 * @param {number[][]} M rows are samples
 * @param {number} j column
 * @param {number|null} sample row index or null for the mean
 */
export function getColumnValue(M, j, sample) {
  if (sample != null && M[sample]) return M[sample][j];
  let s = 0;
  for (const row of M) s += row[j];
  return M.length ? s / M.length : 0;
}

/**
 * Format a number compactly for labels (4 significant digits, exponent when tiny/huge).
 * @param {number|null} v
 */
export function formatNumber(v) {
  if (v == null || !Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

/**
 * Stroke the network's edges: edge i is an S-curve from (x1, y1) to (x2, y2) — lines[4i] to
 * lines[4i + 3], in px — of width |q[i]| / steps px, orange when q[i] < 0, else blue. Each
 * edge is its own path: one path of many overlapping curves rasterises slower in Skia.
 * @param {CanvasRenderingContext2D|OffscreenCanvasRenderingContext2D} ctx
 * @param {{lines: Float64Array, q: Int16Array, steps: number, width: number, height: number}} opts
 *   width/height: the area to clear, in px
 */
export function strokeEdges(ctx, opts) {
  const { lines, q, steps } = opts;
  ctx.clearRect(0, 0, opts.width, opts.height);
  ctx.lineCap = 'butt';
  for (let i = 0; i < q.length; i += 1) {
    if (q[i] === 0) continue;
    const x1 = lines[4 * i];
    const y1 = lines[4 * i + 1];
    const x2 = lines[4 * i + 2];
    const y2 = lines[4 * i + 3];
    const mx = (x1 + x2) / 2;
    ctx.beginPath();
    ctx.moveTo(x1, y1);
    ctx.bezierCurveTo(mx, y1, mx, y2, x2, y2);
    ctx.strokeStyle = q[i] < 0 ? CONFIG.colors.negative : CONFIG.colors.positive;
    ctx.lineWidth = Math.abs(q[i]) / steps;
    ctx.stroke();
  }
}

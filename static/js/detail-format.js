/**
 * Number and label formatting shared by the detail panels (inspector, equations).
 * Pure helpers: no DOM, no state. Rounding follows printf's %.4g (round, never truncate), so
 * a number shown agrees with the API's full-precision value to the digits shown.
 */

export const SIG_DIGITS = 4;
const SUPERSCRIPTS = '⁰¹²³⁴⁵⁶⁷⁸⁹';
const SUBSCRIPTS = '₀₁₂₃₄₅₆₇₈₉';

/**
 * Split a number into its rounded mantissa and exponent, like %.{sig}g.
 * @param {number} x finite number
 * @param {number} sig significant digits
 * @returns {{fixed: boolean, mantissa: string, exponent: number}}
 */
function splitNumber(x, sig) {
  const [m, e] = x.toExponential(sig - 1).split('e');
  const exponent = Number(e);
  if (exponent >= -4 && exponent < sig) {
    return { fixed: true, mantissa: stripZeros(x.toFixed(sig - 1 - exponent)), exponent };
  }
  return { fixed: false, mantissa: stripZeros(m), exponent };
}

function stripZeros(s) {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/**
 * Format a number for a table cell or a sentence: %.4g rounding, a real minus sign.
 * @param {number|null} x
 * @param {number} [sig] significant digits
 * @returns {string} e.g. "0.5129", "−0.0257", "1.234×10⁻⁵", "–" for null
 */
export function formatNumber(x, sig = SIG_DIGITS) {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  if (x === 0) return '0';
  const p = splitNumber(x, sig);
  const text = p.fixed ? p.mantissa : `${p.mantissa}×10${toSuperscript(p.exponent)}`;
  return text.replace(/^-/, '−');
}

/**
 * Format a number as TeX: %.4g rounding, scientific as 1.234\times10^{-5}.
 * @param {number|null} x
 * @param {{sig?: number, paren?: boolean}} [options] paren: wrap negatives in parentheses
 *   (for a factor in a product)
 * @returns {string}
 */
export function texNumber(x, options = {}) {
  const sig = options.sig ?? SIG_DIGITS;
  if (x === null || x === undefined || !Number.isFinite(x)) return '\\text{–}';
  let text = '0';
  if (x !== 0) {
    const p = splitNumber(x, sig);
    text = p.fixed ? p.mantissa : `${p.mantissa}\\times10^{${p.exponent}}`;
  }
  return options.paren && x < 0 ? `(${text})` : text;
}

/**
 * @param {number} n integer (may be negative)
 * @returns {string} n in Unicode superscript digits, e.g. 2 → "²", −5 → "⁻⁵"
 */
export function toSuperscript(n) {
  const digits = String(Math.abs(n)).split('').map((d) => SUPERSCRIPTS[Number(d)]).join('');
  return (n < 0 ? '⁻' : '') + digits;
}

/** @param {number} n non-negative integer @returns {string} n in subscript digits */
export function toSubscript(n) {
  return String(n).split('').map((d) => SUBSCRIPTS[Number(d)]).join('');
}

/**
 * A shape label like "W² (2×3)" or "b² (3)".
 * @param {string} symbol e.g. "W", "δ", "∂C/∂W"
 * @param {number} layer layer index l (1-based)
 * @param {number[]} shape array shape
 * @returns {string}
 */
export function shapeLabel(symbol, layer, shape) {
  return `${symbol}${toSuperscript(layer)} (${shape.join('×')})`;
}

/**
 * @param {number[][]} M matrix, rows of equal length
 * @returns {number[][]} its transpose
 */
export function transpose(M) {
  if (!M.length) return [];
  return M[0].map((_, k) => M.map((row) => row[k]));
}

/**
 * @param {number[]|number[][]} values
 * @returns {number} the largest |value| (ignoring null), at least a tiny positive number
 */
export function maxAbs(values) {
  let m = 0;
  for (const v of values.flat()) if (Number.isFinite(v) && Math.abs(v) > m) m = Math.abs(v);
  return m || 1e-300;
}

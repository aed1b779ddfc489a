/**
 * The canvas that shows the weights during play. When the browser can, it hands the canvas
 * to a worker (OffscreenCanvas, edge-worker.js), so rasterising a few hundred curves per
 * frame costs the page's main thread nothing; otherwise it draws in place. At most one
 * drawing is in flight: a newer one replaces a waiting one, frames are never queued.
 */
import { strokeEdges } from './draw-utils.js';

/** The play-mode edge canvas of the network view (drawn in a worker when possible). */
export class EdgeCanvas {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {{onDrawn: () => void}} opts onDrawn: called once a drawing is on the canvas
   */
  constructor(canvas, opts) {
    this.canvas = canvas;
    this.onDrawn = opts.onDrawn;
    this.lines = new Float64Array(0);
    this.size = { width: 0, height: 0 };
    this.worker = null;
    this.busy = false;
    this.waiting = null;
    try {
      if (typeof canvas.transferControlToOffscreen === 'function' && typeof Worker === 'function') {
        const offscreen = canvas.transferControlToOffscreen();
        this.worker = new Worker(new URL('./edge-worker.js', import.meta.url), { type: 'module' });
        this.worker.postMessage({ type: 'init', canvas: offscreen }, [offscreen]);
        this.worker.addEventListener('message', () => this.handleDrawn());
      }
    } catch (err) {
      this.worker = null;
    }
    this.ctx = this.worker ? null : canvas.getContext('2d');
  }

  /**
   * @param {number} width CSS px
   * @param {number} height CSS px
   */
  resize(width, height) {
    const dpr = window.devicePixelRatio || 1;
    Object.assign(this.canvas.style, { width: `${width}px`, height: `${height}px` });
    this.size = { width, height };
    if (this.worker) {
      this.worker.postMessage({ type: 'size', width, height, dpr });
      return;
    }
    Object.assign(this.canvas, { width: Math.round(width * dpr), height: Math.round(height * dpr) });
    this.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  }

  /** @param {Float64Array} lines x1, y1, x2, y2 of every edge, in px */
  setLines(lines) {
    this.lines = lines;
    if (this.worker) this.worker.postMessage({ type: 'lines', lines });
  }

  /**
   * Draw every edge (see strokeEdges in draw-utils.js).
   * @param {Int16Array} q per edge: sign × width in 1/steps px
   * @param {number} steps
   */
  draw(q, steps) {
    if (!this.worker) {
      strokeEdges(this.ctx, { lines: this.lines, q, steps, ...this.size });
      this.onDrawn();
      return;
    }
    if (this.busy) {
      this.waiting = { q, steps };
      return;
    }
    this.busy = true;
    this.worker.postMessage({ type: 'draw', q, steps });
  }

  handleDrawn() {
    this.busy = false;
    this.onDrawn();
    const next = this.waiting;
    this.waiting = null;
    if (next) this.draw(next.q, next.steps);
  }
}

/**
 * Worker of the network view's play-mode edge canvas (see edge-canvas.js): it owns the
 * OffscreenCanvas and strokes the edges there, so the page's main thread does not rasterise
 * them. Messages: {type: 'init', canvas}, {type: 'size', width, height, dpr},
 * {type: 'lines', lines}, {type: 'draw', q, steps}; it answers {type: 'drawn'} after a draw.
 */
import { strokeEdges } from './draw-utils.js';

/** State of the worker: the canvas, its size and the edge geometry. */
class EdgeWorker {
  constructor() {
    this.ctx = null;
    this.lines = new Float64Array(0);
    this.width = 0;
    this.height = 0;
  }

  /** @param {object} msg a message from edge-canvas.js */
  handle(msg) {
    if (msg.type === 'init') {
      this.canvas = msg.canvas;
      this.ctx = this.canvas.getContext('2d');
    } else if (msg.type === 'size' && this.ctx) {
      this.canvas.width = Math.round(msg.width * msg.dpr);
      this.canvas.height = Math.round(msg.height * msg.dpr);
      this.ctx.setTransform(msg.dpr, 0, 0, msg.dpr, 0, 0);
      this.width = msg.width;
      this.height = msg.height;
    } else if (msg.type === 'lines') {
      this.lines = msg.lines;
    } else if (msg.type === 'draw' && this.ctx) {
      strokeEdges(this.ctx, { lines: this.lines, q: msg.q, steps: msg.steps, width: this.width,
        height: this.height });
      self.postMessage({ type: 'drawn' });
    }
  }
}

const edgeWorker = new EdgeWorker();
self.addEventListener('message', (ev) => edgeWorker.handle(ev.data));

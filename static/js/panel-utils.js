/**
 * Plumbing shared by the four loss-landscape panels (loss surface, slope, optimizer race,
 * gradient flow): the panel frame (classes, title and intro, a lookup of [data-role]
 * elements), visibility tracked from the bus 'tab' event so a hidden panel does no work,
 * and small request helpers (drop stale answers, one request in flight, rate limits).
 *
 * Design goal: a hidden panel never reads layout and never draws. Visibility comes from the
 * tab events and the `hidden` attribute at mount time, never from getClientRects or
 * offsetWidth, which would force a layout on every play frame.
 */
import { ensureStyles } from './surface-view.js';

/**
 * Fill a panel's root with its frame and body.
 * @param {HTMLElement} root the panel container
 * @param {{name: string, prefix: string, body: string}} opts
 *   name: CSS class added next to lv-panel; prefix: i18n prefix of the title and intro keys
 *   (`${prefix}.title`, `${prefix}.intro`); body: HTML placed after the header
 * @returns {(role: string) => HTMLElement|null} lookup of an element by its data-role
 */
export function buildPanel(root, { name, prefix, body }) {
  ensureStyles();
  root.classList.add('lv-panel', name);
  root.innerHTML = `<header class="lv-head"><h3 data-i18n="${prefix}.title"></h3>
    <p class="lv-intro" data-i18n="${prefix}.intro"></p></header>${body}`;
  return (role) => root.querySelector(`[data-role="${role}"]`);
}

/**
 * Base of a landscape panel: the translator, visibility and the "work left for when the
 * panel is shown" flags. Subclasses override onShown() and onLanguage().
 */
export class LandscapePanel {
  /**
   * @param {HTMLElement} root the panel container (a tab panel of the page)
   * @param {{bus: object, api: object, i18n: object, getNetworkId: () => string}} ctx
   */
  constructor(root, ctx) {
    this.root = root;
    this.ctx = ctx;
    this.t = (key, params) => ctx.i18n.t(key, params);
    /** Whether the panel's tab is shown (from 'tab' events; no layout is read). */
    this.visible = root.closest('[hidden]') === null;
    /** The data changed while hidden: fetch again when shown. */
    this.stale = false;
    /** Something to redraw while hidden (language, new data): draw when shown. */
    this.undrawn = false;
    /** The last 'step' payload (its layers hold the parameters after the step). */
    this.lastStep = null;
  }

  /**
   * Subscribe to bus events, plus 'tab' and 'language', which this class handles.
   * @param {Record<string, (payload: any) => void>} handlers event name → handler
   */
  listen(handlers) {
    const { bus } = this.ctx;
    bus.on('tab', (id) => {
      const was = this.visible;
      this.visible = id === this.root.id;
      if (this.visible && !was) this.onShown();
    });
    bus.on('language', () => {
      this.ctx.i18n.apply(this.root);
      if (this.visible) this.onLanguage(); else this.undrawn = true;
    });
    bus.on('step', (res) => { this.lastStep = res; });
    for (const [event, handler] of Object.entries(handlers)) bus.on(event, handler);
  }

  /**
   * Whether to go ahead with work that only matters on screen; when hidden, remember that
   * the data is stale instead.
   * @returns {boolean}
   */
  shouldWork() {
    if (!this.visible) this.stale = true;
    return this.visible;
  }

  /**
   * Whether a network document only repeats the parameters of the last step payload (the
   * page publishes one after each step), so a panel that refreshed on 'step' has nothing
   * new to fetch.
   * @param {{step: number, layers: {W: number[][], b: number[]}[]}} doc
   * @returns {boolean}
   */
  echoesStep(doc) {
    const res = this.lastStep;
    const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
    return Boolean(res?.layers && res.step === doc.step && res.layers.length === doc.layers.length
      && res.layers.every((l, i) => same(l.W, doc.layers[i].W) && same(l.b, doc.layers[i].b)));
  }

  /** The tab became visible: catch up once (subclasses refine). */
  onShown() {}

  /** The language changed while visible: redraw (subclasses refine). */
  onLanguage() {}
}

/**
 * Requests whose answers may arrive out of order: each new generation makes the answers of
 * older ones stale, and single() keeps at most one task in flight, running the newest
 * waiting task once the current one ends.
 */
export class RequestGate {
  constructor() {
    this.seq = 0;
    this.busy = false;
    /** @type {(() => Promise<void>)|null} */
    this.waiting = null;
  }

  /**
   * Start a new generation.
   * @returns {() => boolean} whether that generation is still the newest
   */
  ticket() {
    const seq = ++this.seq;
    return () => seq === this.seq;
  }

  /**
   * Follow the current generation without starting one.
   * @returns {() => boolean} whether no newer generation has started since
   */
  watch() {
    const seq = this.seq;
    return () => seq === this.seq;
  }

  /**
   * Run task now, or after the running one (only the last waiting task runs).
   * @param {() => Promise<void>} task
   */
  async single(task) {
    if (this.busy) { this.waiting = task; return; }
    this.busy = true;
    try {
      await task();
    } finally {
      this.busy = false;
      const next = this.waiting;
      this.waiting = null;
      if (next) this.single(next);
    }
  }
}

/**
 * Call a function at most once every `ms` milliseconds; a request inside the interval runs
 * once when the interval ends (trailing call).
 */
export class Throttle {
  /**
   * @param {number} ms minimum interval between calls, ms
   * @param {() => void} run
   */
  constructor(ms, run) {
    this.ms = ms;
    this.run = run;
    this.last = -Infinity;
    this.timer = 0;
  }

  request() {
    const wait = this.ms - (performance.now() - this.last);
    if (wait > 0) {
      if (!this.timer) this.timer = setTimeout(() => this.fire(), wait);
      return;
    }
    this.fire();
  }

  fire() {
    this.cancel();
    this.last = performance.now();
    this.run();
  }

  cancel() {
    clearTimeout(this.timer);
    this.timer = 0;
  }
}

/**
 * Run a function once things have been quiet for a while (debounce).
 * @param {() => void} run
 * @returns {{after: (ms: number) => void, cancel: () => void}} after(ms): run ms from now,
 *   replacing an earlier request
 */
export function makeDebounce(run) {
  let timer = 0;
  const cancel = () => { clearTimeout(timer); timer = 0; };
  return { after: (ms) => { cancel(); timer = setTimeout(run, ms); }, cancel };
}

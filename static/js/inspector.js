/**
 * Layer inspector: every array of one layer as a table — z, a, δ for the batch (or one
 * sample), ∂C/∂W, ∂C/∂b, W, b, and W before/after the last update — each labelled with its
 * shape (`W² (2×3)`). A toggle shows the row-vector convention (a·W, W of shape
 * (n_in, n_out)) used by some textbooks; the engine's own convention is (n_out, n_in).
 *
 * It draws what GET /api/networks/{id}/layers/{l} and the step payload return; cells carry
 * data-array, data-row, data-col and data-value (full precision) for tests and tooltips.
 */
import { formatNumber, maxAbs, shapeLabel, transpose } from './detail-format.js';

/** Rows of per-sample arrays shown before "show all". */
const ROW_CAP = 8;
/** Minimum time between two refreshes while the network plays (ms): at most 2 a second. */
const FRAME_INTERVAL_MS = 500;
const SYMBOLS = { z: 'z', a: 'a', delta: 'δ', grad_W: '∂C/∂W', grad_b: '∂C/∂b', W: 'W', b: 'b' };
/** Arrays with one row per sample (m, n); the others are shaped like W or b. */
const SAMPLE_ARRAYS = ['z', 'a', 'delta'];

/**
 * Mount the inspector into root.
 * @param {HTMLElement} root container (#panel-inspector)
 * @param {{bus: any, api: any, i18n: any, getNetworkId: () => string}} ctx page context
 * @returns {{refresh: () => Promise<void>}}
 */
export function mount(root, ctx) {
  ensureStylesheet();
  const state = {
    layer: null, sample: ctx.bus.get('sample') ?? null, rowVector: false, showAll: false,
    doc: null, network: ctx.bus.get('network') ?? null, update: null, error: null,
    selection: ctx.bus.get('selection') ?? null, request: 0, drawnKey: null,
  };
  root.classList.add('detail-panel', 'inspector');
  const live = new PanelRefresher(root, { bus: ctx.bus, intervalMs: FRAME_INTERVAL_MS,
    refresh: () => refreshLayer(root, ctx, state), draw: () => render(root, ctx, state) });
  subscribe(ctx, state, live);
  root.addEventListener('change', (ev) => onControlChange(ev, ctx, state, live));
  root.addEventListener('click', (ev) => onTableClick(ev, ctx, state));
  live.refresh();
  return { refresh: () => live.refresh() };
}

function subscribe(ctx, state, live) {
  const { bus } = ctx;
  bus.on('network', (doc) => {
    state.network = doc;
    if (state.update && doc && doc.step !== state.update.step) state.update = null;
    live.refresh();
  });
  bus.on('forward', () => live.refresh());
  bus.on('backward', () => live.refresh());
  bus.on('step', (res) => {
    const single = res?.layers?.[0]?.W_before !== undefined;
    state.update = single ? { step: res.step, layers: res.layers } : null;
    live.refresh();
  });
  bus.on('frame', () => {
    state.update = null;
    live.frame();
  });
  bus.on('selection', (sel) => {
    state.selection = sel;
    const layer = selectedLayer(sel);
    if (layer !== null && layer !== state.layer) {
      state.layer = layer;
      live.refresh();
    } else {
      live.draw();
    }
  });
  bus.on('sample', (s) => { state.sample = s ?? null; live.draw(); });
  bus.on('language', () => live.draw());
}

/** @returns {number|null} the layer a selection points to (weights/biases/neurons of l) */
function selectedLayer(sel) {
  if (!sel || !Number.isInteger(sel.layer) || sel.layer < 1) return null; // input neurons: none
  return sel.layer;
}

async function refreshLayer(root, ctx, state) {
  const id = ctx.getNetworkId();
  if (!id) { render(root, ctx, state); return; }
  const ticket = ++state.request;
  try {
    if (!state.network || state.network.id !== id) {
      if (state.network) state.layer = null;
      state.network = await ctx.api.getNetwork(id);
    }
    const L = state.network.layers.length;
    if (state.layer === null || state.layer > L) state.layer = L;
    const doc = await ctx.api.layer(id, state.layer);
    if (ticket !== state.request) return;
    state.doc = doc;
    state.error = null;
  } catch (err) {
    if (ticket !== state.request) return;
    state.error = err;
  }
  if (layoutKey(ctx, state) === state.drawnKey) updateCells(root, state);
  else render(root, ctx, state);
}

/**
 * Everything that decides the panel's layout (not its numbers): when it is unchanged, new
 * numbers are written into the existing cells instead of rebuilding the tables.
 */
function layoutKey(ctx, state) {
  const d = state.doc;
  return JSON.stringify([ctx.i18n.lang, state.network?.layers?.length, state.layer, d?.index,
    d?.shapes, state.sample, state.showAll, state.rowVector, state.selection,
    state.update?.step, state.error?.message]);
}

/** Write the current numbers into the cells already drawn (same layout). */
function updateCells(root, state) {
  if (!state.doc) return;
  const arrays = arraysOf(state);
  const shown = {};
  for (const td of root.querySelectorAll('td[data-array]')) {
    const name = td.dataset.array;
    shown[name] ??= displayed(state, name, arrays[name]);
    const { rows, scale } = shown[name];
    setCell(td, rows[Number(td.dataset.row)]?.[Number(td.dataset.col)] ?? null, scale);
  }
}

/**
 * The arrays the panel shows, by data-array name: the layer document's and, after a single
 * step, the update of this layer (W before, the gradient used, W after).
 */
function arraysOf(state) {
  const doc = state.doc;
  const out = { z: doc.z, a: doc.a, delta: doc.delta, grad_W: doc.grad_W, grad_b: doc.grad_b,
    W: doc.W, b: doc.b };
  const upd = state.update?.layers?.[doc.index - 1];
  if (upd) {
    Object.assign(out, { W_before: upd.W_before, grad_W_used: upd.grad_W, W_after: upd.W,
      b_before: upd.b_before, b_after: upd.b });
  }
  return out;
}

/**
 * An array's rows as displayed and its colour scale: per-sample arrays as they are (scale
 * over the whole batch), W-like arrays transposed in the row-vector convention, b-like arrays
 * as one row.
 * @returns {{rows: number[][], scale: number, isMatrix: boolean}}
 */
function displayed(state, array, values) {
  if (SAMPLE_ARRAYS.includes(array)) return { rows: values, scale: maxAbs(values), isMatrix: true };
  const isMatrix = Array.isArray(values[0]);
  let rows = isMatrix ? values : [values];
  if (isMatrix && state.rowVector) rows = transpose(values);
  return { rows, scale: maxAbs(rows), isMatrix };
}

function onControlChange(ev, ctx, state, live) {
  const el = ev.target;
  if (el.matches('[data-control="layer"]')) {
    state.layer = Number(el.value);
    live.refresh();
  } else if (el.matches('[data-control="sample"]')) {
    ctx.bus.emit('sample', el.value === '' ? null : Number(el.value));
  } else if (el.matches('[data-control="row-vector"]')) {
    state.rowVector = el.checked;
    render(el.closest('.inspector'), ctx, state);
  } else if (el.matches('[data-control="show-all"]')) {
    state.showAll = el.checked;
    render(el.closest('.inspector'), ctx, state);
  }
}

function onTableClick(ev, ctx, state) {
  const cell = ev.target.closest('td[data-array]');
  const head = ev.target.closest('th[data-sample]');
  if (head) { ctx.bus.emit('sample', Number(head.dataset.sample)); return; }
  if (!cell || !state.doc) return;
  const { array } = cell.dataset;
  const [r, c] = [Number(cell.dataset.row), Number(cell.dataset.col)];
  const layer = state.doc.index;
  if (['W', 'grad_W', 'W_before', 'W_after', 'grad_W_used'].includes(array)) {
    const [j, k] = state.rowVector ? [c, r] : [r, c];
    ctx.bus.emit('selection', { kind: 'weight', layer, from: k, to: j });
  } else if (['b', 'grad_b', 'b_before', 'b_after', 'grad_b_used'].includes(array)) {
    ctx.bus.emit('selection', { kind: 'bias', layer, neuron: c });
  } else if (['z', 'a', 'delta'].includes(array)) {
    ctx.bus.emit('selection', { kind: 'neuron', layer, neuron: c });
  }
}

/** Draw the whole panel from state (no fetching). */
function render(root, ctx, state) {
  const { i18n } = ctx;
  const frag = document.createDocumentFragment();
  frag.append(drawToolbar(i18n, state));
  const note = el('p', 'detail-note inspector-convention');
  note.textContent = i18n.t(state.rowVector ? 'detail.insp.noteRow' : 'detail.insp.noteCol');
  frag.append(note);
  if (state.error) frag.append(drawError(i18n, state.error));
  if (state.doc) frag.append(...drawGroups(i18n, state));
  else if (!state.error) frag.append(textEl('p', 'detail-empty', i18n.t('detail.loading')));
  root.replaceChildren(frag);
  root.dataset.convention = state.rowVector ? 'row' : 'column';
  state.drawnKey = layoutKey(ctx, state);
}

/**
 * A plain-words error line.
 * @param {any} i18n
 * @param {{code?: string, message: string}} err
 * @returns {HTMLElement}
 */
export function drawError(i18n, err) {
  const msg = err.code === 'connection_lost' ? i18n.t('detail.error.connection') : err.message;
  return textEl('p', 'detail-error', msg);
}

function drawToolbar(i18n, state) {
  const bar = el('div', 'detail-toolbar');
  const L = state.network?.layers?.length ?? 0;
  const layerOpts = Array.from({ length: L }, (_, i) => ({
    value: String(i + 1), text: i18n.t('detail.insp.layerOption', { l: i + 1 }) +
      (i + 1 === L ? ` ${i18n.t('detail.insp.outputTag')}` : ''),
  }));
  bar.append(drawSelect({ label: i18n.t('detail.insp.layer'), control: 'layer',
    options: layerOpts, value: String(state.layer ?? L) }));
  const m = state.doc?.shapes?.z?.[0] ?? 0;
  const sampleOpts = [{ value: '', text: i18n.t('detail.insp.wholeBatch', { m }) }];
  for (let x = 0; x < m; x += 1) {
    sampleOpts.push({ value: String(x), text: i18n.t('detail.insp.sampleOption', { x: x + 1 }) });
  }
  bar.append(drawSelect({ label: i18n.t('detail.insp.samples'), control: 'sample',
    options: sampleOpts, value: state.sample === null ? '' : String(state.sample) }));
  bar.append(drawCheckbox(i18n.t('detail.insp.rowVector'), 'row-vector', state.rowVector));
  if (state.sample === null && m > ROW_CAP) {
    bar.append(drawCheckbox(i18n.t('detail.insp.showAll', { m }), 'show-all', state.showAll));
  }
  return bar;
}

function drawSelect({ label, control, options, value }) {
  const wrap = el('label', 'detail-field');
  wrap.append(textEl('span', 'detail-field-label', label));
  const select = el('select');
  select.dataset.control = control;
  for (const o of options) {
    const opt = el('option');
    opt.value = o.value;
    opt.textContent = o.text;
    select.append(opt);
  }
  select.value = value;
  wrap.append(select);
  return wrap;
}

function drawCheckbox(label, control, checked) {
  const wrap = el('label', 'detail-check');
  const box = el('input');
  box.type = 'checkbox';
  box.checked = checked;
  box.dataset.control = control;
  wrap.append(box, textEl('span', '', label));
  return wrap;
}

function drawGroups(i18n, state) {
  const arrays = arraysOf(state);
  const groups = [];
  const forward = group(i18n.t('detail.insp.groupForward'));
  forward.body.append(...['z', 'a'].map((name) => drawSampleTable(i18n, state, name)));
  groups.push(forward.root);
  const backward = group(i18n.t('detail.insp.groupBackward'));
  backward.body.append(drawSampleTable(i18n, state, 'delta'),
    ...['grad_W', 'grad_b'].map((array) => drawParamTable(i18n, state, { array,
      values: arrays[array], symbol: SYMBOLS[array] })));
  groups.push(backward.root);
  const params = group(i18n.t('detail.insp.groupParams'));
  params.body.append(...['W', 'b'].map((array) => drawParamTable(i18n, state, { array,
    values: arrays[array], symbol: array })));
  groups.push(params.root);
  if (arrays.W_before) groups.push(drawUpdateGroup(i18n, state, arrays));
  return groups;
}

/** W before, the gradient used and W after (then b) of the last single step. */
function drawUpdateGroup(i18n, state, arrays) {
  const g = group(i18n.t('detail.insp.groupUpdate', { step: state.update.step }));
  const parts = [['W_before', 'W', 'before'], ['grad_W_used', SYMBOLS.grad_W, 'used'],
    ['W_after', 'W', 'after'], ['b_before', 'b', 'before'], ['b_after', 'b', 'after']];
  g.body.append(...parts.map(([array, symbol, when]) => drawParamTable(i18n, state, {
    array, values: arrays[array], symbol, caption: i18n.t(`detail.insp.${when}`) })));
  return g.root;
}

function group(title) {
  const root = el('section', 'inspector-group');
  root.append(textEl('h4', 'inspector-group-title', title));
  const body = el('div', 'inspector-grid');
  root.append(body);
  return { root, body };
}

/** A per-sample array (m, n): all rows, the first ROW_CAP, or the chosen sample's row. */
function drawSampleTable(i18n, state, array) {
  const doc = state.doc;
  const { rows: values, scale } = displayed(state, array, doc[array]);
  const m = values.length;
  let rows = values.map((_, x) => x);
  if (state.sample !== null && state.sample < m) rows = [state.sample];
  else if (!state.showAll) rows = rows.slice(0, ROW_CAP);
  const shape = state.sample !== null ? [values[0]?.length ?? 0] : doc.shapes[array];
  const label = shapeLabel(SYMBOLS[array], doc.index, shape);
  const table = drawTable({ array, rows, values, scale, state,
    rowHead: (x) => ({ text: i18n.t('detail.insp.sampleShort', { x: x + 1 }), sample: x }),
    colHead: (k) => `${k + 1}` });
  const more = state.sample === null && rows.length < m
    ? i18n.t('detail.insp.moreRows', { n: m - rows.length }) : '';
  return card({ label, caption: i18n.t(`detail.insp.caption.${array}`), table, more });
}

/**
 * A parameter-shaped array: W-like (n_out, n_in) — transposed in the row-vector convention —
 * or b-like (n,) shown as one row.
 */
function drawParamTable(i18n, state, { array, values, symbol, caption }) {
  const { rows: shown, scale, isMatrix } = displayed(state, array, values);
  const shape = isMatrix ? [shown.length, shown[0]?.length ?? 0] : [values.length];
  const label = shapeLabel(symbol, state.doc.index, shape);
  const rowVecW = isMatrix && state.rowVector;
  const table = drawTable({ array, rows: shown.map((_, r) => r), values: shown, state,
    scale, vector: !isMatrix,
    rowHead: (r) => ({ text: isMatrix ? `${rowVecW ? 'k' : 'j'}=${r + 1}` : '' }),
    colHead: (c) => (isMatrix ? `${rowVecW ? 'j' : 'k'}=${c + 1}` : `j=${c + 1}`) });
  const base = array.replace(/_(before|after|used)$/, '');
  return card({ label, caption: caption ?? i18n.t(`detail.insp.caption.${base}`), table,
    tag: rowVecW ? i18n.t('detail.insp.transposedTag') : '' });
}

function card({ label, caption, table, more = '', tag = '' }) {
  const c = el('figure', 'inspector-card');
  const cap = el('figcaption');
  cap.append(textEl('span', 'inspector-label', label));
  if (tag) cap.append(textEl('span', 'inspector-tag', tag));
  if (caption) cap.append(textEl('span', 'inspector-caption', caption));
  c.append(cap);
  const scroll = el('div', 'inspector-scroll');
  scroll.append(table);
  c.append(scroll);
  if (more) c.append(textEl('p', 'inspector-more', more));
  return c;
}

/**
 * Draw a table of numbers.
 * @param {object} opts
 * @param {string} opts.array data-array name
 * @param {number[]} opts.rows indices into opts.values to draw
 * @param {number[][]} opts.values rows of numbers (as displayed)
 * @param {number} opts.scale largest |value| (for the colour)
 * @param {object} opts.state inspector state (selection highlight)
 * @param {(r: number) => {text: string, sample?: number}} opts.rowHead
 * @param {(c: number) => string} opts.colHead
 * @returns {HTMLTableElement}
 */
function drawTable(opts) {
  const table = el('table', 'inspector-table');
  const ncol = opts.values[opts.rows[0]]?.length ?? 0;
  const head = el('tr');
  head.append(el('th', 'corner'));
  for (let c = 0; c < ncol; c += 1) head.append(textEl('th', 'col-head', opts.colHead(c)));
  const thead = el('thead');
  thead.append(head);
  const tbody = el('tbody');
  const hi = highlightFor(opts.array, opts.state);
  for (const r of opts.rows) {
    const tr = el('tr');
    const rh = opts.rowHead(r);
    const th = textEl('th', 'row-head', rh.text);
    if (rh.sample !== undefined) { th.dataset.sample = String(rh.sample); th.classList.add('clickable'); }
    tr.append(th);
    const row = opts.values[r];
    for (let c = 0; c < row.length; c += 1) tr.append(drawCell(opts, { r, c, v: row[c], hi }));
    tbody.append(tr);
  }
  table.append(thead, tbody);
  return table;
}

function drawCell(opts, { r, c, v, hi }) {
  const td = el('td');
  td.dataset.array = opts.array;
  td.dataset.row = String(opts.vector ? 0 : r);
  td.dataset.col = String(c);
  setCell(td, v, opts.scale);
  const mark = hi ? hi(r, c) : '';
  if (mark) td.classList.add(mark);
  return td;
}

/**
 * Write a number into a cell (text, full precision in data-value and the tooltip, colour by
 * sign and size), touching only what changed.
 * @param {HTMLTableCellElement} td
 * @param {number|null} v
 * @param {number} scale largest |value| of the array (> 0)
 */
function setCell(td, v, scale) {
  const value = v === null ? '' : String(v);
  if (td.dataset.value !== value) {
    td.dataset.value = value;
    td.title = value;
    const text = formatNumber(v);
    if (td.textContent !== text) td.textContent = text;
    td.classList.toggle('neg', v < 0);
    td.classList.toggle('pos', !(v < 0));
  }
  const t = v === null ? 0 : Math.min(1, Math.abs(v) / scale);
  const alpha = (0.06 + 0.34 * Math.sqrt(t)).toFixed(3);
  if (td.style.getPropertyValue('--cell-alpha') !== alpha) td.style.setProperty('--cell-alpha', alpha);
}

/**
 * @returns {((r: number, c: number) => string)|null} the highlight class of a displayed cell:
 *   'is-selected' for the selected weight or bias, 'is-col' for the selected neuron's column
 */
function highlightFor(array, state) {
  const sel = state.selection;
  if (!sel || !state.doc || selectedLayer(sel) !== state.doc.index) return null;
  const isW = /^(grad_)?W(_before|_after|_used)?$/.test(array);
  const isB = /^(grad_)?b(_before|_after|_used)?$/.test(array);
  if (sel.kind === 'weight' && isW) {
    const [row, col] = state.rowVector ? [sel.from, sel.to] : [sel.to, sel.from];
    return (r, c) => (r === row && c === col ? 'is-selected' : '');
  }
  if (sel.kind === 'bias' || sel.kind === 'neuron') {
    if (isB) return (r, c) => (c === sel.neuron ? 'is-selected' : '');
    if (['z', 'a', 'delta'].includes(array)) return (r, c) => (c === sel.neuron ? 'is-col' : '');
  }
  return null;
}

/**
 * Keeps a detail panel up to date without working while its tab is hidden. Fetches and
 * redraws asked for while hidden wait until the 'tab' bus event shows the panel; play-mode
 * frames refresh a shown panel at most once per intervalMs and never while a refresh is in
 * flight (a dropped frame is covered by a later one, or by the 'network' event when play
 * stops). Stale responses are the refresh function's business (a request ticket).
 */
export class PanelRefresher {
  /**
   * @param {HTMLElement} root panel container; its id is the 'tab' event's payload
   * @param {object} opts
   * @param {any} opts.bus page bus
   * @param {() => Promise<void>} opts.refresh fetch, then draw
   * @param {() => void} opts.draw redraw from the panel's state (no fetching)
   * @param {number} opts.intervalMs minimum time between two frame refreshes (ms)
   */
  constructor(root, { bus, refresh, draw, intervalMs }) {
    Object.assign(this, { root, refreshFn: refresh, drawFn: draw, intervalMs });
    this.visible = root.closest('[hidden]') === null;
    /** Work put off while hidden: 'refresh', 'draw' or null. */
    this.pending = null;
    this.inFlight = 0;
    this.lastFrame = -Infinity;
    bus.on('tab', (id) => this.onTab(id));
  }

  /** Fetch and redraw now, or when the panel is next shown. */
  refresh() {
    if (!this.visible) { this.pending = 'refresh'; return Promise.resolve(); }
    return this.run();
  }

  /** Redraw from state now, or when the panel is next shown. */
  draw() {
    if (!this.visible) { this.pending ??= 'draw'; return; }
    this.drawFn();
  }

  /** A play-mode frame arrived: refresh if shown, idle and not refreshed lately. */
  frame() {
    if (!this.visible) { this.pending = 'refresh'; return; }
    if (this.inFlight > 0 || performance.now() - this.lastFrame < this.intervalMs) return;
    this.lastFrame = performance.now();
    this.run();
  }

  async run() {
    this.inFlight += 1;
    try {
      await this.refreshFn();
    } finally {
      this.inFlight -= 1;
    }
  }

  onTab(id) {
    this.visible = id === this.root.id;
    const work = this.visible ? this.pending : null;
    if (!work) return;
    this.pending = null;
    if (work === 'refresh') this.run(); else this.drawFn();
  }
}

/** Link /static/css/detail.css once if the page does not already. */
function ensureStylesheet() {
  if (document.querySelector('link[href$="/static/css/detail.css"]')) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = '/static/css/detail.css';
  document.head.append(link);
}

/**
 * @param {string} tag element name
 * @param {string} [className]
 * @returns {HTMLElement}
 */
function el(tag, className = '') {
  const node = document.createElement(tag);
  if (className) node.className = className;
  return node;
}

/**
 * @param {string} tag element name
 * @param {string} className
 * @param {string} text text content
 * @returns {HTMLElement}
 */
function textEl(tag, className, text) {
  const node = el(tag, className);
  node.textContent = text;
  return node;
}

export { ensureStylesheet, el, textEl };

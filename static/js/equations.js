/**
 * Equation panel: the four backpropagation equations BP1–BP4 and the update rule, typeset
 * with KaTeX in the (n_out, n_in) convention, with the live numbers of the selected weight,
 * bias or neuron substituted (for the chosen sample, or the batch mean), plus the gradient
 * check ("the explorer checks its own gradients").
 *
 * Every number comes from the API (GET .../layers/{l}, the network document, the step
 * payload); the panel only multiplies or sums those numbers to show the substitution, and the
 * final value of each line is the API's own. Lines carry data-tex and data-values for tests.
 */
import { PanelRefresher, drawError, el, ensureStylesheet, textEl } from './inspector.js';
import { formatNumber, texNumber, toSubscript, toSuperscript } from './detail-format.js';
import { getKatex } from './vendor.js';

/** Relative error below which the gradient check passes. */
const GRADCHECK_THRESHOLD = 1e-6;
/** Terms of the BP2 sum written out before "+ ⋯". */
const MAX_SUM_TERMS = 4;
/** Output activation + loss pairs whose BP1 reduces to δᴸ = a − y. */
const CANCELLING = { sigmoid: 'cross_entropy', softmax: 'log_likelihood' };
/** Minimum time between two refreshes while the network plays (ms): at most 2 a second. */
const FRAME_INTERVAL_MS = 500;

/**
 * Mount the equation panel into root.
 * @param {HTMLElement} root container (#panel-equations)
 * @param {{bus: any, api: any, i18n: any, getNetworkId: () => string}} ctx page context
 * @returns {{refresh: () => Promise<void>}}
 */
export function mount(root, ctx) {
  ensureStylesheet();
  const { bus } = ctx;
  const state = {
    network: bus.get('network') ?? null, selection: bus.get('selection') ?? null,
    sample: bus.get('sample') ?? null, docs: null, update: null, check: null, checking: false,
    error: null, request: 0, drawnSig: null,
  };
  root.classList.add('detail-panel', 'equations');
  const live = new PanelRefresher(root, { bus, intervalMs: FRAME_INTERVAL_MS,
    refresh: () => refreshData(root, ctx, state), draw: () => render(root, ctx, state) });
  subscribe(ctx, state, live);
  root.addEventListener('click', (ev) => {
    if (ev.target.closest('[data-action="gradient-check"]')) runGradientCheck(root, ctx, state);
  });
  live.refresh();
  return { refresh: () => live.refresh() };
}

function subscribe(ctx, state, live) {
  const { bus } = ctx;
  const changed = () => { state.check = null; live.refresh(); };
  bus.on('network', (doc) => {
    state.network = doc;
    if (state.update && doc && doc.step !== state.update.step) state.update = null;
    changed();
  });
  bus.on('forward', () => live.refresh());
  bus.on('backward', () => live.refresh());
  bus.on('step', (res) => {
    state.update = res?.layers?.[0]?.W_before !== undefined ? res : null;
    changed();
  });
  bus.on('frame', (frame) => {
    state.update = null;
    state.check = null;
    if (state.network) {
      state.network = { ...state.network, step: frame.step,
        learning_rate: frame.learning_rate ?? state.network.learning_rate };
    }
    live.frame();
  });
  bus.on('selection', (sel) => {
    const before = target(state);
    state.selection = sel;
    const after = target(state);
    if (!before || !after || before.l !== after.l) live.refresh(); else live.draw();
  });
  bus.on('sample', (s) => { state.sample = s ?? null; live.draw(); });
  bus.on('language', () => live.draw());
}

/**
 * The selected parameter or neuron, with indices clamped to the network.
 * @returns {{kind: string, l: number, j: number, k: number, from: string}|null}
 *   kind 'weight' | 'bias' | 'neuron'; j, k are 0-based (API) indices
 */
function target(state) {
  const net = state.network;
  if (!net) return null;
  const L = net.layers.length;
  const sel = state.selection;
  const clampL = (l) => Math.min(Math.max(1, l ?? L), L);
  let t = { kind: 'weight', l: L, j: 0, k: 0, from: 'default' };
  if (sel?.kind === 'weight') t = { kind: 'weight', l: clampL(sel.layer), j: sel.to, k: sel.from, from: 'sel' };
  else if (sel?.kind === 'bias') t = { kind: 'bias', l: clampL(sel.layer), j: sel.neuron, k: 0, from: 'sel' };
  else if (sel?.kind === 'neuron' && sel.layer >= 1) {
    t = { kind: 'neuron', l: clampL(sel.layer), j: sel.neuron, k: 0, from: 'sel' };
  } else if (sel?.kind === 'layer' && sel.layer >= 1) {
    t = { kind: 'weight', l: clampL(sel.layer), j: 0, k: 0, from: 'layer' };
  }
  const W = net.layers[t.l - 1].W;
  t.j = Math.min(Math.max(0, t.j ?? 0), W.length - 1);
  t.k = Math.min(Math.max(0, t.k ?? 0), W[0].length - 1);
  return t;
}

async function refreshData(root, ctx, state) {
  const id = ctx.getNetworkId();
  if (!id) return;
  const ticket = ++state.request;
  try {
    if (state.network?.id !== id) state.network = await ctx.api.getNetwork(id);
    const t = target(state);
    const L = state.network.layers.length;
    const [doc, next] = await Promise.all([ctx.api.layer(id, t.l),
      t.l < L ? ctx.api.layer(id, t.l + 1) : Promise.resolve(null)]);
    if (ticket !== state.request) return;
    state.docs = { l: t.l, doc, next };
    state.error = null;
  } catch (err) {
    if (ticket !== state.request) return;
    state.error = err;
  }
  render(root, ctx, state);
}

async function runGradientCheck(root, ctx, state) {
  state.checking = true;
  render(root, ctx, state);
  try {
    state.check = await ctx.api.gradientCheck(ctx.getNetworkId());
    state.error = null;
  } catch (err) {
    state.error = err;
  }
  state.checking = false;
  render(root, ctx, state);
}

/**
 * Draw the panel from state (no fetching). When only numbers changed since the last draw
 * (same structure and text outside the maths), only the changed maths lines are typeset again.
 */
function render(root, ctx, state) {
  const box = el('div');
  box.append(drawPanel(ctx.i18n, state));
  const sig = box.innerHTML.replace(/ data-(tex|values)="[^"]*"/g, '');
  if (sig === state.drawnSig) {
    patchMaths(root, box);
    return;
  }
  root.replaceChildren(...box.childNodes);
  root.querySelectorAll('[data-tex]').forEach(typeset);
  state.drawnSig = sig;
}

function drawPanel(i18n, state) {
  const frag = document.createDocumentFragment();
  const head = el('div', 'eq-head');
  head.append(textEl('p', 'detail-note', i18n.t('detail.eq.convention')),
    textEl('p', 'detail-note', i18n.t('detail.eq.indices')));
  frag.append(head);
  if (state.error) frag.append(drawError(i18n, state.error));
  const t = target(state);
  if (t && state.docs && state.docs.l === t.l) {
    const data = gather(state, t);
    frag.append(drawContext(i18n, data));
    const grid = el('div', 'eq-grid');
    grid.append(...drawCards(i18n, data));
    frag.append(grid, drawNotes(i18n, data));
  } else if (!state.error) {
    frag.append(textEl('p', 'detail-empty', i18n.t('detail.loading')));
  }
  frag.append(drawGradientCheck(i18n, state));
  return frag;
}

/** Copy the new TeX and values of each maths line into the drawn panel (same structure). */
function patchMaths(root, fresh) {
  const drawn = root.querySelectorAll('[data-tex]');
  fresh.querySelectorAll('[data-tex]').forEach((node, i) => {
    const old = drawn[i];
    const values = node.dataset.values;
    if (values !== undefined && old.dataset.values !== values) old.dataset.values = values;
    if (old.dataset.tex === node.dataset.tex) return;
    old.dataset.tex = node.dataset.tex;
    typeset(old);
  });
}

/** Everything the cards need, read from the API documents. */
function gather(state, t) {
  const { doc, next } = state.docs;
  const net = state.network;
  const L = net.layers.length;
  const m = doc.delta.length;
  const x = state.sample !== null && state.sample < m ? state.sample : null;
  const spec = net.spec;
  return {
    t, doc, next, net, L, m, x, xs: x ?? 0,
    act: doc.activation, loss: spec.loss, reg: spec.regularization ?? { l1: 0, l2: 0 },
    n: net.data_info?.n_train ?? m, eta: net.learning_rate, optimizer: spec.optimizer?.name,
    batch: net.batch_size ?? m, update: state.update,
  };
}

function drawContext(i18n, d) {
  const { t } = d;
  const key = { weight: 'detail.eq.ctxWeight', bias: 'detail.eq.ctxBias', neuron: 'detail.eq.ctxNeuron' }[t.kind];
  const symbol = { weight: 'w', bias: 'b', neuron: 'δ' }[t.kind];
  const name = `${symbol}${toSuperscript(t.l)}`
    + (t.kind === 'weight' ? subPair(t.j, t.k) : toSubscript(t.j + 1));
  const api = t.kind === 'weight' ? `W[${t.j}][${t.k}]` : t.kind === 'bias' ? `b[${t.j}]` : `δ[:, ${t.j}]`;
  const who = d.x === null ? i18n.t('detail.eq.ctxBatch', { m: d.m }) : i18n.t('detail.eq.ctxSample', { x: d.x + 1 });
  const p = el('p', 'eq-context');
  p.append(textEl('strong', '', i18n.t(key, { name, l: t.l, api })), document.createTextNode(` · ${who}`));
  if (t.from === 'default') p.append(textEl('span', 'eq-hint', ` ${i18n.t('detail.eq.ctxDefault')}`));
  return p;
}

function drawCards(i18n, d) {
  const { t } = d;
  const weight = t.kind === 'weight';
  const output = t.l === d.L;
  return [
    card(i18n, { id: 'bp1', active: output, lines: output ? bp1Lines(i18n, d) : [],
      hint: output ? '' : i18n.t('detail.eq.bp1Hidden', { L: d.L }) }),
    card(i18n, { id: 'bp2', active: !output, lines: output ? [] : bp2Lines(i18n, d),
      hint: output ? i18n.t('detail.eq.bp2Output') : '' }),
    card(i18n, { id: 'bp3', active: !weight, lines: weight ? [] : bp3Lines(i18n, d),
      hint: weight ? i18n.t('detail.eq.bp3Hint') : '' }),
    card(i18n, { id: 'bp4', active: weight, lines: weight ? bp4Lines(i18n, d) : [],
      hint: weight ? '' : i18n.t('detail.eq.bp4Hint') }),
    card(i18n, { id: 'update', active: t.kind !== 'neuron', lines: t.kind === 'neuron' ? [] : updateLines(i18n, d),
      hint: t.kind === 'neuron' ? i18n.t('detail.eq.updateHint') : '' }),
  ];
}

const GENERAL_TEX = {
  bp1: String.raw`\delta^L = \nabla_a C \odot \sigma'(z^L)`,
  bp2: String.raw`\delta^l = \big((W^{l+1})^{\top} \delta^{l+1}\big) \odot \sigma'(z^l)`,
  bp3: String.raw`\frac{\partial C}{\partial b^l_j} = \delta^l_j`,
  bp4: String.raw`\frac{\partial C}{\partial w^l_{jk}} = a^{l-1}_k\, \delta^l_j`,
  update: String.raw`w \leftarrow w - \eta\, \frac{\partial C}{\partial w}, \quad `
    + String.raw`b \leftarrow b - \eta\, \frac{\partial C}{\partial b}`,
};

/**
 * One equation card: tag, name, general formula, plain explanation, numbered lines.
 * @param {any} i18n
 * @param {{id: string, active: boolean, lines: Array<{id: string, label?: string, tex: string,
 *   values?: object}>, hint: string}} opts
 */
function card(i18n, { id, active, lines, hint }) {
  const c = el('article', `eq-card${active ? ' is-active' : ''}`);
  c.dataset.eq = id;
  const h = el('header');
  h.append(textEl('span', 'eq-tag', i18n.t(`detail.eq.${id}.tag`)),
    textEl('span', 'eq-name', i18n.t(`detail.eq.${id}.name`)));
  c.append(h, texEl('eq-general', GENERAL_TEX[id]));
  c.append(textEl('p', 'eq-explain', i18n.t(`detail.eq.${id}.explain`)));
  for (const line of lines) {
    if (line.label) c.append(textEl('p', 'eq-line-label', line.label));
    const node = texEl('eq-line', line.tex);
    node.dataset.eqLine = line.id;
    if (line.values) node.dataset.values = JSON.stringify(line.values);
    c.append(node);
  }
  if (hint) c.append(textEl('p', 'eq-hint', hint));
  return c;
}

/** BP1 at the output layer for neuron j of sample x. */
function bp1Lines(i18n, d) {
  const { t, doc, xs } = d;
  const j = t.j;
  const [z, a, y, delta] = [doc.z[xs][j], doc.a[xs][j], doc.y?.[xs]?.[j], doc.delta[xs][j]];
  const L = String(t.l);
  const J = j + 1;
  const lines = [{ id: 'bp1-values', label: sampleLabel(i18n, d),
    tex: `z^{${L}}_{${J}} = ${texNumber(z)},\\quad a^{${L}}_{${J}} = ${texNumber(a)},\\quad y_{${J}} = ${texNumber(y)}`,
    values: { z, a, y } }];
  const lhs = `\\delta^{${L}}_{${J}}`;
  if (CANCELLING[d.act] === d.loss) {
    lines.push({ id: 'bp1-number', label: i18n.t('detail.eq.bp1Cancel'),
      tex: chain(lhs, `a^{${L}}_{${J}} - y_{${J}}`,
        `${texNumber(a)} - ${texNumber(y, { paren: true })}`, texNumber(delta)),
      values: { a, y, delta } });
  } else if (doc.sigma_prime) {
    const sp = doc.sigma_prime[xs][j];
    lines.push({ id: 'bp1-number', label: i18n.t('detail.eq.bp1Quadratic'),
      tex: chain(lhs, `(a^{${L}}_{${J}} - y_{${J}})\\,\\sigma'(z^{${L}}_{${J}})`,
        `(${texNumber(a)} - ${texNumber(y, { paren: true })}) \\times ${texNumber(sp, { paren: true })}`,
        texNumber(delta)),
      values: { a, y, sigma_prime: sp, delta } });
  } else {
    lines.push({ id: 'bp1-number', label: i18n.t('detail.eq.bp1Jacobian'),
      tex: `\\delta^{${L}} = J^{\\top}(a^{${L}} - y) \\;\\Rightarrow\\; ${lhs} = ${texNumber(delta)}`,
      values: { delta } });
  }
  return lines;
}

/** BP2 for hidden neuron j of sample x: (Σₖ wˡ⁺¹ₖⱼ δˡ⁺¹ₖ) σ'(zˡⱼ). */
function bp2Lines(i18n, d) {
  const { t, doc, next, xs } = d;
  const j = t.j;
  const W = next.W;
  const dn = next.delta[xs];
  const terms = W.map((row, k) => ({ w: row[j], dk: dn[k] }));
  const sum = terms.reduce((s, p) => s + p.w * p.dk, 0);
  const sp = doc.sigma_prime[xs][j];
  const delta = doc.delta[xs][j];
  const [l, l1, J] = [String(t.l), String(t.l + 1), j + 1];
  const shown = terms.slice(0, MAX_SUM_TERMS)
    .map((p) => `${texNumber(p.w, { paren: true })} \\times ${texNumber(p.dk, { paren: true })}`);
  if (terms.length > MAX_SUM_TERMS) shown.push('\\cdots');
  const spTex = texNumber(sp, { paren: true });
  const tex = chain(`\\delta^{${l}}_{${J}}`,
    `\\Big(\\sum_k w^{${l1}}_{k${J}}\\, \\delta^{${l1}}_k\\Big)\\, \\sigma'(z^{${l}}_{${J}})`,
    `\\big(${shown.join(' + ')}\\big) \\times ${spTex}`,
    `${texNumber(sum, { paren: true })} \\times ${spTex}`, texNumber(delta));
  return [
    { id: 'bp2-values', label: sampleLabel(i18n, d),
      tex: `z^{${l}}_{${J}} = ${texNumber(doc.z[xs][j])},\\quad \\sigma'(z^{${l}}_{${J}}) = ${texNumber(sp)}`,
      values: { z: doc.z[xs][j], sigma_prime: sp } },
    { id: 'bp2-number', tex, values: { sum, sigma_prime: sp, delta } },
  ];
}

/** BP3 for bias (or neuron) j: the sample's δ and the batch mean = API grad_b. */
function bp3Lines(i18n, d) {
  const { t, doc } = d;
  const [l, J] = [String(t.l), t.j + 1];
  const lines = [];
  if (d.x !== null) {
    const delta = doc.delta[d.x][t.j];
    lines.push({ id: 'bp3-sample', label: sampleLabel(i18n, d),
      tex: `\\frac{\\partial C_x}{\\partial b^{${l}}_{${J}}} = \\delta^{${l}}_{${J}} = ${texNumber(delta)}`,
      values: { delta } });
  }
  const g = doc.grad_b[t.j];
  lines.push({ id: 'bp3-batch', label: i18n.t('detail.eq.batchMean', { m: d.m }),
    tex: chain(`\\frac{\\partial C}{\\partial b^{${l}}_{${J}}}`,
      `\\frac{1}{${d.m}} \\sum_x \\delta^{${l},x}_{${J}}`, texNumber(g)),
    values: { result: g } });
  return lines;
}

/** BP4 for weight (j, k): a_prev·δ for the sample; the batch mean (+ regularization). */
function bp4Lines(i18n, d) {
  const { t, doc } = d;
  const [l, lp] = [String(t.l), String(t.l - 1)];
  const [J, K] = [t.j + 1, t.k + 1];
  const w = `w^{${l}}_{${subTex(t.j, t.k)}}`;
  const lines = [];
  if (d.x !== null) {
    const a = doc.a_prev[d.x][t.k];
    const delta = doc.delta[d.x][t.j];
    lines.push({ id: 'bp4-sample', label: sampleLabel(i18n, d),
      tex: chain(`\\frac{\\partial C_x}{\\partial ${w}}`, `a^{${lp}}_{${K}}\\, \\delta^{${l}}_{${J}}`,
        `${texNumber(a)} \\times ${texNumber(delta, { paren: true })}`, texNumber(a * delta)),
      values: { a, delta, product: a * delta } });
  }
  let mean = 0;
  for (let x = 0; x < d.m; x += 1) mean += doc.a_prev[x][t.k] * doc.delta[x][t.j];
  mean /= d.m;
  const g = doc.grad_W[t.j][t.k];
  const wv = doc.W[t.j][t.k];
  const reg = regTerms(d, wv);
  const parts = [`\\frac{\\partial C}{\\partial ${w}}`,
    `\\frac{1}{${d.m}} \\sum_x a^{${lp},x}_{${K}}\\, \\delta^{${l},x}_{${J}}${reg.symbolic}`];
  if (reg.symbolic) parts.push(`${texNumber(mean)}${reg.numeric}`);
  const labelKey = reg.symbolic ? 'detail.eq.batchMeanReg' : 'detail.eq.batchMean';
  lines.push({ id: 'bp4-batch', label: i18n.t(labelKey, { m: d.m }),
    tex: chain(...parts, texNumber(g)), values: { mean, result: g } });
  return lines;
}

/** The regularization part of ∂C/∂w, symbolic and with numbers ('' when λ = 0). */
function regTerms(d, w) {
  let symbolic = '';
  let numeric = '';
  if (d.reg.l2) {
    symbolic += ' + \\frac{\\lambda}{n}\\, w';
    numeric += ` + \\frac{${texNumber(d.reg.l2)}}{${d.n}} \\times ${texNumber(w, { paren: true })}`;
  }
  if (d.reg.l1) {
    symbolic += ' + \\frac{\\lambda_1}{n}\\, \\operatorname{sgn}(w)';
    numeric += ` + \\frac{${texNumber(d.reg.l1)}}{${d.n}} \\times ${texNumber(Math.sign(w), { paren: true })}`;
  }
  return { symbolic, numeric };
}

/** The update of the selected weight or bias: the next step (preview) and the last one. */
function updateLines(i18n, d) {
  const { t, doc } = d;
  const isW = t.kind === 'weight';
  const l = String(t.l);
  const name = isW ? `w^{${l}}_{${subTex(t.j, t.k)}}` : `b^{${l}}_{${t.j + 1}}`;
  const value = isW ? doc.W[t.j][t.k] : doc.b[t.j];
  const g = isW ? doc.grad_W[t.j][t.k] : doc.grad_b[t.j];
  const next = value - d.eta * g;
  const lines = [{ id: 'update-next', label: i18n.t('detail.eq.updateNext', { eta: formatNumber(d.eta) }),
    tex: chain(`${name} \\leftarrow ${name} - \\eta\\, \\frac{\\partial C}{\\partial ${name}}`,
      `${texNumber(value)} - ${texNumber(d.eta)} \\times ${texNumber(g, { paren: true })}`,
      texNumber(next)),
    values: { value, eta: d.eta, grad: g, result: next } }];
  const last = d.update?.layers?.[t.l - 1];
  if (last) {
    const before = isW ? last.W_before[t.j][t.k] : last.b_before[t.j];
    const used = isW ? last.grad_W[t.j][t.k] : last.grad_b[t.j];
    const after = isW ? last.W[t.j][t.k] : last.b[t.j];
    const eta = d.update.learning_rate_used;
    const tex = d.optimizer === 'sgd'
      ? `${texNumber(before)} - ${texNumber(eta)} \\times ${texNumber(used, { paren: true })} = ${texNumber(after)}`
      : `${texNumber(before)} \\;\\to\\; ${texNumber(after)}`;
    lines.push({ id: 'update-last', label: i18n.t('detail.eq.updateLast', { step: d.update.step }),
      tex, values: { before, eta, grad: used, after } });
  }
  return lines;
}

function drawNotes(i18n, d) {
  const notes = el('div', 'eq-notes');
  notes.append(textEl('p', 'detail-note', i18n.t('detail.eq.noteTranspose')));
  const out = d.net.spec.activations[d.L - 1];
  if (out === 'sigmoid' && d.loss === 'quadratic') {
    const p = textEl('p', 'detail-note eq-warn', i18n.t('detail.eq.noteSlowdown'));
    p.dataset.note = 'slowdown';
    notes.append(p);
  }
  if (d.optimizer && d.optimizer !== 'sgd') {
    const name = i18n.t(`detail.opt.${d.optimizer}`);
    notes.append(textEl('p', 'detail-note', i18n.t('detail.eq.noteOptimizer', { name })));
  }
  if (d.batch < d.n) {
    notes.append(textEl('p', 'detail-note', i18n.t('detail.eq.noteMiniBatch', { b: d.batch, n: d.n })));
  }
  return notes;
}

function drawGradientCheck(i18n, state) {
  const sec = el('section', 'eq-gradcheck');
  const head = el('div', 'eq-gradcheck-head');
  head.append(textEl('h4', '', i18n.t('detail.gc.title')));
  const btn = textEl('button', 'detail-button', i18n.t(state.checking ? 'detail.gc.running' : 'detail.gc.button'));
  btn.type = 'button';
  btn.dataset.action = 'gradient-check';
  btn.disabled = state.checking;
  head.append(btn);
  sec.append(head, textEl('p', 'detail-note', i18n.t('detail.gc.explain')));
  if (state.check) sec.append(drawCheckResult(i18n, state.check));
  return sec;
}

function drawCheckResult(i18n, check) {
  const wrap = el('div', 'eq-gradcheck-result');
  const overall = badge(i18n, check.passed);
  overall.dataset.overall = 'true';
  const summary = el('p', 'eq-gradcheck-summary');
  summary.append(overall, document.createTextNode(
    ` ${i18n.t('detail.gc.summary', { err: formatNumber(check.relative_error, 3),
      h: formatNumber(check.h, 3), thr: formatNumber(GRADCHECK_THRESHOLD) })}`));
  const table = el('table', 'eq-gradcheck-table');
  const hr = el('tr');
  for (const key of ['layer', 'errW', 'errB', 'err', 'result']) {
    hr.append(textEl('th', '', i18n.t(`detail.gc.col.${key}`)));
  }
  const thead = el('thead');
  thead.append(hr);
  const tbody = el('tbody');
  for (const layer of check.layers) {
    const tr = el('tr');
    tr.dataset.layer = String(layer.index);
    tr.append(textEl('td', '', String(layer.index)));
    for (const v of [layer.relative_error_W, layer.relative_error_b, layer.relative_error]) {
      const td = textEl('td', 'num', formatNumber(v, 3));
      td.dataset.value = String(v);
      tr.append(td);
    }
    const td = el('td');
    td.append(badge(i18n, layer.relative_error < GRADCHECK_THRESHOLD));
    tr.append(td);
    tbody.append(tr);
  }
  table.append(thead, tbody);
  wrap.append(summary, table);
  return wrap;
}

function badge(i18n, passed) {
  const b = textEl('span', `detail-badge ${passed ? 'pass' : 'fail'}`,
    i18n.t(passed ? 'detail.gc.pass' : 'detail.gc.fail'));
  b.dataset.passed = String(passed);
  return b;
}

function sampleLabel(i18n, d) {
  return d.x === null ? i18n.t('detail.eq.firstSample') : i18n.t('detail.eq.forSample', { x: d.x + 1 });
}

/** @returns {string} the TeX parts joined by " = " (a chain of equalities) */
function chain(...parts) {
  return parts.join(' = ');
}

function texEl(className, tex) {
  const node = el('div', className);
  node.dataset.tex = tex;
  return node;
}

/** Render a [data-tex] node with KaTeX (plain TeX text if KaTeX is missing). */
function typeset(node) {
  const katex = getKatex();
  if (katex) katex.render(node.dataset.tex, node, { throwOnError: false, displayMode: false });
  else node.textContent = node.dataset.tex;
}

/** 1-based subscript pair jk (comma-separated once an index has two digits). */
function subPair(j, k) {
  return toSubscript(j + 1) + (j >= 9 || k >= 9 ? ',' : '') + toSubscript(k + 1);
}

function subTex(j, k) {
  return j >= 9 || k >= 9 ? `${j + 1},${k + 1}` : `${j + 1}${k + 1}`;
}

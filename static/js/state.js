/**
 * UI state of the builder and its serialisation (like Playground's state.ts): the
 * configuration object, the request body it maps to, and the URL hash that makes a link
 * rebuild the same network. Pure functions; the one mutable instance lives in main.js.
 */
import { OUTPUT_ACTIVATIONS, HIDDEN_ACTIVATIONS, LOSSES, OPTIMIZERS, INIT_SCHEMES,
  DECAY_KINDS } from './config.js';

/** @returns {object} the configuration shown when the page opens without a link */
export function getDefaultConfig() {
  return {
    hidden: [4, 2],
    hiddenActs: ['tanh', 'tanh'],
    outputAct: 'sigmoid',
    loss: 'cross_entropy',
    init: 'xavier',
    initSeed: 0,
    dataset: 'xor',
    inputs: 2,
    classes: 2,
    kind: 'classification',
    samples: 200,
    noise: 0.1,
    dataSeed: 1,
    valFraction: 0.2,
    batchMode: 'mini',
    batchSize: 10,
    optimizer: 'sgd',
    lr: 0.1,
    decay: 'none',
    decayRate: 0.5,
    decayEvery: 100,
    l1: 0,
    l2: 0,
    dropout: 0,
    lang: null,
  };
}

/** Fields whose change needs a new network (POST); the others are PATCHed. */
export const STRUCTURAL = ['hidden', 'hiddenActs', 'outputAct', 'loss', 'init', 'initSeed',
  'dataset', 'samples', 'noise', 'dataSeed', 'valFraction'];

/**
 * Return the number of output neurons the data set and loss need.
 * @param {{kind: string, classes: number|null, loss: string}} cfg
 */
export function getOutputSize(cfg) {
  if (cfg.kind !== 'classification') return 1;
  if (cfg.loss === 'log_likelihood') return Math.max(2, cfg.classes);
  return cfg.classes > 2 ? cfg.classes : 1;
}

/**
 * Return a copy of cfg with the output activation made consistent with the loss and the
 * data set (log-likelihood ⇒ softmax, cross-entropy ⇒ sigmoid, regression ⇒ quadratic).
 * @param {object} cfg
 */
export function harmonize(cfg) {
  const out = { ...cfg, hidden: [...cfg.hidden], hiddenActs: [...cfg.hiddenActs] };
  if (out.kind === 'regression') out.loss = 'quadratic';
  const allowed = OUTPUT_ACTIVATIONS[out.loss];
  if (!allowed.includes(out.outputAct)) out.outputAct = allowed[0];
  if (out.kind === 'regression' && out.outputAct === 'sigmoid') out.outputAct = 'linear';
  while (out.hiddenActs.length < out.hidden.length) {
    out.hiddenActs.push(out.hiddenActs[out.hiddenActs.length - 1] ?? 'tanh');
  }
  out.hiddenActs.length = out.hidden.length;
  return out;
}

/**
 * Return the POST /api/networks body for a configuration.
 * @param {object} cfg a configuration (see getDefaultConfig)
 */
export function toSpec(cfg) {
  return {
    layers: [cfg.inputs, ...cfg.hidden, getOutputSize(cfg)],
    activations: [...cfg.hiddenActs, cfg.outputAct],
    loss: cfg.loss,
    init: { scheme: cfg.init, seed: cfg.initSeed },
    dataset: { name: cfg.dataset, samples: cfg.samples, noise: cfg.noise, seed: cfg.dataSeed,
      validation_fraction: cfg.valFraction },
    ...toHyper(cfg),
  };
}

/**
 * Return the PATCH body (hyper-parameters only; the weights stay).
 * @param {object} cfg
 */
export function toHyper(cfg) {
  const decay = cfg.decay === 'none' ? { kind: 'none' }
    : { kind: cfg.decay, rate: cfg.decayRate, every: cfg.decayEvery };
  let batch = null;
  if (cfg.batchMode === 'online') batch = 1;
  else if (cfg.batchMode === 'mini') batch = cfg.batchSize;
  return {
    optimizer: { name: cfg.optimizer, learning_rate: cfg.lr, decay },
    batch_size: batch,
    regularization: { l1: cfg.l1, l2: cfg.l2 },
    dropout: cfg.dropout,
  };
}

/**
 * Return the configuration described by a network document's canonical spec.
 * @param {object} spec the `spec` of GET /api/networks/{id}
 * @param {object} base configuration supplying fields the spec lacks
 */
export function fromSpec(spec, base) {
  const L = spec.layers.length - 1;
  const ds = spec.dataset ?? {};
  const bs = spec.batch_size;
  const decay = spec.optimizer?.decay ?? { kind: 'none' };
  return harmonize({
    ...base,
    hidden: spec.layers.slice(1, L),
    hiddenActs: spec.activations.slice(0, L - 1),
    outputAct: spec.activations[L - 1],
    loss: spec.loss,
    init: spec.init?.scheme ?? base.init,
    initSeed: spec.init?.seed ?? base.initSeed,
    dataset: ds.name ?? base.dataset,
    inputs: spec.layers[0],
    samples: ds.samples ?? base.samples,
    noise: ds.noise ?? base.noise,
    dataSeed: ds.seed ?? base.dataSeed,
    valFraction: ds.validation_fraction ?? base.valFraction,
    batchMode: bs == null ? 'full' : (bs === 1 ? 'online' : 'mini'),
    batchSize: bs == null || bs === 1 ? base.batchSize : bs,
    optimizer: spec.optimizer?.name ?? base.optimizer,
    lr: spec.optimizer?.learning_rate ?? base.lr,
    decay: decay.kind,
    decayRate: decay.rate ?? base.decayRate,
    decayEvery: decay.every ?? base.decayEvery,
    l1: spec.regularization?.l1 ?? 0,
    l2: spec.regularization?.l2 ?? 0,
    dropout: Array.isArray(spec.dropout) ? spec.dropout[0] ?? 0 : spec.dropout ?? 0,
  });
}

const NUMBER_KEYS = { initSeed: 'is', samples: 'n', noise: 'nz', dataSeed: 'ds', valFraction: 'vf',
  batchSize: 'bs', lr: 'lr', decayRate: 'dr', decayEvery: 'de', l1: 'l1', l2: 'l2', dropout: 'do' };
const CHOICE_KEYS = {
  loss: ['loss', LOSSES], init: ['init', INIT_SCHEMES], optimizer: ['opt', OPTIMIZERS],
  decay: ['decay', DECAY_KINDS], batchMode: ['batch', ['online', 'mini', 'full']],
  lang: ['lang', ['en', 'zh']],
};

/**
 * Return the URL hash (without '#') holding a configuration.
 * @param {object} cfg
 */
export function encodeHash(cfg) {
  const p = new URLSearchParams();
  p.set('data', cfg.dataset);
  p.set('hidden', cfg.hidden.join(','));
  p.set('act', [...cfg.hiddenActs, cfg.outputAct].join(','));
  for (const [field, [key]] of Object.entries(CHOICE_KEYS)) {
    if (cfg[field] != null) p.set(key, cfg[field]);
  }
  for (const [field, key] of Object.entries(NUMBER_KEYS)) p.set(key, String(cfg[field]));
  return p.toString();
}

/**
 * Return the configuration in a URL hash, starting from base; unknown or malformed values
 * are ignored (the builder still validates and the server has the last word).
 * @param {string} hash location.hash, with or without '#'
 * @param {object} base
 * @returns {object|null} null when the hash holds no configuration
 */
export function decodeHash(hash, base) {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  if (!p.has('data') && !p.has('lang')) return null;
  const cfg = { ...base };
  if (p.has('data')) cfg.dataset = p.get('data');
  if (p.has('hidden')) {
    const sizes = p.get('hidden') === '' ? [] : p.get('hidden').split(',').map(Number);
    if (sizes.every((n) => Number.isInteger(n) && n >= 1 && n <= 64)) cfg.hidden = sizes;
  }
  if (p.has('act')) {
    const acts = p.get('act').split(',');
    if (acts.length === cfg.hidden.length + 1
        && acts.slice(0, -1).every((a) => HIDDEN_ACTIVATIONS.includes(a))) {
      cfg.hiddenActs = acts.slice(0, -1);
      cfg.outputAct = acts[acts.length - 1];
    }
  }
  for (const [field, [key, choices]] of Object.entries(CHOICE_KEYS)) {
    if (choices.includes(p.get(key))) cfg[field] = p.get(key);
  }
  for (const [field, key] of Object.entries(NUMBER_KEYS)) {
    const v = Number(p.get(key));
    if (p.has(key) && p.get(key) !== '' && Number.isFinite(v)) cfg[field] = v;
  }
  return cfg;
}

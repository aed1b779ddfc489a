/**
 * The builder: network structure (layers, neurons, activations, loss, initialization), data
 * set and training hyper-parameters. It validates input in the UI and reports every change
 * through onChange; main.js decides between rebuilding (POST) and patching (PATCH).
 */
import { CONFIG, HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS, LOSSES, OPTIMIZERS, INIT_SCHEMES,
  DECAY_KINDS } from './config.js';
import { harmonize, STRUCTURAL } from './state.js';

/** Numeric fields: [min, max, integer?, i18n key of the label]. */
const NUMBER_FIELDS = {
  initSeed: [0, 4294967295, true],
  samples: [10, 2000, true],
  noise: [0, 1, false],
  dataSeed: [0, 4294967295, true],
  valFraction: [0, 0.9, false],
  batchSize: [1, 10000, true],
  lr: [1e-6, 100, false],
  decayRate: [1e-6, 1, false],
  decayEvery: [1, 1000000, true],
  l1: [0, 10, false],
  l2: [0, 10, false],
  dropout: [0, 0.95, false],
};

/** Value of the data-set option that stands for data uploaded from a CSV file. */
const UPLOADED = '__uploaded__';

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));

/** Builder view over three containers (structure, data, training). */
export class Builder {
  /**
   * @param {{roots: {structure: HTMLElement, data: HTMLElement, training: HTMLElement},
   *   i18n: any, onChange: (cfg: object, structural: boolean) => void}} opts
   */
  constructor(opts) {
    this.roots = opts.roots;
    this.i18n = opts.i18n;
    this.onChange = opts.onChange;
    /** Data sets from GET /api/datasets. */
    this.datasets = [];
    this.cfg = null;
    for (const root of Object.values(this.roots)) {
      root.addEventListener('click', (ev) => this.handleClick(ev));
      root.addEventListener('change', (ev) => this.handleInput(ev));
    }
  }

  /** @param {object[]} datasets GET /api/datasets */
  setDatasets(datasets) {
    this.datasets = datasets;
  }

  /** @param {object} cfg the configuration to show */
  update(cfg) {
    this.cfg = cfg;
    this.render();
  }

  /** Re-render every control (after a language change or a new configuration). */
  render() {
    if (!this.cfg) return;
    this.roots.structure.innerHTML = this.getStructureHtml();
    this.roots.data.innerHTML = this.getDataHtml();
    this.roots.training.innerHTML = this.getTrainingHtml();
  }

  t(key, params) {
    return this.i18n.t(key, params);
  }

  getOptions(values, current, prefix) {
    return values.map((v) => `<option value="${v}"${v === current ? ' selected' : ''}>${esc(this.t(prefix + v))}</option>`).join('');
  }

  getNumberHtml(field, labelKey, opts = {}) {
    const [min, max, integer] = NUMBER_FIELDS[field];
    const step = opts.step ?? (integer ? 1 : 'any');
    return `<label class="field"><span>${esc(this.t(labelKey))}</span>
      <input type="number" name="${field}" value="${this.cfg[field]}" min="${min}" max="${max}"
        step="${step}" inputmode="decimal"${opts.disabled ? ' disabled' : ''}>
      <small class="field-error" data-error-for="${field}" hidden></small></label>`;
  }

  getStructureHtml() {
    const { cfg } = this;
    const { maxHiddenLayers, maxNeurons } = CONFIG.limits;
    const rows = cfg.hidden.map((n, i) => `
      <div class="layer-row" data-layer-row="${i}">
        <span class="layer-name">${esc(this.t('core.builder.hiddenLayer', { n: i + 1 }))}</span>
        <button type="button" class="icon-btn" data-action="neuron-minus" data-index="${i}"
          aria-label="${esc(this.t('core.builder.removeNeuron', { n: i + 1 }))}"${n <= 1 ? ' disabled' : ''}>−</button>
        <span class="count" aria-live="polite">${n}</span>
        <button type="button" class="icon-btn" data-action="neuron-plus" data-index="${i}"
          aria-label="${esc(this.t('core.builder.addNeuron', { n: i + 1 }))}"${n >= maxNeurons ? ' disabled' : ''}>+</button>
        <select name="hiddenAct" data-index="${i}" aria-label="${esc(this.t('core.builder.activationOf', { n: i + 1 }))}">
          ${this.getOptions(HIDDEN_ACTIVATIONS, cfg.hiddenActs[i], 'core.act.')}</select>
      </div>`).join('');
    const outs = OUTPUT_ACTIVATIONS[cfg.loss];
    const losses = cfg.kind === 'regression' ? ['quadratic'] : LOSSES;
    return `
      <div class="layer-head">
        <span>${esc(this.t('core.builder.hiddenLayers', { n: cfg.hidden.length }))}</span>
        <button type="button" class="icon-btn" data-action="layer-minus"
          aria-label="${esc(this.t('core.builder.removeLayer'))}"${cfg.hidden.length === 0 ? ' disabled' : ''}>−</button>
        <button type="button" class="icon-btn" data-action="layer-plus"
          aria-label="${esc(this.t('core.builder.addLayer'))}"${cfg.hidden.length >= maxHiddenLayers ? ' disabled' : ''}>+</button>
      </div>
      <div class="layer-rows">${rows}</div>
      <div class="grid2">
        <label class="field span2"><span>${esc(this.t('core.builder.loss'))}</span>
          <select name="loss">${this.getOptions(losses, cfg.loss, 'core.loss.')}</select></label>
        <label class="field"><span>${esc(this.t('core.builder.output'))}</span>
          <select name="outputAct"${outs.length === 1 ? ' disabled' : ''}>${this.getOptions(outs, cfg.outputAct, 'core.act.')}</select></label>
        ${this.getNumberHtml('initSeed', 'core.builder.initSeed')}
        <label class="field span2"><span>${esc(this.t('core.builder.init'))}</span>
          <select name="init">${this.getOptions(INIT_SCHEMES, cfg.init, 'core.init.')}</select></label>
      </div>`;
  }

  getDataHtml() {
    const { cfg } = this;
    const names = this.datasets.map((d) => d.name);
    const meta = this.datasets.find((d) => d.name === cfg.dataset);
    let desc = meta ? (this.i18n.lang === 'zh' ? meta.description_zh : meta.description) : '';
    let options = this.getOptions(names, cfg.dataset, 'core.dataset.');
    if (cfg.uploaded) {
      desc = this.t('core.data.uploadedHint', cfg.uploaded);
      options = `<option value="${UPLOADED}" selected>${esc(this.t('core.dataset.uploaded'))}</option>
        ${this.getOptions(names, null, 'core.dataset.')}`;
    }
    return `
      <div class="data-row">
        <canvas class="data-preview" width="72" height="72" aria-hidden="true"></canvas>
        <div class="data-pick">
          <label class="field"><span>${esc(this.t('core.data.dataset'))}</span>
            <select name="dataset">${options}</select></label>
          <p class="hint">${esc(desc)}</p>
        </div>
      </div>
      <div class="grid2">
        ${this.getNumberHtml('samples', 'core.data.samples', { step: 10 })}
        ${this.getNumberHtml('noise', 'core.data.noise', { step: 0.05 })}
        ${this.getNumberHtml('valFraction', 'core.data.validation', { step: 0.05 })}
        ${this.getNumberHtml('dataSeed', 'core.data.seed')}
      </div>`;
  }

  getTrainingHtml() {
    const { cfg } = this;
    const modes = ['online', 'mini', 'full'];
    return `
      <div class="grid2">
        <label class="field"><span>${esc(this.t('core.train.batch'))}</span>
          <select name="batchMode">${this.getOptions(modes, cfg.batchMode, 'core.batch.')}</select></label>
        ${this.getNumberHtml('batchSize', 'core.train.batchSize', { disabled: cfg.batchMode !== 'mini' })}
        <label class="field"><span>${esc(this.t('core.train.optimizer'))}</span>
          <select name="optimizer">${this.getOptions(OPTIMIZERS, cfg.optimizer, 'core.opt.')}</select></label>
        ${this.getNumberHtml('lr', 'core.train.lr', { step: 'any' })}
        <label class="field"><span>${esc(this.t('core.train.decay'))}</span>
          <select name="decay">${this.getOptions(DECAY_KINDS, cfg.decay, 'core.decay.')}</select></label>
        ${this.getNumberHtml('decayRate', 'core.train.decayRate', { disabled: cfg.decay === 'none' })}
        ${this.getNumberHtml('l1', 'core.train.l1', { step: 'any' })}
        ${this.getNumberHtml('l2', 'core.train.l2', { step: 'any' })}
        ${this.getNumberHtml('dropout', 'core.train.dropout', { step: 0.05, disabled: cfg.hidden.length === 0 })}
        ${this.getNumberHtml('decayEvery', 'core.train.decayEvery', { disabled: cfg.decay === 'none' })}
      </div>`;
  }

  /** Apply a structural button (layers / neurons). */
  handleClick(ev) {
    const btn = ev.target.closest('button[data-action]');
    if (!btn || !this.cfg) return;
    const cfg = harmonize(this.cfg);
    const i = Number(btn.dataset.index);
    const { maxHiddenLayers, maxNeurons } = CONFIG.limits;
    switch (btn.dataset.action) {
      case 'layer-plus':
        if (cfg.hidden.length >= maxHiddenLayers) return;
        cfg.hidden.push(cfg.hidden[cfg.hidden.length - 1] ?? 4);
        break;
      case 'layer-minus': cfg.hidden.pop(); break;
      case 'neuron-plus': cfg.hidden[i] = Math.min(maxNeurons, cfg.hidden[i] + 1); break;
      case 'neuron-minus': cfg.hidden[i] = Math.max(1, cfg.hidden[i] - 1); break;
      default: return;
    }
    this.commit(harmonize(cfg), true);
  }

  /** Validate and apply a select or number input. */
  handleInput(ev) {
    const el = ev.target;
    if (!el.name || !this.cfg || el.value === UPLOADED) return;
    const cfg = harmonize(this.cfg);
    if (el.name === 'hiddenAct') cfg.hiddenActs[Number(el.dataset.index)] = el.value;
    else if (el.name in NUMBER_FIELDS) {
      const value = this.readNumber(el);
      if (value === null) return;
      cfg[el.name] = value;
    } else cfg[el.name] = el.value;
    if (el.name === 'dataset') this.applyDatasetMeta(cfg);
    this.commit(harmonize(cfg), STRUCTURAL.includes(el.name === 'hiddenAct' ? 'hiddenActs' : el.name));
  }

  applyDatasetMeta(cfg) {
    const meta = this.datasets.find((d) => d.name === cfg.dataset);
    if (!meta) return;
    Object.assign(cfg, { inputs: meta.inputs, classes: meta.classes, kind: meta.kind });
    cfg.samples = Math.min(meta.defaults?.samples ?? cfg.samples, meta.max_samples ?? Infinity);
    if (meta.kind === 'regression') Object.assign(cfg, { loss: 'quadratic', outputAct: 'linear' });
    else if (cfg.loss === 'quadratic' && cfg.outputAct === 'linear') cfg.outputAct = 'tanh';
  }

  /**
   * Return the number in an input, or null after showing why it is not valid.
   * @param {HTMLInputElement} el
   */
  readNumber(el) {
    const [min, max, integer] = NUMBER_FIELDS[el.name];
    const v = Number(el.value);
    let msg = null;
    if (el.value.trim() === '' || !Number.isFinite(v)) msg = this.t('core.valid.number');
    else if (integer && !Number.isInteger(v)) msg = this.t('core.valid.integer');
    else if (v < min || v > max) msg = this.t('core.valid.range', { min, max });
    this.showFieldError(el.name, msg);
    return msg ? null : v;
  }

  /**
   * Show (or clear) a plain-words message under a field.
   * @param {string} field configuration field name
   * @param {string|null} msg
   */
  showFieldError(field, msg) {
    for (const root of Object.values(this.roots)) {
      const box = root.querySelector(`[data-error-for="${field}"]`);
      if (!box) continue;
      box.textContent = msg ?? '';
      box.hidden = !msg;
      box.closest('.field')?.classList.toggle('invalid', Boolean(msg));
    }
  }

  commit(cfg, structural) {
    // A rebuilt network draws its data from the data set again, not from the uploaded file.
    this.cfg = structural ? { ...cfg, uploaded: null } : cfg;
    this.render();
    this.onChange(this.cfg, structural);
  }

  /**
   * Draw the current training points in the small preview.
   * @param {{X: number[][], Y: number[][], bounds: number[][], kind: string}} data
   */
  drawPreview(data) {
    const canvas = this.roots.data.querySelector('.data-preview');
    if (!canvas || !data?.X?.length) return;
    const ctx = canvas.getContext('2d');
    const { width: w, height: h } = canvas;
    ctx.fillStyle = '#fafbfc';
    ctx.fillRect(0, 0, w, h);
    const [[x0, x1], [y0, y1] = [0, 1]] = data.bounds;
    const ys = data.Y.map((r) => r[0]);
    const [ymin, ymax] = [Math.min(...ys), Math.max(...ys)];
    data.X.forEach((x, i) => {
      const px = ((x[0] - x0) / (x1 - x0 || 1)) * (w - 6) + 3;
      const yv = x.length > 1 ? x[1] : data.Y[i][0];
      const [lo, hi] = x.length > 1 ? [y0, y1] : [ymin, ymax];
      const py = h - 3 - ((yv - lo) / (hi - lo || 1)) * (h - 6);
      ctx.fillStyle = this.getPointColor(data, i, ymin, ymax);
      ctx.fillRect(px - 1.2, py - 1.2, 2.4, 2.4);
    });
  }

  getPointColor(data, i, ymin, ymax) {
    const row = data.Y[i];
    if (data.kind !== 'classification') return CONFIG.colors.positive;
    const cls = row.length > 1 ? row.indexOf(Math.max(...row)) : (row[0] > (ymin + ymax) / 2 ? 1 : 0);
    return CONFIG.colors.classes[cls % CONFIG.colors.classes.length];
  }
}

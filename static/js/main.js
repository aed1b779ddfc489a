/**
 * Wiring only: creates the bus, the language and the views, mounts the panels, and connects
 * the builder to the API (rebuild on structural changes, PATCH on hyper-parameters), the
 * header buttons, the tabs and the error banner. The configuration lives in the URL hash.
 */
import { Bus } from './bus.js';
import { api, ApiError } from './api.js';
import { I18n } from './i18n.js';
import { CONFIG } from './config.js';
import { getDefaultConfig, harmonize, toSpec, toHyper, fromSpec, encodeHash, decodeHash,
  getOutputSize } from './state.js';
import { Builder } from './builder.js';
import { NetworkView } from './network-view.js';
import { Stepper } from './stepper.js';
import { OutputView, parseCsv } from './output-view.js';
import { LossChart } from './loss-chart.js';
import { mount as mountInspector } from './inspector.js';
import { mount as mountEquations } from './equations.js';
import { mount as mountSurface } from './surface-panel.js';
import { mount as mountSlope } from './slope-panel.js';
import { mount as mountRace } from './race-panel.js';
import { mount as mountGradients } from './gradient-flow.js';

const PANELS = [
  ['panel-inspector', mountInspector], ['panel-equations', mountEquations],
  ['panel-surface', mountSurface], ['panel-slope', mountSlope],
  ['panel-race', mountRace], ['panel-gradients', mountGradients],
];

/** API field names → builder labels (i18n keys) and inputs, to say where an error is. */
const FIELD_LABELS = {
  batch_size: 'core.train.batchSize', 'optimizer.learning_rate': 'core.train.lr',
  'dataset.samples': 'core.data.samples', 'dataset.noise': 'core.data.noise',
  'dataset.validation_fraction': 'core.data.validation', 'regularization.l1': 'core.train.l1',
  'regularization.l2': 'core.train.l2', dropout: 'core.train.dropout', loss: 'core.builder.loss',
  'init.seed': 'core.builder.initSeed', 'optimizer.decay.rate': 'core.train.decayRate',
};
const FIELD_INPUTS = {
  batch_size: 'batchSize', 'optimizer.learning_rate': 'lr', 'dataset.samples': 'samples',
  'dataset.noise': 'noise', 'dataset.validation_fraction': 'valFraction', 'regularization.l1': 'l1',
  'regularization.l2': 'l2', dropout: 'dropout', 'init.seed': 'initSeed',
  'optimizer.decay.rate': 'decayRate',
};

const $ = (sel) => document.querySelector(sel);

/** The page's application: one instance holds the configuration and the views. */
class App {
  constructor() {
    const fromUrl = decodeHash(location.hash, getDefaultConfig());
    this.cfg = fromUrl ?? getDefaultConfig();
    this.bus = new Bus();
    this.i18n = new I18n(this.cfg.lang ?? I18n.browserDefault());
    this.cfg.lang = this.i18n.lang;
    this.ctx = { bus: this.bus, api, i18n: this.i18n,
      getNetworkId: () => document.body.dataset.networkId };
    this.buildSeq = 0;
  }

  async start() {
    this.i18n.apply(document);
    this.createViews();
    this.wireHeader();
    this.wireTabs();
    this.wireMessages();
    for (const [id, mount] of PANELS) {
      try {
        mount(document.getElementById(id), this.ctx);
      } catch (err) {
        this.showError(err);
      }
    }
    this.bus.emit('language', this.i18n.lang);
    try {
      this.builder.setDatasets(await api.datasets());
    } catch (err) {
      this.showError(err);
      return;
    }
    this.applyDatasetMeta();
    this.builder.update(this.cfg);
    await this.build();
  }

  createViews() {
    const { bus, i18n } = this;
    this.builder = new Builder({
      roots: { structure: $('#builder'), data: $('#data-panel'), training: $('#training-panel') },
      i18n, onChange: (cfg, structural) => this.handleConfig(cfg, structural),
    });
    this.view = new NetworkView($('#network-view'), { bus, i18n, legend: $('#network-legend'),
      onEditWeight: (edit) => this.editWeight(edit) });
    this.stepper = new Stepper($('#stepper'), { ctx: this.ctx, view: this.view,
      refresh: () => this.refreshNetwork(), refreshHeatmaps: () => this.refreshHeatmaps(),
      onFrame: () => {}, reportError: (err) => this.showError(err) });
    this.output = new OutputView($('#output-view'), { bus, i18n, metrics: $('#output-metrics'),
      onData: (data) => this.replaceData(data), onCsv: (text, name) => this.uploadCsv(text, name) });
    this.chart = new LossChart($('#loss-chart'), { bus, i18n });
    bus.on('network', (doc) => this.view.setNetwork(doc));
    bus.on('heatmaps', (hm) => this.view.setHeatmaps(hm));
    bus.on('data', (data) => this.builder.drawPreview(data));
  }

  applyDatasetMeta() {
    const meta = this.builder.datasets.find((d) => d.name === this.cfg.dataset)
      ?? this.builder.datasets[0];
    if (!meta) return;
    const samples = Math.min(this.cfg.samples, meta.max_samples ?? this.cfg.samples);
    this.cfg = harmonize({ ...this.cfg, dataset: meta.name, inputs: meta.inputs,
      classes: meta.classes, kind: meta.kind, samples });
  }

  /** Rebuild the network from the configuration (POST /api/networks). */
  async build() {
    const seq = ++this.buildSeq;
    this.stepper.stopSession();
    document.body.dataset.ready = '0';
    try {
      const doc = await api.createNetwork(toSpec(this.cfg));
      if (seq !== this.buildSeq) return;
      await this.showNetwork(doc);
    } catch (err) {
      this.showError(err);
    }
    this.writeHash();
  }

  /** Make doc the current network and load its data and heatmaps. */
  async showNetwork(doc) {
    document.body.dataset.networkId = doc.id;
    this.view.clearValues();
    this.view.setGradients(null);
    this.bus.emit('selection', null);
    this.bus.emit('network', doc);
    const [data] = await Promise.all([api.getData(doc.id), this.refreshHeatmaps()]);
    this.bus.emit('data', data);
    document.body.dataset.ready = '1';
    this.hideBanner();
  }

  /** Fetch the current network document and publish it. */
  async refreshNetwork() {
    const doc = await api.getNetwork(this.ctx.getNetworkId());
    this.bus.emit('network', doc);
    return doc;
  }

  /** Fetch every neuron's heatmap (1 or 2 inputs) and publish it. */
  async refreshHeatmaps() {
    const doc = this.bus.get('network');
    if (!doc || doc.spec.layers[0] > 2) {
      this.bus.emit('heatmaps', null);
      return;
    }
    this.bus.emit('heatmaps', await api.heatmaps(doc.id, CONFIG.heatmap.outputResolution));
  }

  async handleConfig(cfg, structural) {
    this.cfg = { ...cfg, lang: this.i18n.lang };
    if (structural) {
      await this.build();
      return;
    }
    const id = this.ctx.getNetworkId();
    if (!id) return;
    try {
      const doc = await api.patchNetwork(id, toHyper(this.cfg));
      this.bus.emit('network', doc);
      if (this.stepper.playing) this.stepper.session?.send({ type: 'config' });
      this.bus.emit('status', { message: this.i18n.t('core.status.patched') });
    } catch (err) {
      this.showError(err);
    }
    this.writeHash();
  }

  async editWeight({ layer, from, to, value }) {
    const doc = this.bus.get('network');
    const parameters = doc.layers.map((p) => ({ W: p.W.map((row) => [...row]), b: [...p.b] }));
    parameters[layer - 1].W[to][from] = value;
    try {
      const updated = await api.putParameters(doc.id, parameters);
      this.view.setGradients(null);
      this.bus.emit('network', updated);
      await this.refreshHeatmaps();
      this.bus.emit('status', { message: this.i18n.t('core.status.weightSet') });
    } catch (err) {
      this.showError(err);
    }
  }

  /** @returns {Promise<boolean>} whether the server accepted the data */
  async replaceData(data) {
    const id = this.ctx.getNetworkId();
    try {
      const doc = await api.putData(id, data);
      this.bus.emit('network', doc);
      const [fresh] = await Promise.all([api.getData(id), this.refreshHeatmaps()]);
      this.bus.emit('data', fresh);
      this.hideBanner();
      return true;
    } catch (err) {
      this.showError(err);
      return false;
    }
  }

  async uploadCsv(text, name) {
    const doc = this.bus.get('network');
    const data = this.bus.get('data');
    if (!doc || !data) return;
    const outputs = getOutputSize(this.cfg);
    const shape = { inputs: doc.spec.layers[0], outputs, kind: data.kind, classes: data.classes,
      targetOf: (cls) => this.output.getTarget(cls, 0) };
    try {
      const parsed = parseCsv(text, shape);
      await this.fitBatchSize(parsed.X.length);
      const ok = await this.replaceData({ X: parsed.X, Y: parsed.Y, X_val: data.X_val, Y_val: data.Y_val });
      if (!ok) return;
      this.cfg = { ...this.cfg, uploaded: { name, n: parsed.X.length } };
      this.builder.update(this.cfg);
      this.builder.drawPreview(this.bus.get('data'));
      this.bus.emit('status', { message: this.i18n.t('core.csv.loaded', { n: parsed.X.length, name }) });
    } catch (err) {
      if (err.i18nKey) this.bus.emit('error', { message: this.i18n.t(err.i18nKey, err.params) });
      else this.showError(err);
    }
  }

  /**
   * Shrink the mini-batch size (PATCH) when new data has fewer samples than one batch.
   * @param {number} n number of training samples about to be sent
   */
  async fitBatchSize(n) {
    if (this.cfg.batchMode !== 'mini' || this.cfg.batchSize <= n) return;
    this.cfg = { ...this.cfg, batchSize: n };
    this.builder.update(this.cfg);
    this.bus.emit('network', await api.patchNetwork(this.ctx.getNetworkId(), toHyper(this.cfg)));
    this.writeHash();
  }

  writeHash() {
    this.cfg.lang = this.i18n.lang;
    history.replaceState(null, '', `#${encodeHash(this.cfg)}`);
  }

  setLanguage(lang) {
    this.i18n.lang = lang;
    this.i18n.apply(document);
    document.querySelectorAll('.lang-btn').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.lang === lang)));
    this.builder.render();
    this.builder.drawPreview(this.bus.get('data'));
    this.bus.emit('language', lang);
    this.writeHash();
  }

  wireHeader() {
    document.querySelectorAll('.lang-btn').forEach((b) => {
      b.setAttribute('aria-pressed', String(b.dataset.lang === this.i18n.lang));
      b.addEventListener('click', () => this.setLanguage(b.dataset.lang));
    });
    $('#btn-share').addEventListener('click', () => this.share());
    $('#btn-export').addEventListener('click', () => this.exportJson());
    $('#file-import').addEventListener('change', (ev) => this.importJson(ev.target));
  }

  async share() {
    this.writeHash();
    try {
      await navigator.clipboard.writeText(location.href);
      this.bus.emit('status', { message: this.i18n.t('core.status.copied') });
    } catch (err) {
      window.prompt(this.i18n.t('core.status.copyManually'), location.href);
    }
  }

  async exportJson() {
    try {
      const doc = await api.exportNetwork(this.ctx.getNetworkId());
      const blob = new Blob([JSON.stringify(doc, null, 1)], { type: 'application/json' });
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = `backprop-explorer-${this.ctx.getNetworkId().slice(0, 8)}.json`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    } catch (err) {
      this.showError(err);
    }
  }

  async importJson(input) {
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    let doc;
    try {
      doc = JSON.parse(await file.text());
    } catch (err) {
      this.bus.emit('error', { message: this.i18n.t('core.error.badJson') });
      return;
    }
    try {
      this.stepper.stopSession();
      const net = await api.importNetwork(doc);
      this.cfg = fromSpec(net.spec, { ...this.cfg, uploaded: null });
      this.applyDatasetMeta();
      this.builder.update(this.cfg);
      await this.showNetwork(net);
      this.writeHash();
      this.bus.emit('status', { message: this.i18n.t('core.status.imported') });
    } catch (err) {
      this.showError(err);
    }
  }

  wireTabs() {
    const tabs = [...document.querySelectorAll('[role="tab"]')];
    const show = (tab) => {
      for (const t of tabs) {
        const on = t === tab;
        t.setAttribute('aria-selected', String(on));
        t.tabIndex = on ? 0 : -1;
        document.getElementById(t.getAttribute('aria-controls')).hidden = !on;
      }
      this.bus.emit('tab', tab.getAttribute('aria-controls'));
    };
    tabs.forEach((tab, i) => {
      tab.tabIndex = tab.getAttribute('aria-selected') === 'true' ? 0 : -1;
      tab.addEventListener('click', () => show(tab));
      tab.addEventListener('keydown', (ev) => {
        const d = { ArrowRight: 1, ArrowLeft: -1 }[ev.key];
        if (!d) return;
        const next = tabs[(i + d + tabs.length) % tabs.length];
        next.focus();
        show(next);
      });
    });
  }

  wireMessages() {
    this.bus.on('error', (e) => this.showBanner(e.message));
    this.bus.on('status', (s) => this.showToast(s.message));
    $('#banner .banner-close').addEventListener('click', () => this.hideBanner());
    window.addEventListener('unhandledrejection', (ev) => {
      ev.preventDefault();
      this.showError(ev.reason);
    });
  }

  /**
   * Show an error in plain words (API errors carry the server's message).
   * @param {any} err
   */
  showError(err) {
    let message = this.i18n.t('core.error.generic');
    if (err instanceof ApiError) {
      const field = FIELD_LABELS[err.field];
      const text = field ? `${this.i18n.t(field)}: ${err.message}` : err.message;
      message = err.code === 'connection_lost' ? this.i18n.t('core.error.connection')
        : this.i18n.t('core.error.api', { message: text });
      const input = FIELD_INPUTS[err.field];
      if (input) this.builder.showFieldError(input, err.message);
    } else if (err?.message) message = this.i18n.t('core.error.api', { message: err.message });
    this.bus.emit('error', { message });
  }

  showBanner(message) {
    const banner = $('#banner');
    banner.querySelector('.banner-text').textContent = message;
    banner.hidden = false;
  }

  hideBanner() {
    $('#banner').hidden = true;
  }

  showToast(message) {
    const el = document.createElement('div');
    el.className = 'toast';
    el.textContent = message;
    $('#toasts').appendChild(el);
    setTimeout(() => el.classList.add('out'), 2600);
    setTimeout(() => el.remove(), 3100);
  }
}

new App().start();

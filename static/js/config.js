/**
 * Layout, colour and timing constants of the core views, in one object (like cnn-explainer's
 * overviewConfig). Sizes are CSS pixels, durations milliseconds.
 */

export const CONFIG = Object.freeze({
  colors: Object.freeze({
    /** Negative values / class 0 (Playground orange; orange–blue is colour-blind safe). */
    negative: '#f59322',
    /** Positive values / class 1 (Playground blue). */
    positive: '#0877bd',
    neutral: '#f4f5f7',
    /** Class colours for up to 6 classes (Okabe–Ito after the first two). */
    classes: ['#f59322', '#0877bd', '#009e73', '#cc79a7', '#56b4e9', '#d55e00'],
    selection: '#e3007a',
    edgeIdle: '#c7ccd3',
    train: '#1f2933',
    validation: '#ffffff',
    chartTrain: '#0877bd',
    chartValidation: '#f59322',
    chartAccuracy: '#009e73',
  }),
  network: Object.freeze({
    /** Largest edge stroke width; an edge is maxEdgeWidth·|w|/max|w|. */
    maxEdgeWidth: 7,
    neuronRadius: 26,
    minNeuronRadius: 9,
    marginX: 48,
    marginTop: 34,
    marginBottom: 22,
    height: 430,
    hitWidth: 9,
  }),
  heatmap: Object.freeze({
    /** Grid resolution of each neuron's heatmap (res × res). */
    neuronResolution: 24,
    /** Grid resolution of the output view's decision boundary. */
    outputResolution: 48,
    /** Resolution requested in play frames (one grid serves every neuron and the output). */
    playResolution: 32,
  }),
  animation: Object.freeze({
    /** Time for activations/δ to pass one layer. */
    layerMs: 320,
    slowLayerMs: 1300,
    updateMs: 600,
    slowUpdateMs: 1800,
  }),
  output: Object.freeze({ size: 268, pointRadius: 3.2 }),
  chart: Object.freeze({ width: 288, height: 170, maxPoints: 3000, playMs: 120 }),
  /** Playground's largest net, used by the preset button and the frame bench. */
  limits: Object.freeze({ maxHiddenLayers: 6, maxNeurons: 8, minNeurons: 1 }),
  play: Object.freeze({ speeds: [1, 2, 5, 10, 20, 50, 100], defaultSpeed: 5, fps: 60 }),
});

/** Hidden-layer activations offered by the builder (output activations follow the loss). */
export const HIDDEN_ACTIVATIONS = ['tanh', 'relu', 'leaky_relu', 'sigmoid', 'linear'];

/** Output activations allowed for each loss. */
export const OUTPUT_ACTIVATIONS = {
  quadratic: ['tanh', 'sigmoid', 'linear', 'relu', 'leaky_relu'],
  cross_entropy: ['sigmoid'],
  log_likelihood: ['softmax'],
};

export const LOSSES = ['quadratic', 'cross_entropy', 'log_likelihood'];
export const OPTIMIZERS = ['sgd', 'momentum', 'rmsprop', 'adam'];
export const INIT_SCHEMES = ['xavier', 'xavier_normal', 'he', 'normal', 'zeros'];
export const DECAY_KINDS = ['none', 'step', 'exponential', 'inverse_time'];

/** Display names that stay the same in every language. */
export const NAMES = {
  sigmoid: 'sigmoid', tanh: 'tanh', relu: 'ReLU', leaky_relu: 'Leaky ReLU', linear: 'linear',
  softmax: 'softmax', sgd: 'SGD', momentum: 'Momentum', rmsprop: 'RMSProp', adam: 'Adam',
};

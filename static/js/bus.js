/**
 * A tiny publish/subscribe bus that links the views: selecting a weight in one view
 * highlights it in all; a step result reaches every view that shows it.
 *
 * Events (payloads are API responses unless stated):
 *   'network'   GET /api/networks/{id} document (after create, PATCH, reset, parameter edit)
 *   'data'      GET /api/networks/{id}/data document
 *   'forward'   POST .../forward response
 *   'backward'  POST .../backward response (layers carry z, a, delta, grad_W, grad_b)
 *   'step'      POST .../step response (one step: W_before, b_before, grad_W, grad_b per layer)
 *   'frame'     a play-mode WebSocket frame
 *   'heatmaps'  GET .../heatmaps response
 *   'phase'     'idle' | 'forward' | 'backward' | 'update'
 *   'selection' {kind: 'weight', layer, from, to} | {kind: 'bias', layer, neuron}
 *               | {kind: 'neuron', layer, neuron} | {kind: 'layer', layer} | null
 *   'sample'    index of the chosen training sample, or null for the whole batch
 *   'language'  'en' | 'zh'
 *   'error'     {message} shown to the user in plain words
 *   'status'    {message} a transient notice
 */
export class Bus {
  constructor() {
    /** @type {Map<string, Set<Function>>} */
    this.handlers = new Map();
    /** Last payload of each event, so a view mounted late can catch up. */
    this.last = new Map();
  }

  /**
   * Subscribe to an event; returns a function that unsubscribes.
   * @param {string} event
   * @param {(payload: any) => void} handler
   */
  on(event, handler) {
    if (!this.handlers.has(event)) this.handlers.set(event, new Set());
    this.handlers.get(event).add(handler);
    return () => this.handlers.get(event).delete(handler);
  }

  /**
   * Publish an event to every subscriber.
   * @param {string} event
   * @param {any} payload
   */
  emit(event, payload) {
    this.last.set(event, payload);
    for (const handler of this.handlers.get(event) ?? []) handler(payload);
  }

  /** @param {string} event @returns {any} the last payload emitted for the event */
  get(event) {
    return this.last.get(event);
  }
}

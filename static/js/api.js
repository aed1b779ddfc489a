/**
 * The only module that talks to the server. Every function returns the parsed JSON of the
 * response or throws an ApiError whose message is the server's plain-words message.
 * Arrays follow the engine's convention: W is (n_out, n_in), b is (n_out,), batches are
 * (m, n) with one row per sample.
 */

export class ApiError extends Error {
  /**
   * @param {string} message plain words for the user
   * @param {{code?: string, field?: string|null, status?: number}} info
   */
  constructor(message, info = {}) {
    super(message);
    this.code = info.code ?? 'error';
    this.field = info.field ?? null;
    this.status = info.status ?? 0;
  }
}

async function request(method, path, body) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError('connection_lost', { code: 'connection_lost' });
  }
  if (response.status === 204) return null;
  let payload = null;
  try {
    payload = await response.json();
  } catch (err) {
    payload = null;
  }
  if (!response.ok) {
    const e = payload?.error ?? {};
    throw new ApiError(e.message ?? `HTTP ${response.status}`,
      { code: e.code, field: e.field, status: response.status });
  }
  return payload;
}

const net = (id) => `/api/networks/${encodeURIComponent(id)}`;

/** Client for the REST API; one method per endpoint. */
export const api = {
  datasets: () => request('GET', '/api/datasets'),
  createNetwork: (spec) => request('POST', '/api/networks', spec),
  getNetwork: (id) => request('GET', net(id)),
  patchNetwork: (id, patch) => request('PATCH', net(id), patch),
  deleteNetwork: (id) => request('DELETE', net(id)),
  putParameters: (id, parameters) => request('PUT', `${net(id)}/parameters`, { parameters }),
  getData: (id) => request('GET', `${net(id)}/data`),
  putData: (id, data) => request('PUT', `${net(id)}/data`, data),
  forward: (id, X) => request('POST', `${net(id)}/forward`, X ? { X } : undefined),
  backward: (id) => request('POST', `${net(id)}/backward`),
  step: (id, steps = 1) => request('POST', `${net(id)}/step`, { steps }),
  layer: (id, index) => request('GET', `${net(id)}/layers/${index}`),
  gradientCheck: (id) => request('POST', `${net(id)}/gradient-check`),
  lossSurface: (id, body) => request('POST', `${net(id)}/loss-surface`, body),
  lossSlice: (id, body) => request('POST', `${net(id)}/loss-slice`, body),
  race: (id, body) => request('POST', `${net(id)}/race`, body),
  heatmaps: (id, resolution = 40) =>
    request('GET', `${net(id)}/heatmaps?resolution=${resolution}`),
  reset: (id) => request('POST', `${net(id)}/reset`),
  exportNetwork: (id) => request('GET', `${net(id)}/export`),
  importNetwork: (doc) => request('POST', '/api/networks/import', doc),
  compute: (spec) => request('POST', '/api/compute', spec),

  /**
   * Open the play WebSocket. Messages: see app/api/routes/play.py.
   * @param {string} id
   * @param {{onFrame: Function, onMessage?: Function, onClose?: Function}} handlers
   * @returns {{send: (msg: object) => void, close: () => void, socket: WebSocket}}
   */
  play(id, handlers) {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new WebSocket(`${scheme}://${location.host}${net(id)}/play`);
    const queue = [];
    socket.addEventListener('open', () => { while (queue.length) socket.send(queue.shift()); });
    socket.addEventListener('message', (ev) => {
      const msg = JSON.parse(ev.data);
      if (msg.type === 'frame') handlers.onFrame(msg);
      else handlers.onMessage?.(msg);
    });
    socket.addEventListener('close', (ev) => handlers.onClose?.(ev));
    return {
      socket,
      send(msg) {
        const text = JSON.stringify(msg);
        if (socket.readyState === WebSocket.OPEN) socket.send(text);
        else queue.push(text);
      },
      close() { socket.close(); },
    };
  },
};

/**
 * Decode a uint8 heatmap (base64, see GET .../heatmaps) into a Float64Array of values.
 * @param {{lo: number, hi: number, data: string}} neuron
 * @returns {Float64Array} row-major res×res values (row = y index, column = x index)
 */
export function decodeHeatmap(neuron) {
  const bytes = Uint8Array.from(atob(neuron.data), (c) => c.charCodeAt(0));
  const out = new Float64Array(bytes.length);
  const scale = (neuron.hi - neuron.lo) / 255;
  for (let i = 0; i < bytes.length; i += 1) out[i] = neuron.lo + bytes[i] * scale;
  return out;
}

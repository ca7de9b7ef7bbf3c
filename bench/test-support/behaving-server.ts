// An Open Inference Protocol v2 server with known behaviour (delay, stalls, error bursts, serial processing),
// so tests can check that the load generator reports what the server actually did.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TensorMetadata } from '../model-metadata.js';

export interface Behaviour {
  model?: string;
  inputs?: TensorMetadata[];
  /** Fixed delay per request, or a function of the requests in flight when this one arrived (itself included). */
  delayMs?: number | ((inFlight: number) => number);
  /** Every `everyMs` (from server start) requests arriving in the first `forMs` wait until the stall ends. */
  stall?: { everyMs: number; forMs: number };
  /** Once, when the n-th infer request arrives, the server freezes for `forMs`: requests arriving meanwhile wait for its end. */
  freeze?: { atRequest: number; forMs: number };
  /** Every n-th infer request answers 503 with Retry-After: 1. */
  errorEvery?: number;
  /** Every n-th infer request has its connection destroyed without an answer. */
  destroyEvery?: number;
  /** Handle one request at a time, in arrival order. */
  serial?: boolean;
  /** Answer every request with 503 for this long after start, like a server still loading or not yet routed. */
  unavailableForMs?: number;
  /** Extra fields of the metadata answer (e.g. `versions: null`, as some servers write). */
  metadataExtra?: Record<string, unknown>;
  /** Paths answered 200 `{"ok":true}` whatever the method (also HEAD, without a body), counted in `otherRequests`. */
  plainPaths?: string[];
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  bodyBytes: number;
}

export interface ReceivedInput {
  name: string;
  datatype: string;
  shape: number[];
  encoding: 'json' | 'binary';
  elements: number;
  byteLength: number | null;
  firstValues: (number | boolean | string)[];
}

export interface BehavingServer {
  url: string;
  inferRequests: number;
  statusCounts: Record<number, number>;
  maxInFlight: number;
  /** Decoded inputs of the first requests (up to 50). */
  received: ReceivedInput[][];
  /** Payload problems found (a request with one is answered 400). */
  rejected: string[];
  /** Metadata requests (GET /v2/models/{model}). */
  metadataRequests: number;
  /** Requests to `plainPaths`, and the first 50 of them as received. */
  otherRequests: number;
  seen: SeenRequest[];
  close(): Promise<void>;
}

const byteSize: Record<string, number> = { FP32: 4, FP64: 8, FP16: 2, INT8: 1, INT16: 2, INT32: 4, INT64: 8, UINT8: 1, UINT16: 2, UINT32: 4, UINT64: 8, BOOL: 1 };

function decodeValues(datatype: string, bytes: Buffer, count: number): (number | boolean)[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = byteSize[datatype];
  const out: (number | boolean)[] = [];
  for (let i = 0; i < Math.min(count, 8); i++) {
    const o = i * size;
    const read: Record<string, () => number | boolean> = {
      FP32: () => view.getFloat32(o, true),
      FP64: () => view.getFloat64(o, true),
      FP16: () => view.getUint16(o, true),
      INT8: () => view.getInt8(o),
      INT16: () => view.getInt16(o, true),
      INT32: () => view.getInt32(o, true),
      INT64: () => Number(view.getBigInt64(o, true)),
      UINT8: () => view.getUint8(o),
      UINT16: () => view.getUint16(o, true),
      UINT32: () => view.getUint32(o, true),
      UINT64: () => Number(view.getBigUint64(o, true)),
      BOOL: () => view.getUint8(o) === 1,
    };
    out.push(read[datatype]());
  }
  return out;
}

interface RawInput {
  name: string;
  datatype: string;
  shape: number[];
  data?: unknown[];
  parameters?: { binary_data_size?: number };
}

/** Checks the inputs against the model's metadata; returns what was received, or throws a message for a 400. */
function decodeInfer(req: IncomingMessage, body: Buffer, inputs: TensorMetadata[]): ReceivedInput[] {
  const headerLength = req.headers['inference-header-content-length'];
  const binary = headerLength !== undefined;
  const jsonPart = binary ? body.subarray(0, Number(headerLength)) : body;
  const parsed = JSON.parse(jsonPart.toString('utf8')) as { inputs?: RawInput[] };
  if (!Array.isArray(parsed.inputs)) throw new Error('no inputs array');
  let offset = Number(headerLength ?? 0);
  const received = parsed.inputs.map((input) => {
    const spec = inputs.find((s) => s.name === input.name);
    if (!spec) throw new Error(`unknown input ${input.name}`);
    if (input.datatype !== spec.datatype) throw new Error(`input ${input.name}: datatype ${input.datatype}, expected ${spec.datatype}`);
    const fits = input.shape.length === spec.shape.length && spec.shape.every((d, i) => d === -1 || d === input.shape[i]);
    if (!fits) throw new Error(`input ${input.name}: shape [${input.shape}] does not fit [${spec.shape}]`);
    const elements = input.shape.reduce((n, d) => n * d, 1);
    if (binary) {
      const size = input.parameters?.binary_data_size;
      if (size !== elements * byteSize[input.datatype]) throw new Error(`input ${input.name}: binary_data_size ${size}, expected ${elements * byteSize[input.datatype]}`);
      const bytes = body.subarray(offset, offset + size);
      offset += size;
      const firstValues = decodeValues(input.datatype, bytes, elements);
      return { name: input.name, datatype: input.datatype, shape: input.shape, encoding: 'binary' as const, elements, byteLength: size, firstValues };
    }
    const data = (input.data ?? []).flat(Infinity) as (number | boolean | string)[];
    if (data.length !== elements) throw new Error(`input ${input.name}: ${data.length} values for shape [${input.shape}]`);
    return { name: input.name, datatype: input.datatype, shape: input.shape, encoding: 'json' as const, elements, byteLength: null, firstValues: data.slice(0, 8) };
  });
  if (binary && offset !== body.length) throw new Error(`binary body has ${body.length - offset} trailing bytes`);
  return received;
}

export async function startBehavingServer(behaviour: Behaviour = {}): Promise<BehavingServer> {
  const model = behaviour.model ?? 'm';
  const inputs = behaviour.inputs ?? [{ name: 'x', datatype: 'FP32', shape: [-1, 4] }];
  const startedAt = Date.now();
  let inFlight = 0;
  let serialQueue: Promise<void> = Promise.resolve();

  const state: BehavingServer = {
    url: '',
    inferRequests: 0,
    statusCounts: {},
    maxInFlight: 0,
    received: [],
    rejected: [],
    metadataRequests: 0,
    otherRequests: 0,
    seen: [],
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    if (res.destroyed) return;
    state.statusCounts[status] = (state.statusCounts[status] ?? 0) + 1;
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  let frozenUntil = 0;
  const behave = async (): Promise<void> => {
    if (behaviour.freeze && state.inferRequests === behaviour.freeze.atRequest) frozenUntil = Date.now() + behaviour.freeze.forMs;
    if (frozenUntil > Date.now()) await sleep(frozenUntil - Date.now());
    if (behaviour.stall) {
      const phase = (Date.now() - startedAt) % behaviour.stall.everyMs;
      if (phase < behaviour.stall.forMs) await sleep(behaviour.stall.forMs - phase);
    }
    const delay = typeof behaviour.delayMs === 'function' ? behaviour.delayMs(inFlight) : (behaviour.delayMs ?? 0);
    if (delay > 0) await sleep(delay);
  };

  const infer = async (req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> => {
    const n = ++state.inferRequests;
    if (behaviour.destroyEvery && n % behaviour.destroyEvery === 0) {
      req.socket.destroy();
      return;
    }
    let received: ReceivedInput[];
    try {
      received = decodeInfer(req, body, inputs);
    } catch (err) {
      state.rejected.push((err as Error).message);
      send(res, 400, { error: (err as Error).message });
      return;
    }
    if (state.received.length < 50) state.received.push(received);
    inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    try {
      if (behaviour.serial) {
        const turn = serialQueue.then(behave);
        serialQueue = turn;
        await turn;
      } else {
        await behave();
      }
    } finally {
      inFlight--;
    }
    if (behaviour.errorEvery && n % behaviour.errorEvery === 0) {
      send(res, 503, { error: 'overloaded, try again' }, { 'retry-after': '1' });
      return;
    }
    const rows = received[0]?.shape[0] ?? 1;
    send(res, 200, { model_name: model, outputs: [{ name: 'y', datatype: 'FP32', shape: [rows, 1], data: Array.from({ length: rows }, () => 0.5) }] });
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '';
      if (behaviour.unavailableForMs !== undefined && Date.now() - startedAt < behaviour.unavailableForMs) {
        send(res, 503, { error: 'not ready yet' });
      } else if (behaviour.plainPaths?.includes(url)) {
        state.otherRequests++;
        if (state.seen.length < 50) state.seen.push({ method: req.method ?? '', url, headers: req.headers, bodyBytes: Buffer.concat(chunks).length });
        void behave().then(() => send(res, 200, { ok: true }));
      } else if (req.method === 'GET' && url === `/v2/models/${model}`) {
        state.metadataRequests++;
        send(res, 200, { name: model, platform: 'test', inputs, outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 1] }], ...behaviour.metadataExtra });
      } else if (req.method === 'POST' && url === `/v2/models/${model}/infer`) {
        void infer(req, res, Buffer.concat(chunks));
      } else {
        send(res, 404, { error: `no route ${req.method} ${url}` });
      }
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

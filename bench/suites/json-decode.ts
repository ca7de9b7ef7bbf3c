// What a JSON inference body costs to decode into its tensors, the server's way (parseJsonBody, which reads number
// arrays straight into typed arrays) against JSON.parse's, side by side in one process, interleaved round by round in
// rotated order so both see the same machine. The bodies are the ones bench:server sends: seeded tensors of the
// model's input shape.
// Usage: node dist/bench/suites/json-decode.js [--models audio-cnn,mlp] [--rows 1] [--rounds 7] [--ms-per-round 400]
import { parseArgs } from 'node:util';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { decodeInferBody } from '../../server/codec/infer-body.js';
import { signatureFromOrt } from '../../server/model-signature.js';
import { builtinModelsDir } from '../../server/model-source.js';
import { decodeJsonRequest } from '../../server/protocol.js';
import { resolveInputShapes } from '../model-metadata.js';
import { buildPayloads } from '../payload.js';
import { fixed, formatTable } from '../table.js';
import { elementCount } from '../tensor-data.js';
import { median, rotated } from './rounds.js';

const { values: flags } = parseArgs({
  options: {
    models: { type: 'string', default: 'audio-cnn,mlp' },
    rows: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '7' },
    'ms-per-round': { type: 'string', default: '400' },
  },
});
const rows = Number(flags.rows);
const rounds = Number(flags.rounds);
const msPerRound = Number(flags['ms-per-round']);

/** Mean milliseconds per call of `decode` over about `ms` milliseconds (at least 3 calls, at most 100,000). */
function timePerCall(decode: () => unknown, ms: number): number {
  const started = performance.now();
  let calls = 0;
  while (calls < 3 || (performance.now() - started < ms && calls < 100_000)) {
    decode();
    calls++;
  }
  return (performance.now() - started) / calls;
}

console.log(`bench:json-decode · Node ${process.version} · ${rows} row(s) a body · ${rounds} interleaved rounds of ${msPerRound} ms each way`);
const table: string[][] = [];
for (const model of flags.models.split(',')) {
  const session = await ort.InferenceSession.create(path.join(builtinModelsDir(), `${model}.onnx`));
  const signature = signatureFromOrt(session.inputMetadata, session.outputMetadata);
  await session.release();
  const inputs = resolveInputShapes({ inputs: signature.inputs }, rows);
  const { body } = buildPayloads(inputs, { encoding: 'json', seed: 1, variants: 1 }).variants[0];
  const headers = { contentType: 'application/json' };
  const viaJsonParse = () => decodeJsonRequest(JSON.parse(body.toString('utf8')), signature);
  const viaServer = () => decodeInferBody(body, headers, { signature });
  // Both ways must agree before either is timed.
  const [a, b] = [viaJsonParse(), viaServer()];
  for (const spec of signature.inputs) {
    if (Buffer.compare(Buffer.from(a.inputs[spec.name].data.buffer), Buffer.from(b.inputs[spec.name].data.buffer)) !== 0) {
      throw new Error(`${model}: input '${spec.name}' decodes differently the two ways`);
    }
  }
  const parse: number[] = [];
  const server: number[] = [];
  const ways = [() => parse.push(timePerCall(viaJsonParse, msPerRound)), () => server.push(timePerCall(viaServer, msPerRound))];
  for (let r = 0; r < rounds; r++) for (const measure of rotated(ways, r)) measure();
  const ratios = parse.map((p, r) => p / server[r]);
  const elements = inputs.reduce((n, s) => n + elementCount(s.shape), 0);
  const range = `${fixed(Math.min(...ratios), 2)}–${fixed(Math.max(...ratios), 2)}`;
  table.push([model, fixed(body.length / 1024), String(elements), fixed(median(parse), 3), fixed(median(server), 3), `${fixed(median(ratios), 2)}× (${range})`]);
}
console.log(formatTable(['model', 'body KiB', 'elements', 'JSON.parse ms', 'decodeInferBody ms', 'speed-up (median of rounds)'], table));

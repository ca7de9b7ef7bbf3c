// What a JSON inference body costs to decode into its tensors, the server's way (parseJsonBody, which reads number
// arrays straight into typed arrays) against JSON.parse's, side by side in one process and interleaved round by round
// so both see the same machine. The bodies are the ones bench:server sends: seeded tensors of the model's input shape.
// Usage: node dist/bench/suites/json-decode.js [--models audio-cnn,mlp] [--rows 1] [--rounds 7] [--ms-per-round 400]
import { parseArgs } from 'node:util';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { decodeInferBody } from '../../server/codec/infer-body.js';
import { signatureFromOrt } from '../../server/model-signature.js';
import { builtinModelsDir } from '../../server/model-source.js';
import { decodeJsonRequest } from '../../server/protocol.js';
import { buildPayloads } from '../payload.js';

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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(`bench:json-decode · Node ${process.version} · ${rows} row(s) a body · ${rounds} interleaved rounds of ${msPerRound} ms each way`);
console.log('model      body KiB  elements  JSON.parse ms  decodeInferBody ms  speed-up (median of rounds)');
for (const model of flags.models.split(',')) {
  const session = await ort.InferenceSession.create(path.join(builtinModelsDir(), `${model}.onnx`));
  const signature = signatureFromOrt(session.inputMetadata, session.outputMetadata);
  await session.release();
  const inputs = signature.inputs.map((s) => ({ ...s, shape: s.shape.map((d, i) => (i === 0 ? rows : d < 0 ? 1 : d)) }));
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
  for (let r = 0; r < rounds; r++) {
    parse.push(timePerCall(viaJsonParse, msPerRound));
    server.push(timePerCall(viaServer, msPerRound));
  }
  const ratios = parse.map((p, r) => p / server[r]);
  const elements = inputs.reduce((n, s) => n + s.shape.reduce((x, y) => x * y, 1), 0);
  console.log(
    `${model.padEnd(10)} ${(body.length / 1024).toFixed(1).padStart(8)}  ${String(elements).padStart(8)}  ${median(parse).toFixed(3).padStart(13)}  ` +
      `${median(server).toFixed(3).padStart(18)}  ${median(ratios).toFixed(2)}× (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`,
  );
}

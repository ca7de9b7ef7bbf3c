// A trivial Open Inference Protocol v2 endpoint: constant small answers, no inference. It reads every body whole, as
// any server must. Run as a child process; prints {"port": N} on stdout once listening, exits on SIGTERM.
//
// With no argument it serves model 'm' (shape [-1, 4]) and answers at once: bench:loadgen measures load generators
// against it. With a JSON argument {"metadata": <a model's GET /v2/models/{name} answer>, "delayMs": N} it serves that
// model's metadata, so a load generator builds that model's real payloads, and answers each infer request N ms after
// its body arrived: bench:server's HTTP floor, paced like the server it stands beside. /v2/health/live and /ready
// answer at once, for the floor's health-check latency under the same load.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Config {
  metadata: { name: string; outputs?: { name: string }[]; [field: string]: unknown };
  delayMs: number;
}

const modelM = { name: 'm', platform: 'trivial', inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 4] }], outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 1] }] };
const config: Config = process.argv[2] ? (JSON.parse(process.argv[2]) as Config) : { metadata: modelM, delayMs: 0 };

const name = config.metadata.name;
const metadata = JSON.stringify(config.metadata);
const answer = JSON.stringify({ model_name: name, outputs: [{ name: config.metadata.outputs?.[0]?.name ?? 'y', datatype: 'FP32', shape: [1, 1], data: [0.5] }] });

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    Buffer.concat(chunks); // joined, as a server that decodes it must
    const body =
      req.method === 'GET' && req.url === `/v2/models/${name}`
        ? metadata
        : req.method === 'POST' && req.url === `/v2/models/${name}/infer`
          ? answer
          : req.method === 'GET' && (req.url === '/v2/health/live' || req.url === '/v2/health/ready')
            ? '{}'
            : undefined;
    const reply = () => {
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
      res.end(body ?? '{"error":"not found"}');
    };
    if (config.delayMs > 0 && req.method === 'POST') setTimeout(reply, config.delayMs);
    else reply();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});

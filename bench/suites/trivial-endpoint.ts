// A trivial Open Inference Protocol v2 endpoint for measuring load generators: constant small JSON, no work.
// Run as a child process; prints {"port": N} on stdout once listening, exits on SIGTERM.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const metadata = JSON.stringify({ name: 'm', platform: 'trivial', inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 4] }], outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 1] }] });
const answer = JSON.stringify({ model_name: 'm', outputs: [{ name: 'y', datatype: 'FP32', shape: [1, 1], data: [0.5] }] });

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const body = req.method === 'GET' && req.url === '/v2/models/m' ? metadata : req.method === 'POST' && req.url === '/v2/models/m/infer' ? answer : undefined;
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    res.end(body ?? '{"error":"not found"}');
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

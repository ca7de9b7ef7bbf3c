// The load threads' HTTP/1.1 framing on bytes: every response shape a server may send, whole and cut at any byte.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeRequest, ProtocolError, ResponseReader } from './http1-wire.js';

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');

/** Feeds `response` in pieces of `size` bytes; returns the reader and what the final feed returned. */
function read(response: string, size = Infinity, noBody = false): { reader: ResponseReader; used: number } {
  const reader = new ResponseReader();
  reader.reset(noBody);
  const all = bytes(response);
  let used = -1;
  for (let at = 0; at < all.length && used < 0; at += Math.min(size, all.length)) {
    used = reader.feed(all.subarray(at, Math.min(all.length, at + size)));
  }
  return { reader, used };
}

const SIZES = [1, 2, 3, 7, 64, Infinity];

test('content-length: done at the last body byte, whatever the pieces; keep-alive unless asked to close', () => {
  const response = 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\n\r\n{"ok":true}';
  for (const size of SIZES) {
    const { reader } = read(response, size);
    assert.equal(reader.done, true, `pieces of ${size}`);
    assert.equal(reader.status, 200);
    assert.equal(reader.keepAlive, true);
    assert.equal(reader.errorBody, null, 'a 2xx body is not kept');
  }
  assert.equal(read(response).used, bytes(response).length, 'every byte of the chunk used');
  assert.equal(read('HTTP/1.1 200 OK\r\nConnection: close\r\ncontent-length: 0\r\n\r\n').reader.keepAlive, false);
});

test('chunked bodies with extensions and trailers; a non-2xx body is kept for its message', () => {
  const response = 'HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n9;ext=1\r\n{"error":\r\n6\r\n "busy\r\n1\r\n}\r\n0\r\nx-trailer: 1\r\n\r\n';
  for (const size of SIZES) {
    const { reader } = read(response, size);
    assert.equal(reader.done, true, `pieces of ${size}`);
    assert.equal(reader.status, 503);
    assert.equal(Buffer.concat(reader.errorBody!).toString(), '{"error": "busy}');
  }
});

test('HTTP/1.0, a body that runs until close, 1xx before the answer, no body for HEAD and 204', () => {
  const untilClose = read('HTTP/1.0 200 OK\r\n\r\npartial');
  assert.equal(untilClose.reader.done, false);
  assert.equal(untilClose.reader.readsUntilClose, true);
  assert.equal(untilClose.reader.keepAlive, false);
  assert.equal(untilClose.reader.end(), true, 'the close completes it');
  assert.equal(untilClose.reader.done, true);
  const continued = read('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok', 5);
  assert.equal(continued.reader.status, 200);
  assert.equal(continued.reader.done, true);
  assert.equal(read('HTTP/1.1 200 OK\r\ncontent-length: 99\r\n\r\n', Infinity, true).reader.done, true, 'HEAD: no body whatever the length says');
  assert.equal(read('HTTP/1.1 204 No Content\r\n\r\n').reader.done, true);
});

test('what is not HTTP/1.x framing is a ProtocolError', () => {
  assert.throws(() => read('SSH-2.0-OpenSSH\r\n\r\n'), ProtocolError);
  assert.throws(() => read('HTTP/1.1 abc OK\r\n\r\n'), ProtocolError);
  assert.throws(() => read('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n'), /invalid chunk size/);
  assert.throws(() => read(`HTTP/1.1 200 OK\r\n${'x'.repeat(70_000)}`), /response head longer than/);
});

test('a request is encoded once: framing headers are the encoder\'s, bad names and values refused', () => {
  const wire = encodeRequest({ method: 'POST', path: '/v2/models/m/infer', host: '127.0.0.1:8080', headers: { 'content-type': 'application/json', 'Content-Length': '999', Connection: 'close' }, body: bytes('{}') }).toString('latin1');
  assert.equal(wire, 'POST /v2/models/m/infer HTTP/1.1\r\nhost: 127.0.0.1:8080\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}');
  assert.equal(encodeRequest({ method: 'GET', path: '/v2/health/ready', host: 'h', headers: {}, body: null }).toString('latin1'), 'GET /v2/health/ready HTTP/1.1\r\nhost: h\r\n\r\n');
  assert.throws(() => encodeRequest({ method: 'G ET', path: '/', host: 'h', headers: {}, body: null }), /invalid HTTP method/);
  assert.throws(() => encodeRequest({ method: 'GET', path: 'no-slash', host: 'h', headers: {}, body: null }), /must start with \//);
  assert.throws(() => encodeRequest({ method: 'GET', path: '/', host: 'h', headers: { 'x-a': 'b\r\nevil: 1' }, body: null }), /line break/);
});

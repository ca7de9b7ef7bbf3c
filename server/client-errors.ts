// Errors Node's HTTP parser meets before a request reaches fastify (a body too slow to arrive, a malformed request,
// oversized headers): answered on the socket itself, in the server's {"error": "..."} shape.
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';

export function clientErrorReply(code: string | undefined, requestTimeoutMs: number): { status: number; message: string } {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, message: `request was not received in full within ${requestTimeoutMs} ms (--request-timeout-ms)` };
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, message: 'request headers are larger than the server accepts' };
    default:
      return { status: 400, message: `malformed HTTP request${code ? ` (${code})` : ''}` };
  }
}

/** fastify's clientErrorHandler: writes the reply and closes the connection, as Node's own handler does. */
export function answerClientError(requestTimeoutMs: number): (err: Error & { code?: string }, socket: Socket) => void {
  return (err, socket) => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    if (socket.writable) {
      const { status, message } = clientErrorReply(err.code, requestTimeoutMs);
      const body = JSON.stringify({ error: message });
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy(err);
  };
}

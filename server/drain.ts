// The connection side of a graceful shutdown: stop listening, let accepted requests finish, then close what is left.
import type { FastifyInstance } from 'fastify';

// How often connections that have turned idle since the listener closed are closed too.
const idleSweepMs = 100;

/**
 * Closes the listener and every idle keep-alive connection, waits up to `drainTimeoutMs` for the connections still
 * busy to finish (their responses carry Connection: close, so each closes after its last answer), then closes the
 * rest. Resolves once every connection is closed.
 */
export async function closeConnections(app: FastifyInstance, drainTimeoutMs: number): Promise<void> {
  const closed = app.close();
  // A response begun before shutdown may still leave its connection open and idle once sent.
  const sweep = setInterval(() => app.server.closeIdleConnections(), idleSweepMs);
  let deadline: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((resolve) => (deadline = setTimeout(() => resolve('expired'), drainTimeoutMs)));
  try {
    if ((await Promise.race([closed, expired])) === 'expired') {
      app.server.closeAllConnections();
      await closed;
    }
  } finally {
    clearInterval(sweep);
    clearTimeout(deadline);
  }
}

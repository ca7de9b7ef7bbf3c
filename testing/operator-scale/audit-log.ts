// The operator's requests, read back from the API server's JSON audit log: one compact record per request.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

export interface OperatorRequest {
  /** When the API server received it (ms since the epoch). */
  at: number;
  /** The Kubernetes verb: get, list, watch, create, update (PUT), patch (PATCH, server-side apply included), delete. */
  verb: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  code?: number;
}

interface AuditEvent {
  stage?: string;
  verb?: string;
  user?: { username?: string };
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string };
  responseStatus?: { code?: number };
  requestReceivedTimestamp?: string;
}

/**
 * One request of `user` from one audit line, or undefined for other users, other stages and non-JSON lines. A watch
 * counts when it starts (ResponseStarted: it may still be open when the log is read); anything else when complete.
 */
export function parseAuditLine(line: string, user: string): OperatorRequest | undefined {
  // Cheap rejection first: a 5,000-object run logs hundreds of thousands of lines.
  if (!line.includes(user)) return undefined;
  let event: AuditEvent;
  try {
    event = JSON.parse(line) as AuditEvent;
  } catch {
    return undefined;
  }
  if (event.user?.username !== user || !event.verb || !event.requestReceivedTimestamp) return undefined;
  const countedStage = event.verb === 'watch' ? 'ResponseStarted' : 'ResponseComplete';
  if (event.stage !== countedStage) return undefined;
  const ref = event.objectRef ?? {};
  return {
    at: Date.parse(event.requestReceivedTimestamp),
    verb: event.verb,
    resource: ref.resource ?? '(none)',
    ...(ref.subresource ? { subresource: ref.subresource } : {}),
    ...(ref.namespace ? { namespace: ref.namespace } : {}),
    ...(ref.name ? { name: ref.name } : {}),
    ...(event.responseStatus?.code !== undefined ? { code: event.responseStatus.code } : {}),
  };
}

/** Every request of `user` in the audit log at `path`, in log order. */
export async function readOperatorRequests(path: string, user: string): Promise<OperatorRequest[]> {
  const requests: OperatorRequest[] = [];
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    const request = parseAuditLine(line, user);
    if (request) requests.push(request);
  }
  return requests;
}

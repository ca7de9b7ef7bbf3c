// HTTP/1.1 on the wire for the load threads: a request encoded once into the bytes every send writes, and an
// incremental response reader that keeps only what a measurement needs (status, an error body, keep-alive).
// Pure: no sockets here, so every framing case is tested on bytes.

export interface RequestTarget {
  method: string;
  /** Path and query, e.g. /v2/models/m/infer. */
  path: string;
  /** The Host header: host[:port] of the URL. */
  host: string;
  headers: Record<string, string>;
  body: Buffer | null;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FORBIDDEN_VALUE = /[\r\n\0]/;
/** Headers the framing owns: the encoder writes them itself. */
const FRAMING = new Set(['host', 'content-length', 'transfer-encoding', 'connection']);
const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/** The request's bytes, written as they are for every send (no per-request formatting). Throws on a malformed header. */
export function encodeRequest(t: RequestTarget): Buffer {
  if (!TOKEN.test(t.method)) throw new Error(`invalid HTTP method '${t.method}'`);
  if (!t.path.startsWith('/') || /[\s]/.test(t.path)) throw new Error(`invalid request path '${t.path}': it must start with / and contain no spaces`);
  const lines = [`${t.method} ${t.path} HTTP/1.1`, `host: ${t.host}`];
  for (const [name, value] of Object.entries(t.headers)) {
    if (!TOKEN.test(name)) throw new Error(`invalid header name '${name}'`);
    if (FORBIDDEN_VALUE.test(value)) throw new Error(`header '${name}' has a line break in its value`);
    if (FRAMING.has(name.toLowerCase())) continue;
    lines.push(`${name}: ${value}`);
  }
  const body = t.body ?? Buffer.alloc(0);
  if (body.length > 0 || METHODS_WITH_BODY.has(t.method)) lines.push(`content-length: ${body.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}

/** The server sent something that is not HTTP/1.x framing: the connection cannot be reused. */
export class ProtocolError extends Error {
  readonly code = 'VERNIER_HTTP_PROTOCOL';
}

/** Bytes of a non-2xx body kept for its error message. */
export const maxErrorBodyBytes = 4096;
/** Longest response head accepted: a server sending more is not speaking HTTP to us. */
const maxHeadBytes = 64 * 1024;

const enum State {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkEnd,
  Trailers,
  UntilClose,
  Done,
}

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');

/**
 * Reads one response at a time. `feed` returns -1 while the response is incomplete, else how many bytes of the
 * chunk it used (with pipelining off, bytes after a complete response are a protocol error for the caller).
 */
export class ResponseReader {
  status = 0;
  /** False when the server asked to close (Connection: close, HTTP/1.0) or the body runs until close. */
  keepAlive = true;
  /** Up to maxErrorBodyBytes of a non-2xx body. */
  errorBody: Buffer[] | null = null;
  private errorBytes = 0;
  private state = State.Head;
  private pending: Buffer | null = null;
  private remaining = 0;
  private noBody = false;

  /** Ready for the next response; `noBody` for a HEAD request. */
  reset(noBody: boolean): void {
    this.status = 0;
    this.keepAlive = true;
    this.errorBody = null;
    this.errorBytes = 0;
    this.state = State.Head;
    this.pending = null;
    this.remaining = 0;
    this.noBody = noBody;
  }

  get done(): boolean {
    return this.state === State.Done;
  }

  /** The body runs until the server closes: the close completes the response. */
  get readsUntilClose(): boolean {
    return this.state === State.UntilClose;
  }

  /** The connection closed: completes a body that runs until close. */
  end(): boolean {
    if (this.state !== State.UntilClose) return false;
    this.state = State.Done;
    return true;
  }

  /** Takes up to `remaining` bytes at `offset` (handing them to the body when `isBody`); returns the offset after them. */
  private consume(buf: Buffer, offset: number, isBody: boolean): number {
    const take = Math.min(this.remaining, buf.length - offset);
    if (isBody) this.body(buf, offset, take);
    this.remaining -= take;
    return offset + take;
  }

  feed(chunk: Buffer): number {
    let buf = chunk;
    let offset = 0;
    if (this.pending) {
      buf = Buffer.concat([this.pending, chunk]);
      offset = 0;
      this.pending = null;
    }
    const base = buf.length - chunk.length; // bytes of `buf` that came from earlier chunks
    while (offset <= buf.length) {
      switch (this.state) {
        case State.Head: {
          const end = buf.indexOf(HEAD_END, offset);
          if (end < 0) return this.keep(buf, offset, maxHeadBytes, 'response head');
          offset = this.head(buf, offset, end);
          break;
        }
        case State.Length: {
          offset = this.consume(buf, offset, true);
          if (this.remaining > 0) return -1;
          this.state = State.Done;
          break;
        }
        case State.ChunkSize: {
          const end = buf.indexOf(CRLF, offset);
          if (end < 0) return this.keep(buf, offset, 1024, 'chunk size line');
          const size = Number.parseInt(buf.toString('latin1', offset, end).split(';')[0].trim(), 16);
          if (!Number.isFinite(size) || size < 0) throw new ProtocolError(`invalid chunk size '${buf.toString('latin1', offset, end)}'`);
          offset = end + 2;
          this.remaining = size;
          this.state = size === 0 ? State.Trailers : State.ChunkData;
          break;
        }
        case State.ChunkData: {
          offset = this.consume(buf, offset, true);
          if (this.remaining > 0) return -1;
          this.state = State.ChunkEnd;
          this.remaining = 2;
          break;
        }
        case State.ChunkEnd: {
          offset = this.consume(buf, offset, false);
          if (this.remaining > 0) return -1;
          this.state = State.ChunkSize;
          break;
        }
        case State.Trailers: {
          const end = buf.indexOf(CRLF, offset);
          if (end < 0) return this.keep(buf, offset, maxHeadBytes, 'trailers');
          this.state = end === offset ? State.Done : State.Trailers;
          offset = end + 2;
          break;
        }
        case State.UntilClose:
          this.body(buf, offset, buf.length - offset);
          return -1;
        case State.Done:
          return offset - base;
      }
    }
    return -1;
  }

  /** Keeps an incomplete line or head for the next chunk. */
  private keep(buf: Buffer, offset: number, limit: number, what: string): number {
    if (buf.length - offset > limit) throw new ProtocolError(`${what} longer than ${limit} bytes`);
    this.pending = Buffer.from(buf.subarray(offset)); // a copy: the caller may reuse the chunk's memory
    return -1;
  }

  /**
   * Parses the head in buf[start, end) (`end`: where its blank line begins); returns where its body starts. Bytes,
   * not a string of the whole head: this runs once per response and only three header names matter.
   */
  private head(buf: Buffer, start: number, end: number): number {
    const firstLineEnd = lineEnd(buf, start, end);
    const statusLine = buf.toString('latin1', start, firstLineEnd);
    if (!statusLine.startsWith('HTTP/1.')) throw new ProtocolError(`not an HTTP/1.x response: '${statusLine.slice(0, 40)}'`);
    const status = Number(statusLine.slice(9, 12));
    if (!Number.isInteger(status) || status < 100) throw new ProtocolError(`invalid status line '${statusLine}'`);
    const bodyAt = end + 4;
    if (status >= 100 && status < 200 && status !== 101) return bodyAt; // informational: the real response follows
    this.status = status;
    this.keepAlive = statusLine.charCodeAt(7) !== 0x30; // HTTP/1.0 closes unless it says otherwise
    let length = -1;
    let chunked = false;
    for (let line = firstLineEnd + 2; line < end; ) {
      const eol = lineEnd(buf, line, end);
      const header = knownHeader(buf, line, eol);
      if (header) {
        const value = buf.toString('latin1', header.valueAt, eol).trim();
        if (header.name === 'content-length') length = Number(value);
        else if (header.name === 'transfer-encoding') chunked = /chunked$/i.test(value);
        else {
          const lower = value.toLowerCase();
          if (lower.includes('close')) this.keepAlive = false;
          else if (lower.includes('keep-alive')) this.keepAlive = true;
        }
      }
      line = eol + 2;
    }
    if (status < 200 || status >= 300) this.errorBody = [];
    if (this.noBody || status === 204 || status === 304) this.state = State.Done;
    else if (chunked) this.state = State.ChunkSize;
    else if (length >= 0) {
      if (!Number.isSafeInteger(length)) throw new ProtocolError(`invalid content-length in '${statusLine}'`);
      this.remaining = length;
      this.state = length === 0 ? State.Done : State.Length;
    } else {
      this.keepAlive = false;
      this.state = State.UntilClose;
    }
    return bodyAt;
  }

  private body(buf: Buffer, offset: number, length: number): void {
    if (!this.errorBody || this.errorBytes >= maxErrorBodyBytes || length <= 0) return;
    const take = Math.min(length, maxErrorBodyBytes - this.errorBytes);
    this.errorBody.push(Buffer.from(buf.subarray(offset, offset + take)));
    this.errorBytes += take;
  }
}

/** Where the line starting at `from` ends (its CR), or `end`. */
function lineEnd(buf: Buffer, from: number, end: number): number {
  let at = from;
  while (at < end && buf[at] !== 0x0d) at++;
  return at;
}

const KNOWN_HEADERS = ['content-length', 'transfer-encoding', 'connection'] as const;
type KnownHeader = (typeof KNOWN_HEADERS)[number];
const KNOWN_BYTES = KNOWN_HEADERS.map((name) => Buffer.from(name, 'latin1'));

/** The header on buf[from, to) when it is one the framing reads, compared case-insensitively byte by byte. */
function knownHeader(buf: Buffer, from: number, to: number): { name: KnownHeader; valueAt: number } | null {
  let colon = from;
  while (colon < to && buf[colon] !== 0x3a) colon++;
  let nameEnd = colon;
  while (nameEnd > from && (buf[nameEnd - 1] === 0x20 || buf[nameEnd - 1] === 0x09)) nameEnd--;
  if (colon === to || nameEnd === from) return null;
  next: for (let k = 0; k < KNOWN_BYTES.length; k++) {
    const known = KNOWN_BYTES[k];
    if (known.length !== nameEnd - from) continue;
    for (let i = 0; i < known.length; i++) if ((buf[from + i] | 0x20) !== known[i]) continue next;
    return { name: KNOWN_HEADERS[k], valueAt: colon + 1 };
  }
  return null;
}

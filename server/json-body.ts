// JSON inference bodies, read straight from their bytes. JSON.parse spends most of a tensor body's time turning every
// number of `data` into an element of a plain array; this reads a flat array of numbers into a Float64Array in one
// pass instead (audio-cnn's 48,000 floats decoded into their tensor: 2.0× faster on Node 20, 1.4× on Node 24;
// `npm run bench:json-decode`). Anything it does not read plainly (malformed, nested deeper than the stack) goes to
// JSON.parse, so the values and the error messages are JSON.parse's own. No maintained pure-JS library reads JSON
// numbers into typed arrays; simdjson's bindings are a native build this image does not carry.

/** A flat `data` array of plain numbers, as parseJsonBody delivers it. */
export type NumberArray = Float64Array;

/** Exact powers of ten: an integer of at most 15 digits divided by one of them is correctly rounded (as JSON.parse is). */
const POWERS_OF_TEN = Array.from({ length: 16 }, (_, i) => 10 ** i);
/** Digits a mantissa may have for the exact division above: 10^15 < 2^53. */
const EXACT_DIGITS = 15;

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const LOWER_E = 0x65;
const UPPER_E = 0x45;

/** Thrown where the fast reading stops; parseJsonBody then leaves the body to JSON.parse. */
const notPlain = new Error('not plain JSON');

const isDigit = (c: number) => c >= ZERO && c <= NINE;
const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * Where the number readNumber read last ends: a second return value without an object per element. (A position is a
 * small integer, stored as it is; a double kept here instead would be boxed at every write.)
 */
let numberEnd = 0;

/**
 * The JSON number at `start`, its end in numberEnd: exact digits in one pass where they fit a double exactly, else the
 * text to Number().
 */
function readNumber(b: Uint8Array, start: number): number {
  let i = start;
  const negative = b[i] === MINUS;
  if (negative) i++;
  let c = b[i];
  let mantissa = 0;
  let digits = 0;
  let decimals = 0;
  if (c === ZERO) {
    c = b[++i];
    digits = 1;
  } else if (isDigit(c)) {
    for (; isDigit(c); c = b[++i], digits++) mantissa = mantissa * 10 + (c - ZERO);
  } else {
    throw notPlain;
  }
  if (c === DOT) {
    c = b[++i];
    if (!isDigit(c)) throw notPlain;
    for (; isDigit(c); c = b[++i], digits++, decimals++) mantissa = mantissa * 10 + (c - ZERO);
  }
  const exponent = c === LOWER_E || c === UPPER_E;
  if (exponent) {
    c = b[++i];
    if (c === PLUS || c === MINUS) c = b[++i];
    if (!isDigit(c)) throw notPlain;
    while (isDigit(c)) c = b[++i];
  }
  numberEnd = i;
  // A valid JSON number by now, which Number() reads exactly as JSON.parse does.
  if (exponent || digits > EXACT_DIGITS) return Number(String.fromCharCode(...b.subarray(start, i)));
  const magnitude = decimals === 0 ? mantissa : mantissa / POWERS_OF_TEN[decimals];
  return negative ? -magnitude : magnitude;
}

/** The most elements of the scratch array kept between bodies (8 MiB); a larger body's array grows and goes. */
const SCRATCH_KEPT = 1 << 20;
/**
 * Numbers are read into this array, grown as a body needs, then copied out at their exact count: one allocation per
 * array rather than one per doubling, each zero-filled and left to the collector.
 */
let scratch = new Float64Array(4096);

class Reader {
  private at = 0;

  /** The same bytes as a plain Uint8Array, which V8 indexes faster than a Buffer. */
  private readonly bytes: Uint8Array;

  constructor(private readonly body: Buffer) {
    this.bytes = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  }

  document(): unknown {
    const value = this.value(false);
    this.skipSpace();
    if (this.at !== this.bytes.length) throw notPlain;
    return value;
  }

  private skipSpace(): void {
    const b = this.bytes;
    while (isSpace(b[this.at])) this.at++;
  }

  /** `isData`: the value of a "data" member, which is read as a NumberArray when it is a flat array of numbers. */
  private value(isData: boolean): unknown {
    this.skipSpace();
    const c = this.bytes[this.at];
    if (c === OPEN_BRACE) return this.object();
    if (c === OPEN_BRACKET) return (isData && this.numberArray()) || this.array();
    if (c === QUOTE) return this.string();
    if (c === MINUS || isDigit(c)) return this.number();
    if (this.literal('true')) return true;
    if (this.literal('false')) return false;
    if (this.literal('null')) return null;
    throw notPlain;
  }

  private literal(word: string): boolean {
    for (let i = 0; i < word.length; i++) if (this.bytes[this.at + i] !== word.charCodeAt(i)) return false;
    this.at += word.length;
    return true;
  }

  private object(): Record<string, unknown> {
    const b = this.bytes;
    const result: Record<string, unknown> = {};
    this.at++;
    this.skipSpace();
    if (b[this.at] === CLOSE_BRACE) {
      this.at++;
      return result;
    }
    for (;;) {
      this.skipSpace();
      if (b[this.at] !== QUOTE) throw notPlain;
      const key = this.string();
      this.skipSpace();
      if (b[this.at++] !== COLON) throw notPlain;
      const value = this.value(key === 'data');
      // A member named __proto__ is an own property, as JSON.parse makes it, never the object's prototype.
      if (key === '__proto__') Object.defineProperty(result, key, { value, writable: true, enumerable: true, configurable: true });
      else result[key] = value;
      this.skipSpace();
      const c = b[this.at++];
      if (c === CLOSE_BRACE) return result;
      if (c !== COMMA) throw notPlain;
    }
  }

  private array(): unknown[] {
    const b = this.bytes;
    const result: unknown[] = [];
    this.at++;
    this.skipSpace();
    if (b[this.at] === CLOSE_BRACKET) {
      this.at++;
      return result;
    }
    for (;;) {
      result.push(this.value(false));
      this.skipSpace();
      const c = b[this.at++];
      if (c === CLOSE_BRACKET) return result;
      if (c !== COMMA) throw notPlain;
    }
  }

  /** A non-empty array of numbers only, or undefined (and nothing consumed) for any other array. */
  private numberArray(): NumberArray | undefined {
    const b = this.bytes;
    let values = scratch;
    let length = 0;
    // The hot loop of a tensor body: the position stays in a local, each number is read in place.
    let i = this.at + 1;
    for (;;) {
      while (isSpace(b[i])) i++;
      const c = b[i];
      if (c !== MINUS && !isDigit(c)) return undefined;
      if (length === values.length) {
        const grown = new Float64Array(length * 2);
        grown.set(values);
        values = grown;
        if (grown.length <= SCRATCH_KEPT) scratch = grown;
      }
      values[length++] = readNumber(b, i);
      i = numberEnd;
      while (isSpace(b[i])) i++;
      const next = b[i++];
      if (next === CLOSE_BRACKET) {
        this.at = i;
        return values.slice(0, length);
      }
      if (next !== COMMA) return undefined;
    }
  }

  private number(): number {
    const value = readNumber(this.bytes, this.at);
    this.at = numberEnd;
    return value;
  }

  private string(): string {
    const b = this.bytes;
    const start = this.at;
    let escaped = false;
    let ascii = true;
    for (let i = start + 1; i < b.length; i++) {
      const c = b[i];
      if (c === QUOTE) {
        this.at = i + 1;
        // Escapes are JSON.parse's to read; plain text is a slice of the body, decoded as JSON.parse's caller would.
        if (escaped) return JSON.parse(this.body.toString('utf8', start, i + 1)) as string;
        return this.body.toString(ascii ? 'latin1' : 'utf8', start + 1, i);
      }
      if (c < 0x20) throw notPlain;
      if (c === BACKSLASH) {
        escaped = true;
        i++;
      } else if (c >= 0x80) {
        ascii = false;
      }
    }
    throw notPlain;
  }
}

/**
 * A JSON body, as JSON.parse reads its UTF-8 text, except that a non-empty flat array of numbers that is the value of
 * a "data" member comes as a NumberArray. Malformed bodies throw JSON.parse's own SyntaxError.
 */
export function parseJsonBody(bytes: Buffer): unknown {
  try {
    return new Reader(bytes).document();
  } catch {
    // Not read here (malformed, a bad escape, nested deeper than the stack): JSON.parse reads it, or says what is wrong.
    return JSON.parse(bytes.toString('utf8'));
  }
}

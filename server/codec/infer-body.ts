// An inference request's body as the route receives it, decoded against the served model: JSON tensors or the binary
// tensor extension. The one decoding path: the HTTP thread runs it for small bodies, the codec threads for the rest.
import type { ModelSignature } from '../model-signature.js';
import { parseJsonBody } from '../json-body.js';
import { decodeBinaryRequest, decodeJsonRequest, readHeaderLength, RequestError, type InferRequest } from '../protocol.js';

/**
 * JSON bodies from this size on are read by parseJsonBody; below it JSON.parse is faster, having no typed arrays to
 * set up (bench:json-decode with mlp: 0.7× at 0.3 KiB, 1.1× at 1 KiB, 1.7× from 4 KiB on).
 */
export const NUMBER_READER_MIN_BYTES = 1024;

/** The headers decoding depends on. */
export interface BodyHeaders {
  contentType?: string;
  /** Inference-Header-Content-Length, as received. */
  headerLength?: string | string[];
}

/** What decoding needs of the served model. */
export interface DecodeContext {
  signature: ModelSignature;
  /** Text-embedding models: the most texts one request may carry (absent for tensor models). */
  maxTexts?: number;
}

export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';', 1)[0].trim().toLowerCase();
}

export const contentTypeAdvice =
  'send JSON tensors as application/json, or binary tensors as application/octet-stream with an Inference-Header-Content-Length header';

/** Decodes a body: raw bytes (JSON or binary), or what fastify already made of it (a string for text/plain). */
export function decodeInferBody(body: unknown, headers: BodyHeaders, context: DecodeContext): InferRequest {
  const request = decodeAny(body, headers, context.signature);
  if (context.maxTexts !== undefined && request.rows > context.maxTexts) {
    throw new RequestError(`request carries ${request.rows} texts, more than the server's ${context.maxTexts} (--max-client-batch-size)`, 413);
  }
  return request;
}

function decodeAny(body: unknown, headers: BodyHeaders, signature: ModelSignature): InferRequest {
  // fastify hands text/plain bodies over as strings: JSON sent with the wrong content type.
  if (typeof body === 'string' && mediaTypeOf(headers.contentType) === 'text/plain') {
    throw new RequestError(`content type text/plain is not one this route reads; ${contentTypeAdvice}`);
  }
  if (body instanceof Uint8Array) {
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    if (headers.headerLength === undefined) {
      let json: unknown;
      try {
        json = bytes.length >= NUMBER_READER_MIN_BYTES ? parseJsonBody(bytes) : JSON.parse(bytes.toString('utf8'));
      } catch (err) {
        if (mediaTypeOf(headers.contentType) === 'application/json') {
          throw new RequestError(bytes.length === 0 ? 'body is empty; send a JSON inference request' : `body is not valid JSON: ${(err as Error).message}`);
        }
        throw new RequestError(`body is neither JSON nor a binary tensor request (no Inference-Header-Content-Length header); ${contentTypeAdvice}`);
      }
      return decodeJsonRequest(json, signature);
    }
    return decodeBinaryRequest(bytes, readHeaderLength(headers.headerLength), signature);
  }
  return decodeJsonRequest(body, signature);
}

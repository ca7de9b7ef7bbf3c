// gzip and deflate request bodies (tritonclient's request_compression_algorithm) and responses (Accept-Encoding),
// through @fastify/compress, with the decompressed size held to the body limit.
import type { FastifyCompressOptions } from '@fastify/compress';
import type { Transform } from 'node:stream';
import zlib, { type ZlibOptions } from 'node:zlib';
import { RequestError } from './protocol.js';

const requestEncodings = ['gzip', 'deflate'] as const;

/**
 * zlib decompressors that stop inflating once they have produced more than `limitBytes`. Fastify answers 413 when
 * the decompressed body passes the limit but leaves the decompressor running on whatever input still arrives (a
 * zip bomb inflates ~1000:1); pausing it stops the inflation, and the 413 closes the connection.
 */
export function boundedDecompressors(limitBytes: number) {
  const bounded = <T extends Transform>(stream: T): T => {
    let inflated = 0;
    stream.on('data', (chunk: Buffer) => {
      inflated += chunk.length;
      if (inflated > limitBytes) stream.pause();
    });
    return stream;
  };
  return {
    createGunzip: (options?: ZlibOptions) => bounded(zlib.createGunzip(options)),
    createInflate: (options?: ZlibOptions) => bounded(zlib.createInflate(options)),
  };
}

export function compressionOptions(bodyLimitBytes: number): FastifyCompressOptions {
  return {
    encodings: ['gzip', 'deflate'],
    requestEncodings: [...requestEncodings, 'identity'],
    zlib: boundedDecompressors(bodyLimitBytes),
    onUnsupportedRequestEncoding: (encoding) =>
      new RequestError(`request Content-Encoding '${encoding}' is not supported; send ${requestEncodings.join(' or ')}, or no encoding`, 415),
    // The library copies this object's enumerable fields onto zlib's error, so the message has to be one of them.
    onInvalidRequestPayload: (encoding, _request, err) =>
      Object.assign(new Error(), { message: `request body does not decompress as ${encoding}: ${err.message}`, statusCode: 400 }),
  };
}

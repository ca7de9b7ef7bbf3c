// Fetches one pod's Prometheus exposition over HTTP.

/** An exposition larger than this is not a server pod's: it is refused rather than held in memory. */
export const MAX_EXPOSITION_BYTES = 8 * 1024 * 1024;

/** The text at `url`; rejects on a non-2xx answer, a body over MAX_EXPOSITION_BYTES, or after `timeoutMs` in all. */
export async function scrapeMetrics(url: string, timeoutMs: number): Promise<string> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(url, { signal, headers: { accept: 'text/plain;version=0.0.4' } });
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`GET ${url} answered HTTP ${response.status}`);
    }
    return await readText(response, url);
  } catch (err) {
    if (signal.aborted) throw new Error(`GET ${url} timed out after ${timeoutMs} ms`, { cause: err });
    throw err;
  }
}

async function readText(response: Response, url: string): Promise<string> {
  if (!response.body) return '';
  const decoder = new TextDecoder();
  const reader = response.body.getReader();
  let text = '';
  let bytes = 0;
  // Ends when the body does, when it grows past the limit, or when the timeout aborts the read.
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    bytes += value.byteLength;
    if (bytes > MAX_EXPOSITION_BYTES) {
      await reader.cancel();
      throw new Error(`GET ${url} answered more than ${MAX_EXPOSITION_BYTES} bytes`);
    }
    text += decoder.decode(value, { stream: true });
  }
}

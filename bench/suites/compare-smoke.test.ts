// The smoke form of `npm run bench:compare`: every contender starts (the Python venv is built from PyPI if missing) and
// serves a tiny load. No performance assertion: only that each one answered and the outputs were written.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ComparePoint, InProcessLimit } from './compare-summary.js';

const compareScript = fileURLToPath(new URL('./compare.js', import.meta.url));
const expectedContenders = ['vernier inline', 'vernier shared', 'vernier pool', 'vernier batched', 'python fastapi', 'python fastapi+executor'];

test('bench:compare --smoke starts every contender and each serves requests', { timeout: 300_000 }, async (t) => {
  const out = await mkdtemp(path.join(tmpdir(), 'vernier-compare-smoke-'));
  t.after(() => rm(out, { recursive: true, force: true }));

  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
    execFile(process.execPath, [compareScript, '--smoke', '--out', out], { timeout: 280_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, output: `${stdout}${stderr}` });
    });
  });
  assert.equal(code, 0, `smoke run failed:\n${output}`);

  const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as { points: ComparePoint[]; inProcess: InProcessLimit[]; failures: unknown[] };
  assert.deepEqual(report.failures, [], 'no contender failed');
  for (const contender of expectedContenders) {
    const points = report.points.filter((p) => p.contender === contender);
    assert.ok(points.length > 0, `${contender} was measured`);
    for (const p of points) {
      assert.ok(p.throughputRps > 0, `${contender} served requests (${p.throughputRps} req/s)`);
      assert.ok(p.errorRate <= 0.01, `${contender} answered without errors (error rate ${p.errorRate})`);
    }
  }
  assert.equal(report.inProcess.length, 1);
  assert.ok(report.inProcess[0].rowsPerSecond > 0, 'the in-process limit was measured');
  assert.ok(existsSync(path.join(out, 'tables.md')), 'tables.md written');
  assert.match(readFileSync(path.join(out, 'p99-vs-throughput-mlp-json.svg'), 'utf8'), /^<svg [^>]*>[\s\S]*<\/svg>\n$/);
});

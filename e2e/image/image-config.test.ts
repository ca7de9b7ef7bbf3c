// The registry-free build and the Dockerfile must describe the same image: same files (one recipe, stage.sh) and
// the same user, working directory, environment and entrypoint.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../k8s/binaries.js';
import { defaultSettings } from '../../operator/settings.js';

const root = repoRoot();
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
/** The final stage: what the image is. */
const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
const buildScript = readFileSync(join(root, 'e2e', 'image', 'build-image.sh'), 'utf8');

function dockerfileInstruction(name: string): string {
  const line = finalStage.split('\n').find((l) => l.startsWith(`${name} `));
  assert.ok(line, `the Dockerfile's final stage has no ${name} instruction`);
  return line.slice(name.length + 1).trim();
}

function buildFlag(name: string): string[] {
  return [...buildScript.matchAll(new RegExp(`--${name} ('[^']*'|\\S+)`, 'g'))].map((m) => m[1].replace(/^'|'$/g, ''));
}

test('the Dockerfile lays out its files with the same recipe as the registry-free build', () => {
  assert.match(dockerfile, /bash e2e\/image\/stage\.sh \/stage/);
  assert.match(dockerfile, /COPY --from=build \/stage\/rootfs\/ \//);
  assert.match(buildScript, /stage\.sh/);
});

test('user, working directory, environment and entrypoint agree between the Dockerfile and build-image.sh', () => {
  assert.deepEqual([dockerfileInstruction('USER')], buildFlag('user'));
  assert.deepEqual([dockerfileInstruction('WORKDIR')], buildFlag('workdir'));
  assert.deepEqual(dockerfileInstruction('ENV').split(/\s+/), buildFlag('env'));
  assert.deepEqual(JSON.parse(dockerfileInstruction('ENTRYPOINT')), JSON.parse(buildFlag('entrypoint')[0]));
});

test('the image is built under the name the operator deploys by default', () => {
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  assert.equal(defaultSettings().serverImage, `vernier:${version}`);
  assert.match(buildScript, /REF="vernier:\$VERSION"/);
});

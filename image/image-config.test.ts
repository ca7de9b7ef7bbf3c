// The registry-free build and the Dockerfile must describe the same image: same files (one recipe, image/stage.sh)
// and the same user, working directory, environment and entrypoint.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageRoot, packageVersion } from '../contracts/package-root.js';
import { defaultSettings } from '../operator/settings.js';

const root = packageRoot();
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
  assert.match(dockerfile, /^RUN .*bash image\/stage\.sh \/stage$/m);
  assert.match(dockerfile, /COPY --from=build \/stage\/rootfs\/ \//);
  assert.match(buildScript, /^VERNIER_IMAGE_VARIANT="\$VARIANT" bash "\$REPO\/image\/stage\.sh" /m);
  assert.match(dockerfile, /^RUN .*VERNIER_IMAGE_VARIANT=\$VARIANT bash image\/stage\.sh \/stage$/m);
});

test('the Dockerfile builds from the product tree, not from the test harness in e2e/', () => {
  const instructions = dockerfile.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
  assert.deepEqual(instructions.filter((line) => line.includes('e2e/')), []);
});

test('user, working directory, environment and entrypoint agree between the Dockerfile and build-image.sh', () => {
  assert.deepEqual([dockerfileInstruction('USER')], buildFlag('user'));
  assert.deepEqual([dockerfileInstruction('WORKDIR')], buildFlag('workdir'));
  assert.deepEqual(dockerfileInstruction('ENV').split(/\s+/), buildFlag('env'));
  assert.deepEqual(JSON.parse(dockerfileInstruction('ENTRYPOINT')), JSON.parse(buildFlag('entrypoint')[0]));
});

test('both variants are built under the names the operator deploys by default', () => {
  assert.equal(defaultSettings().serverImage, `vernier:${packageVersion()}`);
  assert.equal(defaultSettings().cudaServerImage, `vernier:${packageVersion()}-cuda`);
  assert.match(buildScript, /^TAG="\$VERSION\$\(\[ "\$VARIANT" = cuda \] && echo -cuda \|\| true\)"$/m);
  assert.match(buildScript, /REF="vernier:\$TAG"/);
});

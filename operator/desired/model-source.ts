// Where the server finds its model in the pod: builtin:// in the image, pvc:// on a mounted claim, https:// fetched by an init container.
import type { V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { DOWNLOADED_MODEL_FILE, MODEL_MOUNT_PATH } from '../../contracts/index.js';
import type { ModelSpec } from '../../crds/index.js';

const FETCHED_MODEL_FILE = `${MODEL_MOUNT_PATH}/${DOWNLOADED_MODEL_FILE}`;

/** Downloads argv[1] to argv[3] if its SHA-256 equals argv[2]; run with `node --input-type=module -e`. */
export const FETCH_MODEL_SCRIPT = `
import { createHash } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
const [url, expected, dest] = process.argv.slice(1);
const fail = (message) => { console.error(message); process.exit(1); };
let response;
try { response = await fetch(url, { signal: AbortSignal.timeout(600000) }); } catch (err) { fail('GET ' + url + ': ' + (err.cause?.message ?? err.message)); }
if (!response.ok) fail('GET ' + url + ': HTTP ' + response.status);
const body = Buffer.from(await response.arrayBuffer());
const actual = createHash('sha256').update(body).digest('hex');
if (actual !== expected) fail(url + ': sha256 ' + actual + ' does not match spec.model.sha256 ' + expected);
await writeFile(dest + '.part', body);
await rename(dest + '.part', dest);
console.log('fetched ' + url + ' (' + body.length + ' bytes, sha256 ' + actual + ')');
`.trim();

/** The volumes and init containers that put the model where `serverModelRef` (crds/workload.ts) tells the server to look. */
export interface ModelSource {
  volumes: V1Volume[];
  /** Mounts for the server container. */
  mounts: V1VolumeMount[];
  /** Init containers without image, pull policy, security context and the tmp mount (the Deployment builder adds them). */
  initContainers: Array<{ name: string; command: string[]; args: string[]; volumeMounts: V1VolumeMount[] }>;
}

export function modelSource(model: ModelSpec): ModelSource {
  const none: ModelSource = { volumes: [], mounts: [], initContainers: [] };
  if (model.uri.startsWith('builtin://')) return none;
  if (model.uri.startsWith('pvc://')) {
    const rest = model.uri.slice('pvc://'.length);
    const slash = rest.indexOf('/');
    const claimName = rest.slice(0, slash);
    return {
      volumes: [{ name: 'model', persistentVolumeClaim: { claimName, readOnly: true } }],
      mounts: [{ name: 'model', mountPath: MODEL_MOUNT_PATH, readOnly: true }],
      initContainers: [],
    };
  }
  if (model.uri.startsWith('https://')) {
    if (!model.sha256) throw new Error(`spec.model.sha256 is required for ${model.uri} (the download is verified against it)`);
    return {
      volumes: [{ name: 'model', emptyDir: {} }],
      mounts: [{ name: 'model', mountPath: MODEL_MOUNT_PATH, readOnly: true }],
      initContainers: [
        {
          name: 'fetch-model',
          command: ['node', '--input-type=module', '-e', FETCH_MODEL_SCRIPT],
          args: [model.uri, model.sha256, FETCHED_MODEL_FILE],
          volumeMounts: [{ name: 'model', mountPath: MODEL_MOUNT_PATH }],
        },
      ],
    };
  }
  throw new Error(`spec.model.uri: unsupported scheme in ${model.uri} (expected builtin://, https:// or pvc://)`);
}

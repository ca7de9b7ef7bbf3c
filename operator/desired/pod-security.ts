// Pod Security Standards "restricted" for every pod the operator creates.

/** The UID the image's files are readable by; any non-root UID works because the root filesystem is read-only. */
export const RUN_AS_USER = 10001;

export function restrictedPodSecurityContext(): Record<string, unknown> {
  return {
    runAsNonRoot: true,
    runAsUser: RUN_AS_USER,
    runAsGroup: RUN_AS_USER,
    fsGroup: RUN_AS_USER,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function restrictedContainerSecurityContext(): Record<string, unknown> {
  return {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** A writable /tmp on a read-only root filesystem. */
export const TMP_VOLUME = { name: 'tmp', emptyDir: { sizeLimit: '256Mi' } };
export const TMP_MOUNT = { name: 'tmp', mountPath: '/tmp' };

/** The program inside the image. */
export const VERNIER_COMMAND = ['node', '/app/dist/cli/vernier.js'];

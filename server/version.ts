import { packageVersion } from '../contracts/package-root.js';

/** The package version the server reports (metadata and /v2), from the package.json above dist/ or /app/dist/. */
export const serverVersion: string = packageVersion();

// Whether the server under load runs on the generator's own machine: then they compete for the same cores.
import { hostname, networkInterfaces } from 'node:os';

/** Addresses of this machine's interfaces, and its host name. */
export function ownAddresses(): Set<string> {
  const addresses = new Set<string>([hostname().toLowerCase(), 'localhost']);
  for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) addresses.add(i.address.toLowerCase());
  return addresses;
}

/** True for loopback (127.0.0.0/8, ::1, localhost) and for any address or name of this machine. */
export function isLocalTarget(url: string, own: Set<string> = ownAddresses()): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\./.test(host) || host === '0.0.0.0' || host === '::') return true;
  if (host.startsWith('::ffff:')) return isLocalTarget(`http://${host.slice(7)}`, own);
  return own.has(host);
}

// Merging options over defaults with spread: a key present but undefined would otherwise erase the default.

/** `obj` without its undefined-valued keys, so options given as undefined take the default instead of erasing it. */
export function definedOnly<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}

// Runs an Argo CD resource health check (Lua) against an object, as Argo CD does: the object is the global `obj`,
// the chunk returns a table {status, message}. fengari is Lua 5.3 and Argo CD's gopher-lua 5.1; the check uses
// only what both share (tables, ipairs, string concatenation, tostring).
import fengari from 'fengari';

const { lua, lauxlib, lualib, to_luastring } = fengari;

export interface HealthStatus {
  status: string;
  message: string;
}

/** A Lua expression building `value` (JSON data: objects, arrays, strings, numbers, booleans; null is nil). */
export function luaLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'string') return JSON.stringify(value); // JSON string escapes are valid Lua escapes for this data
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `{${value.map(luaLiteral).join(', ')}}`;
  const fields = Object.entries(value as Record<string, unknown>).map(([k, v]) => `[${JSON.stringify(k)}] = ${luaLiteral(v)}`);
  return `{${fields.join(', ')}}`;
}

export function runHealthCheck(script: string, obj: unknown): HealthStatus {
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  const run = (source: string, results: number) => {
    if (lauxlib.luaL_loadstring(L, to_luastring(source)) !== lua.LUA_OK || lua.lua_pcall(L, 0, results, 0) !== lua.LUA_OK) {
      throw new Error(`Lua error: ${lua.lua_tojsstring(L, -1)}`);
    }
  };
  run(`obj = ${luaLiteral(obj)}`, 0);
  run(script, 1);
  if (!lua.lua_istable(L, -1)) throw new Error('the health check returned no table');
  const field = (name: string) => {
    lua.lua_getfield(L, -1, to_luastring(name));
    const value = lua.lua_tojsstring(L, -1);
    lua.lua_pop(L, 1);
    return value ?? '';
  };
  return { status: field('status'), message: field('message') };
}

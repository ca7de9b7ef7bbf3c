// The few parts of fengari (a Lua 5.3 VM in JavaScript) the Argo CD health check test uses.
declare module 'fengari' {
  type LuaState = object;
  export const lua: {
    LUA_OK: number;
    lua_pcall(L: LuaState, nargs: number, nresults: number, msgh: number): number;
    lua_getfield(L: LuaState, index: number, key: Uint8Array): number;
    lua_setglobal(L: LuaState, name: Uint8Array): void;
    lua_tojsstring(L: LuaState, index: number): string | null;
    lua_istable(L: LuaState, index: number): boolean;
    lua_pop(L: LuaState, n: number): void;
  };
  export const lauxlib: {
    luaL_newstate(): LuaState;
    luaL_loadstring(L: LuaState, source: Uint8Array): number;
  };
  export const lualib: { luaL_openlibs(L: LuaState): void };
  export function to_luastring(text: string): Uint8Array;
}

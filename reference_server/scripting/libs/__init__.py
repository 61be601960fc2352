"""The Lua libraries Redis ships to scripts and functions: cjson, cmsgpack, bit and struct.

Each is installed into a sandboxed interpreter as a read-only global whose functions raise their errors at the
script's line (as C functions do). cjson and the Lua halves of the others are Lua source run on the sandbox;
bit, struct and cmsgpack do their byte work in Python.
"""
from __future__ import annotations

from typing import Any

from lupa.lua51 import lua_type

from . import bit, cmsgpack, cjson, struct

_STRUCT_LUA = r"""
local S, py = ...
local function call(f, ...)
  local function results(ok, ...)
    if not ok then error({positioned = (...)}) end
    return ...
  end
  return results(f(...))
end
local m = {}
for name, f in pairs(py.operations) do m[name] = function(...) return call(f, ...) end end
return m
"""

_NULL_TOSTRING = r"""
local S, null = ...
local tostring = tostring
-- cjson.null is Redis's NULL light userdata: it prints as one
S.globals.tostring = function(...)
  if select('#', ...) > 0 and (...) == null then return 'userdata: (nil)' end
  return tostring(...)
end
"""


def install(runtime: Any, sandbox: Any) -> None:
    """Add the libraries to the sandbox's globals."""
    modules = {
        b"bit": runtime.execute(bit.BIT_LUA, sandbox, _callbacks(runtime, bit.OPERATIONS)),
        b"struct": runtime.execute(_STRUCT_LUA, sandbox, _callbacks(runtime, struct.OPERATIONS)),
        b"cmsgpack": runtime.execute(cmsgpack.CMSGPACK_LUA, sandbox,
                                     runtime.table_from({k.encode(): v for k, v in
                                                         cmsgpack.operations(runtime).items()})),
    }
    module, null = runtime.execute(cjson.CJSON_LUA, sandbox)
    modules[b"cjson"] = module
    runtime.execute(_NULL_TOSTRING, sandbox, null)
    for name, module in modules.items():
        raising = runtime.table_from({key: True for key, value in module.items() if lua_type(value) == "function"})
        sandbox.globals[name] = sandbox.readonly(module, raising)


def _callbacks(runtime: Any, operations: dict) -> Any:
    table = runtime.table_from({name.encode(): function for name, function in operations.items()})
    return runtime.table_from({b"operations": table})

"""Lua scripting as Redis 8.2 does it: a sandboxed Lua 5.1 interpreter (lua.py, sandbox_lua.py), Redis's value
conversions (conversions.py), its math.random generator (random48.py), and script runs against the engine
(runner.py). The EVAL/SCRIPT commands are in commands/scripting.py."""

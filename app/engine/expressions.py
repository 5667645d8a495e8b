"""What a BPMN expression or script may do: read the task's data, compare, compute, build values and call the
functions the app registers (and a few harmless builtins). Nothing else: no import, no name or attribute that starts
with "_" (the way from any value to the interpreter's internals), no str.format (which reaches attributes through
its format string), no function or class definitions, no while loop.

The system administrator deploys BPMN but has no part in cases (三员分立): an expression that could run any Python
would hand them the database, the keys and every identity number. The policy is checked when a model is deployed
(refused with the offending part named), when a deployed version is loaded to run (a version deployed before the policy
existed is refused instead of running), and, whatever part of a model an expression comes from, each time it is
evaluated (engine.runner.PolicedEnvironment), with these builtins only, fresh for each evaluation."""
import ast
import builtins
import functools

# Builtins an expression may call or name (no getattr, type, vars, globals, open, eval, exec, compile, __import__...).
# `locals` is the task's data as a dict: scripts remove variables with locals().pop(name, None).
SAFE_BUILTINS = {name: getattr(builtins, name) for name in (
    "abs", "all", "any", "bool", "dict", "divmod", "enumerate", "float", "frozenset", "int", "isinstance", "len", "list",
    "locals", "max", "min", "range", "reversed", "round", "set", "sorted", "str", "sum", "tuple", "zip",
)}
SAFE_BUILTINS.update({"True": True, "False": False, "None": None})

# Attributes that reach further than the value they are read on.
_FORBIDDEN_ATTRIBUTES = {"format", "format_map", "mro", "gi_frame", "gi_code", "f_globals", "f_locals", "f_back",
                         "cr_frame", "ag_frame", "tb_frame", "func_globals"}
# (match: a class pattern reads attributes by name — case str(format=f) — which no Attribute node shows)
_FORBIDDEN_NODES = (ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal, ast.FunctionDef, ast.AsyncFunctionDef,
                    ast.Lambda, ast.ClassDef, ast.While, ast.With, ast.AsyncWith, ast.AsyncFor, ast.Await, ast.Yield,
                    ast.YieldFrom, ast.Try, ast.Raise, ast.NamedExpr, ast.Match)


# Builtins no expression may call (the app's own functions and the safe builtins may be called), and those it may not
# even name (evaluation has none of them; named, they could only be a way round that).
_UNSAFE_BUILTINS = {name for name in dir(builtins) if name not in SAFE_BUILTINS}
_DANGEROUS_NAMES = {"getattr", "setattr", "delattr", "vars", "globals", "eval", "exec", "compile", "open", "type", "object",
                    "super", "breakpoint", "input", "help", "memoryview", "classmethod", "staticmethod", "property", "dir"}


def problems(source: str, mode: str) -> list[str]:
    """What in `source` (an expression for mode "eval", a script for "exec") the policy refuses; [] if none."""
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError as exc:
        return [f"not Python: {exc.msg}"]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, _FORBIDDEN_NODES):
            found.append(type(node).__name__.lower())
        elif isinstance(node, ast.Name) and (node.id.startswith("_") or node.id in _DANGEROUS_NAMES):
            found.append(node.id)
        elif isinstance(node, ast.Attribute) and (node.attr.startswith("_") or node.attr in _FORBIDDEN_ATTRIBUTES):
            found.append("." + node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "__" in node.value:
            # (a dunder name as a string: locals()["__builtins__"], a format string's {0.__class__})
            found.append(repr(node.value[:40]))
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in _UNSAFE_BUILTINS:
                found.append(f"{func.id}()")
            elif not isinstance(func, ast.Name | ast.Attribute):
                found.append("a call of a computed function")
    return sorted(set(found))


class ExpressionRefused(Exception):
    """An expression or script the policy refuses was about to run (a deployed version that escaped the checks)."""


@functools.lru_cache(maxsize=4096)
def _refused(source: str, mode: str) -> tuple[str, ...]:
    return tuple(problems(source, mode))


def enforce(source, mode: str) -> None:
    """Raise ExpressionRefused if the policy refuses `source` (checked once per text: a model's expressions are few)."""
    refused = _refused(source, mode) if isinstance(source, str) else ("an expression that is not text",)
    if refused:
        raise ExpressionRefused(f"{source!r} may not use {', '.join(refused)}")

#!/usr/bin/env python3
"""The package import graph of app/ and the layer rules it must keep (run by `make test`).

Every import counts, module-level or inside a function (a function-local import hides a dependency, it
does not remove it); imports under `if TYPE_CHECKING:` do not. Nodes are the packages and modules directly
below `app` (app.cases, app.clock, ...). Exits 1 on a cycle, an upward import, or a function-local import
without a written reason.

usage: python tools/import_graph.py [--print]
"""
import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Lower layers never import higher ones (see README "Architecture"). Features may use each other one way.
LAYERS = {
    0: {"app.clock", "app.dates", "app.db_types", "app.db_errors", "app.enums", "app.exports", "app.extensions", "app.errors", "app.i18n", "app.labels",
        "app.pagination", "app.text_search", "app.invisible", "app.file_checks", "app.txcache", "app.crypto", "app.blobs", "app.security_log", "app.form_errors", "app.redirects", "app.rate_storage", "app.audit", "app.auth", "app.workdays"},
    1: {"app.catalog", "app.engine"},
    2: {"app.cases", "app.tasks", "app.kept_uploads"},
    3: {"app.joint", "app.experts", "app.listings", "app.rights", "app.supervision", "app.admin", "app.credit", "app.dueprocess", "app.public_reports", "app.catalog_proposals", "app.data_calls", "app.publicity"},
    4: {"app", "app.cli", "app.demo", "app.scheduler", "app.templating", "app.models", "app.api", "app.ops"},
}
LEVEL = {node: level for level, nodes in LAYERS.items() for node in nodes}
# Function-local imports are allowed where the line (or the line above) says why; the composition root
# (app/__init__.py) explains it once in its docstring and marks each import.
REASON_MARK = "composition root"


def node_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "app":
        return None
    return ".".join(parts[:2]) if len(parts) > 1 else "app"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.If) and "TYPE_CHECKING" in ast.unparse(n.test):
            for b in n.body:
                lines.update(m.lineno for m in ast.walk(b) if hasattr(m, "lineno"))
    return lines


def _explained(lines: list[str], lineno: int) -> bool:
    """The import's line, the block of imports it sits in, or the comment just above the block says why."""
    first = lineno - 1
    while first > 0 and lines[first - 1].strip().startswith(("from ", "import ")):
        first -= 1
    context = " ".join(lines[max(first - 1, 0):lineno])
    return REASON_MARK in context or "reason:" in context


def scan():
    """(edges {src: {dst: [where]}}, local imports without a reason [where])."""
    edges: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    unexplained = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        tree = ast.parse(text, str(path))
        skip = _type_checking_lines(tree)
        module = module_name(path)
        src = node_of(module)
        local = {id(n) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                 for n in ast.walk(f) if isinstance(n, (ast.Import, ast.ImportFrom))}
        for n in ast.walk(tree):
            if not isinstance(n, (ast.Import, ast.ImportFrom)) or n.lineno in skip:
                continue
            where = f"{path.relative_to(ROOT)}:{n.lineno}"
            if id(n) in local and not _explained(lines, n.lineno):
                unexplained.append(where)
            if isinstance(n, ast.Import):
                targets = [a.name for a in n.names]
            elif n.level:
                base = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
                base = base[: len(base) - (n.level - 1)]
                targets = [".".join(base + ([n.module] if n.module else []))]
            elif n.module == "app":
                targets = [f"app.{a.name}" for a in n.names]
            else:
                targets = [n.module or ""]
            for t in targets:
                dst = node_of(t)
                if dst and dst != src:
                    edges[src][dst].append(where)
    return edges, unexplained


def cycles(edges) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in list(edges):
        if v not in index:
            visit(v)
    return out


def problems() -> list[str]:
    edges, unexplained = scan()
    out = [f"import cycle: {' -> '.join(c)}" for c in cycles(edges)]
    for src, dsts in sorted(edges.items()):
        for dst, where in sorted(dsts.items()):
            if src not in LEVEL or dst not in LEVEL:
                out.append(f"{src} or {dst} has no layer in tools/import_graph.py ({where[0]})")
            elif LEVEL[dst] > LEVEL[src]:
                out.append(f"upward import {src} (layer {LEVEL[src]}) -> {dst} (layer {LEVEL[dst]}) at {', '.join(where)}")
    out += [f"function-local import without a written reason at {w}" for w in unexplained]
    return out


def main(argv) -> int:
    if "--print" in argv:
        edges, _ = scan()
        for src, dsts in sorted(edges.items()):
            print(f"{src} -> {', '.join(sorted(dsts))}")
    found = problems()
    for p in found:
        print(p)
    if not found:
        print("import graph: no cycles, no upward imports, no unexplained local imports")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

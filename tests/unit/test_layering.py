"""Layering rules of the README's "Architecture" section, enforced (ruff enforces the same bans in make
test; these tests keep them when ruff is not run): no import cycle or upward import between packages,
function-local imports only with a written reason, SpiffWorkflow only in the engine adapter, request state
only in the web edges."""
import ast
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EDGES = {"routes.py"}  # (and files named *routes.py) plus the composition root and the template helpers below
EDGE_FILES = {ROOT / "app" / "__init__.py", ROOT / "app" / "templating.py", ROOT / "app" / "form_errors.py",
              ROOT / "app" / "kept_uploads.py",  # (a refused form's files, kept from the request)
              ROOT / "app" / "ops" / "logs.py"}  # (request hooks: the request id and the per-request log line)


def _load_import_graph():
    spec = importlib.util.spec_from_file_location("import_graph", ROOT / "tools" / "import_graph.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def _python_files():
    return list((ROOT / "app").rglob("*.py")) + list((ROOT / "forms").rglob("*.py"))


def test_package_graph_has_no_cycle_no_upward_import_and_no_unexplained_local_import():
    assert _load_import_graph().problems() == []


def test_import_graph_check_catches_a_cycle(tmp_path):
    graph = _load_import_graph()
    edges = {"app.cases": {"app.rights": ["x"]}, "app.rights": {"app.cases": ["y"]}}
    assert graph.cycles(edges) == [["app.cases", "app.rights"]]


def test_only_the_engine_adapter_imports_spiffworkflow():
    offenders = [
        str(p.relative_to(ROOT))
        for p in _python_files()
        if p != ROOT / "app" / "engine" / "runner.py" and any(n.startswith("SpiffWorkflow") for n in _imports(p))
    ]
    assert offenders == []


def test_only_web_edges_use_request_state():
    banned = {"flask.request", "flask.session", "flask.g", "flask.flash", "flask_login.current_user"}
    offenders = []
    for p in _python_files():
        if p.name in EDGES or p.name.endswith("_routes.py") or p in EDGE_FILES:
            continue
        hit = banned & _imports(p)
        if hit:
            offenders.append((str(p.relative_to(ROOT)), sorted(hit)))
    assert offenders == []

"""Layering rules of design.md, enforced: only the engine adapter imports SpiffWorkflow; services never
touch the request, the session, g, current_user or flash."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def test_only_the_engine_adapter_imports_spiffworkflow():
    offenders = [
        str(p.relative_to(ROOT))
        for p in list((ROOT / "app").rglob("*.py")) + list((ROOT / "forms").rglob("*.py"))
        if p != ROOT / "app" / "engine" / "runner.py" and any(n.startswith("SpiffWorkflow") for n in _imports(p))
    ]
    assert offenders == []


def test_services_do_not_use_request_state():
    banned = {"flask.request", "flask.session", "flask.g", "flask.flash", "flask_login.current_user"}
    offenders = []
    for p in (ROOT / "app").rglob("*.py"):
        if p.name in ("services.py", "tasks.py", "task_handlers.py", "deadlines.py", "instances.py", "timers.py", "events.py"):
            hit = banned & _imports(p)
            if hit:
                offenders.append((str(p.relative_to(ROOT)), sorted(hit)))
    assert offenders == []

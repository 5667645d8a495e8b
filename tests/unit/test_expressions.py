"""BPMN expressions and scripts may read task data, compute and call the app's functions, nothing more: the system
administrator deploys models but has no part in cases (三员分立)."""
import pytest

from app.engine import runner
from app.engine.expressions import problems


@pytest.mark.parametrize("source", [
    "review_outcome == 'accept'", "not listings_active(case_id)", '{"listing_id": listing_id, "since": received_at}',
    "multi_group", "len(units) > 1 and kind == 'punishment'", "sorted(set(units))[0]", "x if a else y",
    "[u for u in units if u != 3]",
])
def test_what_the_models_use_passes(source):
    assert problems(source, "eval") == []


def test_the_scripts_the_models_use_pass():
    assert problems('locals().pop("report_unit", None)\nlocals().pop("periodic_compile_unit", None)', "exec") == []


@pytest.mark.parametrize("source, refused", [
    ("__import__('os').system('id')", "__import__"),
    ("().__class__.__bases__[0].__subclasses__()", ".__class__"),
    ("open('/etc/passwd').read()", "open"),
    ("getattr(x, 'y')", "getattr"),
    ("eval('1')", "eval"),
    ("'{0.__class__}'.format(x)", ".format"),
    ("'{x}'.format_map(d)", ".format_map"),
    ("type(x)", "type"),
    ("(lambda: 1)()", "lambda"),
    ("f'{x.__class__}'", ".__class__"),
    ("_private", "_private"),
])
def test_a_way_out_is_refused(source, refused):
    assert refused in problems(source, "eval")


def test_scripts_may_not_import_define_or_loop_for_ever():
    assert "import" in problems("import os", "exec")
    assert "functiondef" in problems("def f():\n    pass", "exec")
    assert "while" in problems("while True:\n    pass", "exec")


def test_evaluation_has_only_the_safe_builtins():
    env = runner._script_engine.environment
    assert env.evaluate("len([1, 2])", {}) == 2
    with pytest.raises(NameError):
        env.evaluate("open", {})
    with pytest.raises(NameError):
        env.evaluate("__import__('os')", {})


def test_a_version_deployed_before_the_policy_is_not_run(ctx):
    from app.engine.registry import latest_version

    version = latest_version("public_report")
    spec_json = version.spec_json.replace("report_assignment == 'assign'", "__import__('os') and report_assignment == 'assign'")
    assert spec_json != version.spec_json
    with pytest.raises(runner.BpmnError, match="__import__"):
        runner.Engine.restore_spec(spec_json, version.xml)

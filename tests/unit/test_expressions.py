"""BPMN expressions and scripts may read task data, compute and call the app's functions, nothing more: the system
administrator deploys models but has no part in cases (三员分立)."""
import pytest

from app.engine import runner
from app.engine.expressions import SAFE_BUILTINS, ExpressionRefused, problems


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


def test_evaluation_is_held_to_the_policy_with_builtins_of_its_own():
    """Wherever an expression comes from (a loop's cardinality, a correlation: parts a deployment check might miss), it
    is checked where it is evaluated; and a script cannot change the builtins another evaluation sees."""
    env = runner._script_engine.environment
    assert env.evaluate("len([1, 2])", {}) == 2
    for source in ("open", "__import__('os')", "[c for c in ().__class__.__base__.__subclasses__()]"):
        with pytest.raises(ExpressionRefused):
            env.evaluate(source, {})
    with pytest.raises(ExpressionRefused):
        env.execute('locals()["__builtins__"]["any"] = all', {})
    data = {"x": 1}
    env.execute('locals().pop("x", None)', data)
    assert data == {} and env.evaluate("any([True, False])", {}) is True
    with pytest.raises(NameError):  # (the interpreter's own builtins are not there)
        runner.TaskDataEnvironment.evaluate(env, "getattr", {}, {"__builtins__": dict(SAFE_BUILTINS)})


def test_a_match_statement_cannot_read_attributes_by_pattern():
    script = 'match "{0.__globals__}":\n    case str(format=f):\n        leaked = f(listings_active)'
    assert "match" in problems(script, "exec")


def test_a_version_deployed_before_the_policy_is_not_run(ctx):
    from app.engine.registry import latest_version

    version = latest_version("public_report")
    spec_json = version.spec_json.replace("report_assignment == 'assign'", "__import__('os') and report_assignment == 'assign'")
    assert spec_json != version.spec_json
    with pytest.raises(runner.BpmnError, match="__import__"):
        runner.Engine.restore_spec(spec_json, version.xml)
    # (a multi-instance task's cardinality, which the first policy did not look at)
    assert ("t", "eval", "[c for c in ().__class__]") in runner._expressions(_Spec({"t": _Task(cardinality="[c for c in ().__class__]")}))


class _Task:
    def __init__(self, **attrs):
        self.__dict__.update(attrs)


class _Spec:
    def __init__(self, task_specs):
        self.task_specs = task_specs

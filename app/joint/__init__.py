"""The joint punishment and reward procedure of seed 001 二(二): filing, pre-review, determination with
drawn experts, filing with the office, implementation by the units, compiled feedback.
`init_app` registers its task handlers and its filing page."""
from app.cases import hooks
from app.joint import routes, tasks


def init_app(app) -> None:
    hooks.register_tasks(tasks.TASKS)
    app.register_blueprint(routes.bp)

"""Supervision and monitoring: overdue work, notices and summons to units, the dashboard, monthly
reports, exports and typical cases. `init_app` subscribes it to completed tasks (step records)."""
from app.cases import hooks
from app.supervision import routes, services


def init_app(app) -> None:
    hooks.subscribe(hooks.TASK_COMPLETED, services.record_step)
    hooks.subscribe(hooks.LISTING_STATUS_CHANGED, services.listing_changed)
    hooks.subscribe(hooks.INCENTIVES_WITHHELD, services.incentives_withheld)
    hooks.route_message("unit_notice", services.late_reply_notice)
    app.register_blueprint(routes.bp)

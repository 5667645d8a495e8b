"""The credit check at approval desks (逢批必查) and its log. `init_app` registers the staff pages."""
from app.credit import routes


def init_app(app) -> None:
    app.register_blueprint(routes.bp)

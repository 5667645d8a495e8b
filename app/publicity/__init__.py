"""双公示 and 双随机 publication on time: the units' ledgers and the office's monthly figures (app.publicity.services)."""
from app.cases import hooks
from app.publicity import routes, services


def init_app(app) -> None:
    hooks.register_report_section(services.report_section)
    app.register_blueprint(routes.bp)

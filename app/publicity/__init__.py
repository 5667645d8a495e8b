"""双公示 and 双随机 publication on time: the units' ledgers and the office's monthly figures (app.publicity.services)."""
from app.publicity import routes


def init_app(app) -> None:
    app.register_blueprint(routes.bp)

"""The flask-smorest Api object (its OpenAPI document is generated from the blueprints' schemas)."""
import flask_smorest

from app.api.schemas import ApiError


class XinlianApi(flask_smorest.Api):
    # Every error answer, documented once as the default response: {code, message: {zh, en}, field}.
    ERROR_SCHEMA = ApiError

    def _register_error_handlers(self):
        """The web pages keep their own error pages; the API blueprints answer in JSON (app.api._json_errors)."""


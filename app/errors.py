"""Domain errors. Services raise them with (field, message) pairs; routes put the messages back onto the
form or flash them. Messages are lazy translated strings so they reach the user in their language."""


class DomainError(Exception):
    def __init__(self, message, field: str | None = None, errors: list[tuple[str | None, str]] | None = None):
        super().__init__(str(message))
        self.message = message
        self.errors = errors or [(field, message)]


class PermissionDenied(DomainError):
    pass


class NotFound(DomainError):
    pass


class Conflict(DomainError):
    """Someone else changed the same thing first (task completed, stale form)."""

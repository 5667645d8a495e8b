"""Small helpers shared by the task handlers of every process."""
from app.errors import DomainError


def required(values: dict, name: str, message) -> str:
    """The stripped text of a required field, or DomainError naming the field."""
    text = (values.get(name) or "").strip()
    if not text:
        raise DomainError(message, name)
    return text

"""Authentication."""
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db


def authenticate(username: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(User.username == (username or "").strip()))
    if user is None or not user.active or not user.check_password(password or ""):
        return None
    return user


def landing_endpoint(user: User) -> str:
    """Each role lands on its own inbox."""
    if user.role == "supervisor":
        return "supervision.overview"
    if user.role == "applicant":
        return "portal.index"
    if user.role == "admin":
        return "cases.list_cases"
    return "tasks.inbox"

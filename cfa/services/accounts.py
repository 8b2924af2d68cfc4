"""Accounts: authentication and the admin's account operations."""

import secrets

import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import Role, User
from cfa.models.base import utcnow


class AccountError(ValueError):
    """A refused account operation, with a French message for the user and the field it concerns."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None; the same answer for every kind of failure."""
    user = find_by_email(email)
    if user is None or not user.check_password(password) or not user.active:
        return None
    user.last_login_at = utcnow()
    return user


def change_password(user: User, current: str, new: str) -> None:
    if not user.check_password(current):
        raise AccountError("Le mot de passe actuel est incorrect.", field="current")
    if current == new:
        raise AccountError("Le nouveau mot de passe doit être différent de l'actuel.", field="new")
    user.set_password(new)


def temporary_password() -> str:
    """A password an admin reads out or sends once; the user changes it."""
    return secrets.token_urlsafe(9)


def create_user(email: str, first_name: str, last_name: str, roles, password: str | None = None, **fields) -> User:
    email = normalise_email(email)
    if find_by_email(email):
        raise AccountError("Un compte existe déjà avec cette adresse e-mail.", field="email")
    user = User(email=email, first_name=first_name.strip(), last_name=last_name.strip(), **fields)
    user.set_roles(roles)
    if password:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def set_active(actor: User, user: User, active: bool) -> None:
    if actor.id == user.id and not active:
        raise AccountError("Vous ne pouvez pas désactiver votre propre compte.")
    if not active and Role.ADMIN in user.roles and _active_admins() <= 1:
        raise AccountError("Impossible de désactiver le dernier compte administrateur actif.")
    user.active = active


def _active_admins() -> int:
    from cfa.models import UserRole

    return db.session.scalar(
        sa.select(sa.func.count()).select_from(User).join(UserRole).where(UserRole.role == Role.ADMIN, User.active)
    )


def reset_password(user: User) -> str:
    password = temporary_password()
    user.set_password(password)
    return password

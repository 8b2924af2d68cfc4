"""Accounts: authentication, passwords, sessions and the admin's account operations.

Security events (log-ins, failures, password changes and resets, sessions ended, roles changed) go to the audit
trail, so that an account taken over can be traced.
"""

import secrets
from datetime import timedelta
from functools import cache

import sqlalchemy as sa
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from cfa.extensions import db
from cfa.models import OutboxMessage, Role, User
from cfa.models.base import utcnow
from cfa.services import audit

MIN_PASSWORD = 12
# A link to choose a password: short for a reset asked from the log-in page, longer for a new account's invitation.
LINK_LIFETIMES = {"reset": timedelta(hours=1), "invitation": timedelta(days=7)}


class AccountError(ValueError):
    """A refused account operation, with a French message for the user and the field it concerns."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


@cache
def _decoy_hash() -> str:
    return generate_password_hash(secrets.token_urlsafe(16))


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None; the same answer, and the same time, for every failure."""
    user = find_by_email(email)
    if user is None:
        check_password_hash(_decoy_hash(), password)  # an unknown address costs a hash too: no timing oracle
        audit.record(None, "user", 0, "login_failed", after={"email": normalise_email(email)[:254]})
        return None
    if not user.check_password(password) or not user.active:
        audit.record(None, "user", user.id, "login_failed")
        return None
    user.last_login_at = utcnow()
    audit.record(user, "user", user.id, "login")
    return user


def password_problem(password: str, user: User | None = None) -> str | None:
    """Why a password is refused: too short, or common, or guessable from the person's name or address."""
    if len(password) < MIN_PASSWORD:
        return f"Au moins {MIN_PASSWORD} caractères."
    hints = [user.email, user.first_name, user.last_name] if user is not None else []
    # zxcvbn ships lists of common and leaked passwords, names and keyboard patterns: nothing is fetched.
    if zxcvbn(password[:100], user_inputs=hints)["score"] < 3:
        return "Ce mot de passe est trop courant ou trop facile à deviner : allongez-le ou mêlez plusieurs mots."
    return None


def _set_new_password(user: User, new: str) -> None:
    if problem := password_problem(new, user):
        raise AccountError(problem, field="new")
    user.set_password(new)
    user.must_change_password = False
    user.end_sessions()


def change_password(user: User, current: str, new: str) -> None:
    """Change one's own password; every other session of the person ends."""
    if not user.check_password(current):
        raise AccountError("Le mot de passe actuel est incorrect.", field="current")
    if current == new:
        raise AccountError("Le nouveau mot de passe doit être différent de l'actuel.", field="new")
    _set_new_password(user, new)
    audit.record(user, "user", user.id, "password_change")


def end_sessions(actor: User, user: User, why: str) -> None:
    """Log a person out everywhere (their own "Se déconnecter partout", or a log-out)."""
    user.end_sessions()
    audit.record(actor, "user", user.id, "sessions_ended", reason=why)


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="cadence-password-link")


def password_link_token(secret_key: str, user: User, purpose: str) -> str:
    """A link's secret, valid once: choosing the password ends the session version it names."""
    return _serializer(secret_key).dumps([purpose, user.id, user.session_version])


def user_for_token(secret_key: str, token: str, purpose: str) -> User | None:
    """The person a password link is for, unless it expired, was used, or is for another purpose."""
    try:
        token_purpose, user_id, version = _serializer(secret_key).loads(
            token, max_age=int(LINK_LIFETIMES[purpose].total_seconds())
        )
    except (BadSignature, ValueError, TypeError):
        return None
    user = db.session.get(User, user_id) if token_purpose == purpose and isinstance(user_id, int) else None
    if user is None or not user.active or user.session_version != version:
        return None
    return user


def send_password_link(user: User, link: str, purpose: str) -> None:
    """Queue the e-mail with a link to choose a password (a reset, or a new account's invitation)."""
    hours = int(LINK_LIFETIMES[purpose].total_seconds() // 3600)
    lifetime = f"{hours} heure" if hours == 1 else f"{hours // 24} jours"
    if purpose == "invitation":
        subject = "Votre compte Cadence"
        intro = "Un compte Cadence vient d'être créé pour vous. Choisissez votre mot de passe :"
    else:
        subject = "Réinitialisation de votre mot de passe Cadence"
        intro = "Vous avez demandé à changer votre mot de passe Cadence. Choisissez-en un nouveau :"
    body = (
        f"Bonjour {user.first_name},\n\n{intro}\n\n{link}\n\n"
        f"Ce lien ne sert qu'une fois et expire dans {lifetime}. "
        "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe ne change pas.\n"
    )
    db.session.add(OutboxMessage(recipient=user.email, subject=subject, body_text=body))
    audit.record(None, "user", user.id, f"password_link_{purpose}")


def set_password_from_link(user: User, new: str) -> None:
    _set_new_password(user, new)
    audit.record(user, "user", user.id, "password_reset_by_link")


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


def reset_password(actor: User, user: User) -> str:
    """A temporary password the admin hands over once; the person must replace it at the next log-in."""
    password = temporary_password()
    user.set_password(password)
    user.must_change_password = True
    user.end_sessions()
    audit.record(actor, "user", user.id, "password_reset")
    return password


def record_roles_change(actor: User, user: User, before: set[Role]) -> None:
    if before != user.roles:
        audit.record(
            actor,
            "user",
            user.id,
            "roles_change",
            before={"roles": sorted(r.value for r in before)},
            after={"roles": sorted(r.value for r in user.roles)},
        )

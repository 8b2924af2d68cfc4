"""Logging in and out, refused credentials, deactivated accounts, CSRF, passwords."""

import re

import pytest
import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import AuditEvent, OutboxMessage, User
from tests import factories as f
from tests.conftest import TEST_PASSWORD


def test_a_user_logs_in_with_email_and_password_and_lands_on_the_home_page(client):
    user = f.UserFactory.trainer(email="samia@exemple.test")
    response = client.post("/connexion", data={"email": "Samia@Exemple.test ", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response.location == "/"
    assert db.session.get(User, user.id).last_login_at is not None


def test_a_wrong_password_is_refused_with_a_french_message(client):
    user = f.UserFactory.trainer()
    response = client.post("/connexion", data={"email": user.email, "password": "pas-le-bon"})
    assert response.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect" in response.text
    assert client.get("/").status_code == 302  # still anonymous


def test_an_unknown_email_gets_the_same_answer_as_a_wrong_password(client):
    response = client.post("/connexion", data={"email": "personne@nulle.part", "password": "x"})
    assert "Adresse e-mail ou mot de passe incorrect" in response.text


def test_a_deactivated_account_cannot_log_in(client):
    user = f.UserFactory.trainer(active=False)
    response = client.post("/connexion", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert "compte désactivé" in response.text


def test_a_deactivated_account_loses_its_open_session(client):
    user = f.UserFactory.admin()
    client.login(user)
    assert client.get("/admin/centres").status_code == 200
    user.active = False
    db.session.commit()
    assert client.get("/admin/centres").status_code == 302


def test_logging_out_ends_the_session(client):
    client.login(f.UserFactory.admin())
    response = client.post("/deconnexion")
    assert response.status_code == 302
    assert client.get("/admin/centres").status_code == 302


def test_login_redirects_only_to_a_path_of_this_site(client):
    user = f.UserFactory.admin()
    response = client.post(
        "/connexion?next=https://evil.example/x", data={"email": user.email, "password": TEST_PASSWORD}
    )
    assert response.location == "/"
    client.post("/deconnexion")
    response = client.post("/connexion?next=/admin/centres", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.location == "/admin/centres"


def test_anonymous_users_are_sent_to_the_login_page(client):
    response = client.get("/admin/employeurs")
    assert response.status_code == 302
    assert response.location.startswith("/connexion?next=")


@pytest.fixture
def csrf_client(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    yield client
    app.config["WTF_CSRF_ENABLED"] = False


def test_a_post_without_csrf_token_is_refused(csrf_client):
    user = f.UserFactory.admin()
    response = csrf_client.post("/connexion", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert csrf_client.get("/admin/centres").status_code == 302  # not logged in
    with csrf_client.session_transaction() as session:
        session["_user_id"] = str(user.id)
    response = csrf_client.post("/admin/centres/nouveau", data={"name": "Brest", "code": "BREST", "city": "Brest"})
    assert response.status_code == 400
    assert "Le formulaire a expiré" in response.text


def test_a_post_with_the_csrf_token_of_the_form_is_accepted(csrf_client):
    user = f.UserFactory.admin()
    page = csrf_client.get("/connexion").text
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = csrf_client.post(
        "/connexion", data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_a_user_changes_their_password(login):
    user = f.UserFactory.apprentice()
    client = login(user)
    response = client.post(
        "/mot-de-passe",
        data={"current": TEST_PASSWORD, "new": "un-nouveau-secret", "confirm": "un-nouveau-secret"},
    )
    assert response.status_code == 302
    assert db.session.get(User, user.id).check_password("un-nouveau-secret")


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        ("faux", "un-nouveau-secret", "un-nouveau-secret", "Le mot de passe actuel est incorrect."),
        (TEST_PASSWORD, "court", "court", "Au moins 12 caractères."),
        (TEST_PASSWORD, "motdepasse123", "motdepasse123", "trop courant ou trop facile à deviner"),
        (TEST_PASSWORD, "un-nouveau-secret", "autre-chose-123", "Les deux mots de passe ne sont pas identiques."),
        (TEST_PASSWORD, TEST_PASSWORD, TEST_PASSWORD, "Le nouveau mot de passe doit être différent"),
    ],
)
def test_a_refused_password_change_says_why_and_changes_nothing(login, current, new, confirm, message):
    user = f.UserFactory.apprentice()
    client = login(user)
    response = client.post("/mot-de-passe", data={"current": current, "new": new, "confirm": confirm})
    assert response.status_code == 200
    assert message in response.text
    assert db.session.get(User, user.id).check_password(TEST_PASSWORD)


def test_passwords_are_stored_hashed_with_a_strong_algorithm():
    user = f.UserFactory()
    user.set_password("cadence-demo")
    assert user.password_hash.startswith("scrypt:")
    assert "cadence-demo" not in user.password_hash


def test_pages_are_in_french_with_french_error_pages(client):
    response = client.get("/nexiste-pas")
    assert response.status_code == 404
    assert '<html lang="fr">' in response.text
    assert "Page introuvable" in response.text


def test_the_500_page_is_in_french_and_rolls_the_session_back(app):
    from cfa.errors import render_error

    with app.test_request_context("/"):
        body, status = render_error(500)
    assert status == 500
    assert "Erreur interne" in body and "réessayez plus tard" in body


def _device_like(app, client):
    """A second browser holding copies of the first one's session and remember-me cookies."""
    other = app.test_client()
    for name in ("session", "remember_token"):
        if (cookie := client.get_cookie(name)) is not None:
            other.set_cookie(name, cookie.value)
    return other


def _log_in(client, user, remember=True):
    data = {"email": user.email, "password": TEST_PASSWORD}
    if remember:
        data["remember"] = "y"
    assert client.post("/connexion", data=data).status_code == 302


def _remember_cookie_only(app, client):
    alone = app.test_client()
    alone.set_cookie("remember_token", client.get_cookie("remember_token").value)
    return alone


def test_logging_out_ends_every_session_and_remember_me_cookie_of_the_person(app, client):
    user = f.UserFactory.trainer()
    _log_in(client, user)
    copied, remembered = _device_like(app, client), _remember_cookie_only(app, client)
    assert (
        copied.get("/emargement/aujourdhui").status_code == 200
        and remembered.get("/emargement/aujourdhui").status_code == 200
    )
    client.post("/deconnexion")
    assert copied.get("/emargement/aujourdhui").status_code == 302
    assert remembered.get("/emargement/aujourdhui").status_code == 302


def test_changing_ones_password_ends_the_other_sessions_but_keeps_this_one(app, client):
    user = f.UserFactory.apprentice()
    _log_in(client, user)
    other = _device_like(app, client)
    data = {"current": TEST_PASSWORD, "new": "une phrase de passe solide", "confirm": "une phrase de passe solide"}
    assert client.post("/mot-de-passe", data=data).status_code == 302
    assert client.get("/", follow_redirects=True).status_code == 200
    assert client.get("/mot-de-passe").status_code == 200
    assert other.get("/mot-de-passe").status_code == 302


def test_logging_out_everywhere_keeps_this_device(app, client):
    user = f.UserFactory.tutor()
    _log_in(client, user)
    other = _device_like(app, client)
    assert client.post("/sessions/terminer").status_code == 302
    assert client.get("/mot-de-passe").status_code == 200
    assert other.get("/mot-de-passe").status_code == 302
    assert "Se déconnecter partout" in client.get("/mot-de-passe").text


def test_remember_me_lasts_thirty_days_at_most_and_is_secure_in_production(app):
    from config import ProductionConfig

    assert app.config["REMEMBER_COOKIE_DURATION"].days <= 30
    assert app.config["REMEMBER_COOKIE_HTTPONLY"] and app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    assert ProductionConfig.REMEMBER_COOKIE_SECURE and ProductionConfig.SESSION_COOKIE_SECURE


def test_an_admin_reset_shows_the_temporary_password_once_never_in_the_cookie_and_forces_a_change(app, login):
    person = f.UserFactory.apprentice()
    device = app.test_client()
    _log_in(device, person)
    admin = login(f.UserFactory.admin())
    response = admin.post(f"/admin/personnes/{person.id}/reinitialiser")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    password = re.search(r"<code>([^<]+)</code>", response.text).group(1)
    assert password not in admin.get(f"/admin/personnes/{person.id}").text
    assert device.get("/mot-de-passe").status_code == 302  # the person's open session ended

    device = app.test_client()
    device.post("/connexion", data={"email": person.email, "password": password})
    forced = device.get("/mes-presences")
    assert forced.status_code == 302 and forced.location.endswith("/mot-de-passe")
    data = {"current": password, "new": "une phrase de passe solide", "confirm": "une phrase de passe solide"}
    assert device.post("/mot-de-passe", data=data).status_code == 302
    assert device.get("/", follow_redirects=True).status_code == 200
    assert not db.session.get(User, person.id).must_change_password


def _link_in_last_mail(recipient: str) -> str:
    message = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.recipient == recipient).order_by(OutboxMessage.id.desc())
    ).first()
    return re.search(r"https?://\S+", message.body_text).group(0)


def test_a_forgotten_password_is_reset_by_a_one_time_link_sent_by_e_mail(client):
    user = f.UserFactory.trainer()
    response = client.post("/mot-de-passe-oublie", data={"email": user.email})
    assert response.status_code == 302
    link = _link_in_last_mail(user.email)
    path = link.split("://", 1)[1].split("/", 1)[1]
    data = {"new": "une phrase de passe solide", "confirm": "une phrase de passe solide"}
    assert client.post("/" + path, data=data).status_code == 302
    assert db.session.get(User, user.id).check_password("une phrase de passe solide")
    used = client.post("/" + path, data={"new": "encore une autre phrase", "confirm": "encore une autre phrase"})
    assert used.status_code == 302 and used.location.endswith("/mot-de-passe-oublie")
    assert db.session.get(User, user.id).check_password("une phrase de passe solide")


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client):
    response = client.post("/mot-de-passe-oublie", data={"email": "personne@nulle.part"}, follow_redirects=True)
    assert "Si un compte actif correspond à cette adresse" in response.text
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


def test_an_expired_or_forged_link_is_refused(app, client):
    from cfa.services import accounts

    user = f.UserFactory.trainer()
    token = accounts.password_link_token(app.config["SECRET_KEY"], user, "reset")
    assert accounts.user_for_token(app.config["SECRET_KEY"], token, "reset") == user
    assert accounts.user_for_token(app.config["SECRET_KEY"], token, "invitation") is None
    assert accounts.user_for_token("another-key", token, "reset") is None
    response = client.get("/mot-de-passe/reset/not-a-token")
    assert response.status_code == 302 and response.location.endswith("/mot-de-passe-oublie")


def test_a_new_account_gets_an_invitation_to_choose_a_password(login):
    admin = login(f.UserFactory.admin())
    data = {"first_name": "Aïcha", "last_name": "Benali", "email": "aicha@exemple.test", "roles": ["trainer"]}
    response = admin.post("/admin/personnes/nouveau", data=data, follow_redirects=True)
    assert "reçoit par e-mail un lien pour choisir son mot de passe" in response.text
    person = db.session.scalar(sa.select(User).where(User.email == "aicha@exemple.test"))
    assert person.password_hash is None
    assert "/mot-de-passe/invitation/" in _link_in_last_mail("aicha@exemple.test")


def test_security_events_are_audited(client):
    user = f.UserFactory.trainer()
    client.post("/connexion", data={"email": user.email, "password": "pas-le-bon"})
    client.post("/connexion", data={"email": "inconnu@nulle.part", "password": "x"})
    _log_in(client, user, remember=False)
    client.post("/deconnexion")
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.entity == "user")).all()
    assert actions.count("login_failed") == 2 and "login" in actions and "sessions_ended" in actions


def test_a_role_change_is_audited(login):
    person = f.UserFactory.apprentice()
    admin = login(f.UserFactory.admin())
    data = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "roles": ["apprentice", "trainer"],
        "active": "y",
    }
    assert admin.post(f"/admin/personnes/{person.id}/modifier", data=data).status_code == 302
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "roles_change"))
    assert event.before == {"roles": ["apprentice"]} and event.after == {"roles": ["apprentice", "trainer"]}


@pytest.mark.parametrize("background", ["/manifest.webmanifest", "/sw.js", "/sante", "/connexion"])
def test_a_request_still_carrying_the_session_from_before_the_log_in_does_not_log_the_person_out(
    app, client, background
):
    """A phone's manifest, service worker or a second tab may ask with the cookie of before the log-in and be
    answered after it: that answer must not put the anonymous session back in the browser."""
    user = f.UserFactory.trainer()
    app.config["WTF_CSRF_ENABLED"] = True  # the log-in page stores its CSRF token in the anonymous session
    try:
        page = client.get("/connexion")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
        anonymous = client.get_cookie("session").value
        assert client.post("/connexion", data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token})
        assert client.get("/").status_code == 200
        late = app.test_client()
        late.set_cookie("session", anonymous)
        answer = late.get(background)
        assert not answer.headers.getlist("Set-Cookie"), "this answer would log the person out"
    finally:
        app.config["WTF_CSRF_ENABLED"] = False

"""Logging in and out, refused credentials, deactivated accounts, CSRF, passwords."""

import pytest

from cfa.extensions import db
from cfa.models import User
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
        (TEST_PASSWORD, "court", "court", "Au moins 10 caractères."),
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

"""Signed badges checked by a verifier that is not ours, and every public link on one address."""

import io
import json
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import jwt
import pytest
from flask import current_app
from openbadgeslib.ob3.verifier import OB3VerificationError, OB3Verifier
from pypdf import PdfReader

from cfa.extensions import db
from cfa.models import AwardKind
from cfa.services.assessment_awards import revoke_award
from cfa.services.assessment_credentials import create_signing_key
from tests.conftest import TEST_PASSWORD
from tests.factories import (
    AwardFactory,
    MicroCertificationFactory,
    OrganisationFactory,
    ProgrammeFactory,
    SkillBlockFactory,
    UserFactory,
)

PUBLIC = "https://cadence.example.fr"


@pytest.fixture
def badge_award():
    create_signing_key(current_app.config["KEYS_DIR"])
    OrganisationFactory()
    programme = ProgrammeFactory(rncp_code="RNCP37722", title="Agent de médiation, information, services")
    block = SkillBlockFactory(programme=programme, code="CCP2", title="Réguler les tensions et les conflits")
    micro = MicroCertificationFactory(title="Les bases de la gestion de conflit", skill_blocks=[block])
    return AwardFactory(learner=UserFactory.apprentice(), micro_certification=micro, awarded_on=date(2026, 3, 12))


def downloader(client, base_url: str):
    """What a verifier on the internet would fetch, served by the app under test."""

    def download(url: str) -> bytes:
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}" == base_url, url
        response = client.get(parts.path, base_url=base_url)
        if response.status_code != 200:
            raise OSError(f"{url}: {response.status_code}")
        return response.data

    return download


def key_named_by_kid(token: str, download):
    """The issuer's key, found from the badge alone: the kid is a URL of the published key set."""
    kid = jwt.get_unverified_header(token)["kid"]
    key_set = json.loads(download(kid.partition("#")[0]))
    (jwk,) = [k for k in key_set["keys"] if k["kid"] == kid]
    return jwt.PyJWK(jwk).key


def signed_in_at(client, user, base_url: str):
    """Log in on that host: the session cookie belongs to the host it was set by."""
    response = client.post("/connexion", data={"email": user.email, "password": TEST_PASSWORD}, base_url=base_url)
    assert response.status_code == 302
    return client


def download_badge(client, award, base_url: str) -> str:
    response = signed_in_at(client, award.learner, base_url).get(
        f"/moi/certificats/{award.verification_code}.jwt", base_url=base_url
    )
    assert response.status_code == 200
    return response.data.decode()


def test_openbadgeslib_verifies_the_badge_then_sees_its_revocation(client, badge_award, monkeypatch):
    monkeypatch.setitem(current_app.config, "PUBLIC_BASE_URL", PUBLIC)
    token = download_badge(client, badge_award, PUBLIC)
    download = downloader(client, PUBLIC)
    verifier = OB3Verifier(key_named_by_kid(token, download))

    credential = verifier.verify(token, check_status=True, download=download)

    assert credential.achievement.name == "Les bases de la gestion de conflit"
    revoke_award(badge_award, UserFactory.admin(), "Délivrée par erreur")
    db.session.flush()
    with pytest.raises(OB3VerificationError, match="revocation"):
        verifier.verify(token, check_status=True, download=download)


def test_openbadgeslib_refuses_a_badge_signed_by_another_key(client, badge_award, tmp_path):
    from cfa.services.assessment_credentials import sign_credential

    create_signing_key(tmp_path)
    forged = sign_credential(badge_award, None, "http://localhost", tmp_path)
    genuine = download_badge(client, badge_award, "http://localhost")
    verifier = OB3Verifier(key_named_by_kid(genuine, downloader(client, "http://localhost")))
    with pytest.raises(OB3VerificationError, match="signature"):
        verifier.verify(forged)


def test_unknown_status_list_is_a_404(client, badge_award):
    assert client.get("/credentials/status/0").status_code == 200
    assert client.get("/credentials/status/999").status_code == 404


@pytest.mark.parametrize(
    ("configured", "request_base", "expected"),
    [
        (PUBLIC, "http://10.0.0.5:8000", PUBLIC),  # behind a proxy: the configured address wins
        ("", "https://cfa-ouest.example.org", "https://cfa-ouest.example.org"),  # not set: the request's host
    ],
)
def test_every_public_link_uses_one_address(client, badge_award, configured, request_base, expected, monkeypatch):
    monkeypatch.setitem(current_app.config, "PUBLIC_BASE_URL", configured)
    code = badge_award.verification_code
    admin = signed_in_at(client, UserFactory.admin(), request_base)

    page = admin.get(f"/evaluation/certifications/{badge_award.id}/certificat.pdf", base_url=request_base)
    certificate_text = PdfReader(io.BytesIO(page.data)).pages[0].extract_text()
    token = admin.get(f"/evaluation/certifications/{badge_award.id}/badge.jwt", base_url=request_base).data.decode()
    claims = jwt.decode(token, options={"verify_signature": False})
    kid = jwt.get_unverified_header(token)["kid"]
    issuer = client.get("/.well-known/issuer.json", base_url=request_base).get_json()
    (key,) = client.get("/.well-known/jwks.json", base_url=request_base).get_json()["keys"]
    status = client.get(f"/verify/{code}/status", base_url=request_base).get_json()
    status_list = jwt.decode(
        client.get(
            claims["credentialStatus"]["statusListCredential"].removeprefix(expected), base_url=request_base
        ).data.decode(),
        options={"verify_signature": False},
    )

    assert f"{expected}/verify/{code}" in certificate_text.replace("\n", "")
    assert claims["id"] == status["id"] == f"{expected}/verify/{code}"
    assert claims["iss"] == issuer["id"] == status_list["iss"] == f"{expected}/.well-known/issuer.json"
    assert kid == key["kid"] and kid.startswith(f"{issuer['publicKey']}#")
    assert issuer["publicKey"] == f"{expected}/.well-known/jwks.json"
    assert claims["credentialStatus"]["statusListCredential"] == status_list["id"]
    assert status_list["id"].startswith(f"{expected}/credentials/status/")
    everything = json.dumps([certificate_text, claims, kid, issuer, key, status, status_list])
    assert "127.0.0.1" not in everything and "localhost" not in everything


def test_title_badge_of_a_jury_is_verified_too(client):
    """A CCP or title badge comes from a jury, not an assessor: same conformance."""
    create_signing_key(current_app.config["KEYS_DIR"])
    programme = ProgrammeFactory(rncp_code="RNCP36241")
    SkillBlockFactory(programme=programme)
    award = AwardFactory(kind=AwardKind.TITLE, micro_certification=None, programme=programme)
    token = download_badge(client, award, "http://localhost")
    download = downloader(client, "http://localhost")
    credential = OB3Verifier(key_named_by_kid(token, download)).verify(token, check_status=True, download=download)
    assert credential.achievement.achievement_type == "Certification"


def test_no_absolute_link_is_built_outside_the_public_address_helper():
    """One helper (cfa/urls.py) builds every absolute link: no default host, no url_for(_external=True)."""
    import cfa

    offenders = [
        str(path)
        for path in Path(cfa.__file__).parent.rglob("*")
        if path.suffix in (".py", ".html") and ("_external=True" in (text := path.read_text()) or "127.0.0.1" in text)
    ]
    assert offenders == []

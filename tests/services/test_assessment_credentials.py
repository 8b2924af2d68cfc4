"""Micro-certification awards, revocation, and the signed Open Badges 3.0 credential."""

import json
from datetime import date

import jwt
import pytest
from flask import current_app

from cfa.extensions import db
from cfa.models import AuditEvent, Role
from cfa.services.assessment import AssessmentError
from cfa.services.assessment_awards import award_micro_certification, revoke_award
from cfa.services.assessment_credentials import (
    build_credential,
    create_signing_key,
    jwks,
    key_path,
    sign_credential,
    verify_credential,
)
from tests.factories import MicroCertificationFactory, OrganisationFactory, UserFactory

BASE = "https://cfa.example.test"


@pytest.fixture
def keys_dir(tmp_path):
    create_signing_key(tmp_path)
    return tmp_path


@pytest.fixture
def award():
    learner = UserFactory(roles=[Role.LEARNER], first_name="Aline", last_name="Quéré", birth_date=date(1990, 2, 3))
    return award_micro_certification(
        learner,
        MicroCertificationFactory(title="Les bases de la gestion de conflit"),
        awarded_on=date(2026, 3, 12),
        assessor=UserFactory.trainer(),
        evidence="Mise en situation filmée, grille d'observation",
    )


def test_key_is_created_once_outside_the_code_and_private(tmp_path):
    path, created = create_signing_key(tmp_path / "keys")
    assert created and path == key_path(tmp_path / "keys")
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    before = path.read_bytes()
    assert create_signing_key(tmp_path / "keys") == (path, False)
    assert path.read_bytes() == before


def test_any_learner_may_receive_a_micro_certification_but_only_once(award):
    with pytest.raises(AssessmentError, match="détient déjà"):
        award_micro_certification(award.learner, award.micro_certification, awarded_on=date(2026, 3, 13),
                                  assessor=award.assessor, evidence="Deuxième essai")  # fmt: skip


def test_staff_cannot_receive_a_micro_certification():
    with pytest.raises(AssessmentError):
        award_micro_certification(UserFactory.admin(), MicroCertificationFactory(), awarded_on=date(2026, 3, 1),
                                  assessor=UserFactory.trainer(), evidence="x")  # fmt: skip


def test_future_date_and_missing_evidence_are_refused():
    learner = UserFactory.apprentice()
    micro = MicroCertificationFactory()
    with pytest.raises(AssessmentError, match="futur"):
        award_micro_certification(learner, micro, awarded_on=date(2030, 1, 1), assessor=learner, evidence="x",
                                  today=date(2026, 1, 1))  # fmt: skip
    with pytest.raises(AssessmentError, match="preuve"):
        award_micro_certification(learner, micro, awarded_on=date(2026, 1, 1), assessor=learner, evidence="  ")


def test_revocation_needs_a_reason_and_is_audited(award):
    admin = UserFactory.admin()
    with pytest.raises(AssessmentError):
        revoke_award(award, admin, " ")
    revoke_award(award, admin, "Erreur de saisie : mauvaise personne")
    assert award.is_revoked
    assert db.session.query(AuditEvent).filter_by(entity="award", action="revoke").one().reason.startswith("Erreur")
    with pytest.raises(AssessmentError):
        revoke_award(award, admin, "encore")


def test_credential_carries_the_eu_micro_credential_elements(award):
    credential = build_credential(award, OrganisationFactory(), BASE)
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["credentialSubject"]["achievement"]["achievementType"] == "MicroCredential"
    eu = credential["euMicroCredential"]
    for element in ("learner", "title", "country", "awardingBody", "dateOfIssue", "learningOutcomes",
                    "notionalWorkload", "level", "typeOfAssessment", "formOfParticipation", "typeOfQualityAssurance"):  # fmt: skip
        assert eu[element], element
    assert eu["learner"] == "Aline Quéré" and eu["notionalWorkload"] == "14 h" and eu["country"] == "FR"
    text = json.dumps(credential)
    assert "1990" not in text and "@exemple.test" not in text  # no birth date, no e-mail


def test_credential_verified_by_an_independent_library_with_the_published_key(award, keys_dir):
    token = sign_credential(award, OrganisationFactory(), BASE, keys_dir)
    (published,) = jwks(keys_dir)["keys"]
    key = jwt.PyJWK(published)
    assert jwt.get_unverified_header(token)["kid"] == published["kid"]
    claims = jwt.decode(token, key=key, algorithms=["EdDSA"], options={"verify_aud": False})
    assert claims["jti"] == f"{BASE}/verify/{award.verification_code}"
    assert claims["iss"] == claims["issuer"]["id"]
    assert claims["credentialSubject"]["achievement"]["name"] == "Les bases de la gestion de conflit"


def test_valid_credential_is_verified(award, keys_dir):
    result = verify_credential(sign_credential(award, None, BASE, keys_dir), keys_dir)
    assert result.valid and result.signature_valid and result.award == award


def test_revoked_credential_has_a_valid_signature_but_is_not_valid(award, keys_dir):
    token = sign_credential(award, None, BASE, keys_dir)
    revoke_award(award, UserFactory.admin(), "Fraude constatée")
    result = verify_credential(token, keys_dir)
    assert result.signature_valid and result.revoked and not result.valid
    assert "révoquée" in result.message


def test_one_changed_byte_breaks_the_signature(award, keys_dir):
    token = sign_credential(award, None, BASE, keys_dir)
    header, payload, signature = token.split(".")
    middle = len(payload) // 2
    tampered_char = "A" if payload[middle] != "A" else "B"
    tampered = f"{header}.{payload[:middle]}{tampered_char}{payload[middle + 1 :]}.{signature}"
    result = verify_credential(tampered, keys_dir)
    assert not result.signature_valid and not result.valid
    (published,) = jwks(keys_dir)["keys"]
    with pytest.raises(jwt.InvalidTokenError):
        jwt.decode(tampered, key=jwt.PyJWK(published), algorithms=["EdDSA"])


def test_a_credential_signed_by_another_key_is_refused(award, keys_dir, tmp_path):
    other = tmp_path / "other"
    create_signing_key(other)
    result = verify_credential(sign_credential(award, None, BASE, other), keys_dir)
    assert not result.signature_valid


@pytest.mark.parametrize("junk", ["", "pas un badge", "a.b.c", '{"jwt": 3}', "{"])
def test_garbage_is_refused_with_a_message(junk, keys_dir):
    result = verify_credential(junk, keys_dir)
    assert not result.valid and result.message


def test_the_app_uses_the_configured_keys_dir(app):
    assert current_app.config["KEYS_DIR"].endswith("keys")


def test_database_refuses_two_awards_in_force_of_one_certification(award):
    import sqlalchemy as sa

    from cfa.models import Award, AwardKind

    def again():
        with db.session.begin_nested():
            db.session.add(Award(kind=AwardKind.MICRO_CERTIFICATION, learner_id=award.learner_id,
                                 micro_certification_id=award.micro_certification_id, awarded_on=date(2026, 4, 1)))  # fmt: skip

    with pytest.raises(sa.exc.IntegrityError):
        again()
    revoke_award(award, UserFactory.admin(), "Erreur de saisie")
    again()  # once revoked, it may be awarded again

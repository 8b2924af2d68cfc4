"""Micro-certification awards, revocation, and the signed Open Badges 3.0 credential."""

import gzip
import json
from datetime import UTC, date, datetime
from pathlib import Path

import jwt
import pytest
from flask import current_app
from jsonschema import Draft201909Validator

from cfa.extensions import db
from cfa.models import AuditEvent, AwardKind, Role
from cfa.services.assessment import AssessmentError
from cfa.services.assessment_awards import award_micro_certification, revoke_award
from cfa.services.assessment_credentials import (
    STATUS_LIST_SIZE,
    build_credential,
    create_signing_key,
    jwks,
    key_path,
    sign_credential,
    verify_credential,
)
from cfa.services.credential_status import build_status_list
from tests.factories import (
    AwardFactory,
    MicroCertificationFactory,
    OrganisationFactory,
    ProgrammeFactory,
    SkillBlockFactory,
    UserFactory,
)

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
        award_micro_certification(
            award.learner,
            award.micro_certification,
            awarded_on=date(2026, 3, 13),
            assessor=award.assessor,
            evidence="Deuxième essai",
        )


def test_staff_cannot_receive_a_micro_certification():
    with pytest.raises(AssessmentError):
        award_micro_certification(
            UserFactory.admin(),
            MicroCertificationFactory(),
            awarded_on=date(2026, 3, 1),
            assessor=UserFactory.trainer(),
            evidence="x",
        )


def test_future_date_and_missing_evidence_are_refused():
    learner = UserFactory.apprentice()
    micro = MicroCertificationFactory()
    with pytest.raises(AssessmentError, match="futur"):
        award_micro_certification(
            learner, micro, awarded_on=date(2030, 1, 1), assessor=learner, evidence="x", today=date(2026, 1, 1)
        )
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
    for element in (
        "learner",
        "title",
        "country",
        "awardingBody",
        "dateOfIssue",
        "learningOutcomes",
        "notionalWorkload",
        "level",
        "typeOfAssessment",
        "formOfParticipation",
        "typeOfQualityAssurance",
    ):
        assert eu[element], element
    assert eu["learner"] == "Aline Quéré" and eu["notionalWorkload"] == "14 h" and eu["country"] == "FR"
    text = json.dumps(credential)
    assert "1990" not in text and "@exemple.test" not in text  # no birth date, no e-mail


def test_credential_verified_by_an_independent_library_with_the_published_key(award, keys_dir):
    token = sign_credential(award, OrganisationFactory(), BASE, keys_dir)
    (published,) = jwks(keys_dir, BASE)["keys"]
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
    (published,) = jwks(keys_dir, BASE)["keys"]
    with pytest.raises(jwt.InvalidTokenError):
        jwt.decode(tampered, key=jwt.PyJWK(published), algorithms=["EdDSA"])


def test_a_credential_signed_by_another_key_is_refused(award, keys_dir, tmp_path):
    other = tmp_path / "other"
    create_signing_key(other)
    result = verify_credential(sign_credential(award, None, BASE, other), keys_dir)
    assert not result.signature_valid


@pytest.mark.parametrize("algorithm", ["HS256", "none"])
def test_a_credential_under_another_algorithm_is_refused_by_name(award, keys_dir, algorithm):
    """Algorithm confusion: the same claims signed HMAC with the published key, or not signed at all."""
    genuine = sign_credential(award, None, BASE, keys_dir)
    claims = jwt.decode(genuine, options={"verify_signature": False})
    secret = jwks(keys_dir, BASE)["keys"][0]["x"].encode() if algorithm == "HS256" else None
    forged = jwt.encode(claims, secret, algorithm=algorithm)
    result = verify_credential(forged, keys_dir)
    assert not result.signature_valid and result.award is None
    assert result.message.startswith("Algorithme de signature non reconnu")


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
            db.session.add(
                Award(
                    kind=AwardKind.MICRO_CERTIFICATION,
                    learner_id=award.learner_id,
                    micro_certification_id=award.micro_certification_id,
                    awarded_on=date(2026, 4, 1),
                )
            )

    with pytest.raises(sa.exc.IntegrityError):
        again()
    revoke_award(award, UserFactory.admin(), "Erreur de saisie")
    again()  # once revoked, it may be awarded again


# --- Open Badges 3.0 conformance -----------------------------------------------------------------------

OB3_SCHEMA = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "ob_v3p0" / "achievementcredential.schema.json").read_text()
)


def schema_errors(credential: dict) -> list[str]:
    """What 1EdTech's OB 3.0 JSON schema finds wrong in a credential.

    That revision of the schema names the issue date with the VC 1.1 term issuanceDate; ours is VC 2.0's
    validFrom (see tests/fixtures/ob_v3p0/README.md): the date is copied across, nothing else changes.
    """
    document = dict(credential, issuanceDate=credential["validFrom"])
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in Draft201909Validator(OB3_SCHEMA).iter_errors(document)
    ]


@pytest.fixture
def awards_of_every_kind():
    programme = ProgrammeFactory(rncp_code="RNCP36241", title="Médiateur social accès aux droits et services")
    blocks = [SkillBlockFactory(programme=programme, position=i, code=f"CCP{i}", title=f"Bloc {i}") for i in (1, 2, 3)]
    learner = UserFactory.apprentice()
    return {
        AwardKind.MICRO_CERTIFICATION: AwardFactory(
            learner=learner, micro_certification=MicroCertificationFactory(skill_blocks=[blocks[1]])
        ),
        AwardKind.SKILL_BLOCK: AwardFactory(
            kind=AwardKind.SKILL_BLOCK, learner=learner, micro_certification=None, skill_block=blocks[0]
        ),
        AwardKind.TITLE: AwardFactory(
            kind=AwardKind.TITLE, learner=learner, micro_certification=None, programme=programme
        ),
    }


@pytest.mark.parametrize("kind", list(AwardKind))
def test_every_kind_of_credential_matches_the_official_ob3_schema(awards_of_every_kind, kind):
    credential = build_credential(awards_of_every_kind[kind], OrganisationFactory(), BASE)
    assert schema_errors(credential) == []


def test_the_schema_check_catches_an_identifier_type_outside_the_vocabulary(award):
    credential = build_credential(award, OrganisationFactory(), BASE)
    credential["issuer"]["otherIdentifier"][0]["identifierType"] = "sisId"
    assert any("otherIdentifier" in error for error in schema_errors(credential))


RNCP_FICHE = "https://www.francecompetences.fr/recherche/rncp/36241/"


@pytest.mark.parametrize(
    ("kind", "aligned"),
    [
        (AwardKind.MICRO_CERTIFICATION, [("ceasn:Competency", "CCP2")]),
        (AwardKind.SKILL_BLOCK, [("ceasn:Competency", "CCP1")]),
        (
            AwardKind.TITLE,
            [
                ("ceterms:Credential", "RNCP36241"),
                ("ceasn:Competency", "CCP1"),
                ("ceasn:Competency", "CCP2"),
                ("ceasn:Competency", "CCP3"),
            ],
        ),
    ],
)
def test_badge_aligns_to_the_rncp_blocks_it_certifies(awards_of_every_kind, kind, aligned):
    achievement = build_credential(awards_of_every_kind[kind], None, BASE)["credentialSubject"]["achievement"]
    assert [(a["targetType"], a["targetCode"]) for a in achievement["alignment"]] == aligned
    assert {a["targetUrl"] for a in achievement["alignment"]} == {RNCP_FICHE}
    assert all(a["targetName"] and a["type"] == ["Alignment"] for a in achievement["alignment"])


def test_a_title_without_rncp_code_has_no_alignment_to_invent():
    block = SkillBlockFactory(programme=ProgrammeFactory(rncp_code=None))
    award = AwardFactory(kind=AwardKind.SKILL_BLOCK, micro_certification=None, skill_block=block)
    assert "alignment" not in build_credential(award, None, BASE)["credentialSubject"]["achievement"]


def test_jwt_sub_is_the_credential_subject_id_and_the_kid_a_key_of_the_published_set(award, keys_dir):
    token = sign_credential(award, OrganisationFactory(), BASE, keys_dir)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["sub"] == claims["credentialSubject"]["id"] and claims["sub"].startswith("urn:uuid:")
    assert "Quéré" not in claims["sub"]
    kid = jwt.get_unverified_header(token)["kid"]
    assert kid.startswith(f"{BASE}/.well-known/jwks.json#")
    assert [k["kid"] for k in jwks(keys_dir, BASE)["keys"]] == [kid]


def test_a_learner_keeps_one_subject_id_across_badges(award):
    other = award_micro_certification(
        award.learner,
        MicroCertificationFactory(),
        awarded_on=date(2026, 3, 13),
        assessor=award.assessor,
        evidence="Grille",
    )
    ids = {build_credential(a, None, BASE)["credentialSubject"]["id"] for a in (award, other)}
    assert len(ids) == 1


def test_credential_status_is_a_bitstring_status_list_entry(award):
    status = build_credential(award, None, BASE)["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry" and status["statusPurpose"] == "revocation"
    assert status["statusListCredential"] == f"{BASE}/credentials/status/{award.id // STATUS_LIST_SIZE}"
    assert int(status["statusListIndex"]) == award.id % STATUS_LIST_SIZE


def revoked_bits(status_list: dict) -> set[int]:
    encoded = status_list["credentialSubject"]["encodedList"]
    assert encoded.startswith("u")  # multibase base64url
    bits = gzip.decompress(jwt.utils.base64url_decode(encoded[1:]))
    assert len(bits) * 8 == STATUS_LIST_SIZE
    return {i for i in range(len(bits) * 8) if bits[i // 8] & (0x80 >> (i % 8))}


def test_revocation_sets_the_award_bit_in_the_status_list(award):
    kept = award_micro_certification(
        award.learner,
        MicroCertificationFactory(),
        awarded_on=date(2026, 3, 13),
        assessor=award.assessor,
        evidence="Grille",
    )
    now = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    assert revoked_bits(build_status_list(0, BASE, now)) == set()
    revoke_award(award, UserFactory.admin(), "Fraude constatée")
    status_list = build_status_list(0, BASE, now)
    assert revoked_bits(status_list) == {award.id} and kept.id not in revoked_bits(status_list)
    assert status_list["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert status_list["issuer"] == f"{BASE}/.well-known/issuer.json"

"""Assessment pages through the client: who sees what, entry forms, publication, public verification."""

import io
import re
from datetime import date

import jwt
import pytest
from flask import current_app
from pypdf import PdfReader

from cfa.extensions import db
from cfa.models import (
    Award,
    AwardKind,
    Decision,
    EvaluationOutcome,
    EvaluationResult,
    JuryStatus,
    ModuleAssignment,
    Role,
)
from cfa.services.assessment_awards import revoke_award
from cfa.services.assessment_credentials import create_signing_key
from cfa.services.juries import add_candidates
from cfa.services.jury_results import publish_jury, record_jury_results
from tests.factories import (
    AwardFactory,
    CohortFactory,
    EmployerFactory,
    EnrolmentFactory,
    EvaluationFactory,
    JurySessionFactory,
    MicroCertificationFactory,
    ModuleFactory,
    OrganisationFactory,
    ProgrammeFactory,
    SkillBlockFactory,
    UserFactory,
)


@pytest.fixture
def keys():
    create_signing_key(current_app.config["KEYS_DIR"])


def cohort_with_blocks(count: int = 3, **kw):
    programme = ProgrammeFactory()
    for i in range(count):
        SkillBlockFactory(programme=programme, position=i + 1, code=f"CCP{i + 1}", title=f"Bloc {i + 1}")
    db.session.refresh(programme)
    return CohortFactory(programme=programme, **kw)


def held_jury(apprentices: int = 2):
    """A jury session whose results are entered (everyone obtains the title) but not published."""
    cohort = cohort_with_blocks()
    enrolments = [EnrolmentFactory(cohort=cohort) for _ in range(apprentices)]
    jury = JurySessionFactory(cohort=cohort)
    add_candidates(jury)
    for candidate in jury.candidates:
        record_jury_results(candidate, {b.id: True for b in cohort.programme.skill_blocks}, absent=False)
    db.session.flush()
    return jury, enrolments


# --- Refusals per role --------------------------------------------------------------------------

STAFF_PAGES = [
    "/evaluation/",
    "/evaluation/jurys",
    "/evaluation/certifications",
    "/evaluation/jurys/nouveau",
    "/evaluation/certifications/nouvelle",
]
ALLOWED = {
    "admin": set(STAFF_PAGES),
    "trainer": {"/evaluation/", "/evaluation/certifications"},
    "quality": {"/evaluation/jurys"},  # reads the juries' results (Qualiopi 3), creates nothing
    "apprentice": set(),
    "tutor": set(),
}


@pytest.mark.parametrize("role", list(ALLOWED))
@pytest.mark.parametrize("url", STAFF_PAGES)
def test_staff_pages_per_role(login, role, url):
    client = login(UserFactory(roles=[Role(role)], employer=EmployerFactory() if role == "tutor" else None))
    expected = 200 if url in ALLOWED[role] else 403
    assert client.get(url).status_code == expected


@pytest.mark.parametrize("url", STAFF_PAGES + ["/moi/resultats", "/moi/certificats", "/employeur/resultats"])
def test_anonymous_goes_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


@pytest.mark.parametrize(
    ("role", "url", "expected"),
    [
        ("apprentice", "/moi/resultats", 200),
        ("apprentice", "/employeur/resultats", 403),
        ("tutor", "/employeur/resultats", 200),
        ("tutor", "/moi/resultats", 403),
        ("tutor", "/moi/certificats", 403),
        ("trainer", "/moi/certificats", 403),
        ("admin", "/moi/resultats", 403),
        ("learner", "/moi/certificats", 200),
    ],
)
def test_own_pages_per_role(login, role, url, expected):
    client = login(UserFactory(roles=[Role(role)], employer=EmployerFactory() if role == "tutor" else None))
    assert client.get(url).status_code == expected


def test_trainer_cannot_enter_results_of_a_cohort_they_do_not_teach(login):
    evaluation = EvaluationFactory()
    client = login(UserFactory.trainer())
    assert client.get(f"/evaluation/{evaluation.id}").status_code == 403
    assert client.get(f"/evaluation/promotions/{evaluation.cohort_id}/nouvelle").status_code == 403


def test_trainer_teaching_a_module_enters_results(login):
    trainer = UserFactory.trainer()
    evaluation = EvaluationFactory(max_score=20)
    db.session.add(
        ModuleAssignment(
            cohort_id=evaluation.cohort_id,
            module_id=ModuleFactory(programme=evaluation.cohort.programme).id,
            trainer_id=trainer.id,
        )
    )
    enrolment = EnrolmentFactory(cohort=evaluation.cohort)
    client = login(trainer)
    assert evaluation.cohort.name in client.get("/evaluation/").get_data(as_text=True)
    response = client.post(
        f"/evaluation/{evaluation.id}", data={f"outcome-{enrolment.id}": "acquired", f"score-{enrolment.id}": "15"}
    )
    assert response.status_code == 302
    result = db.session.query(EvaluationResult).one()
    assert (result.outcome, result.score, result.assessed_by_id) == (EvaluationOutcome.ACQUIRED, 15, trainer.id)


@pytest.mark.parametrize(("score", "message"), [("25", "comprise entre 0 et 20"), ("douze", "nombre entier")])
def test_bad_score_is_shown_beside_the_row_and_nothing_is_saved(login, score, message):
    evaluation = EvaluationFactory(max_score=20)
    good, bad = EnrolmentFactory(cohort=evaluation.cohort), EnrolmentFactory(cohort=evaluation.cohort)
    client = login(UserFactory.admin())
    response = client.post(
        f"/evaluation/{evaluation.id}",
        data={
            f"outcome-{good.id}": "acquired",
            f"score-{good.id}": "12",
            f"outcome-{bad.id}": "acquired",
            f"score-{bad.id}": score,
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and f'id="erreur-{bad.id}"' in page
    assert db.session.query(EvaluationResult).count() == 0


def test_new_evaluation_outside_the_training_dates_is_refused(login):
    cohort = cohort_with_blocks()
    client = login(UserFactory.admin())
    response = client.post(
        f"/evaluation/promotions/{cohort.id}/nouvelle",
        data={"title": "Étude de cas", "skill_block_id": cohort.programme.skill_blocks[0].id, "date": "2030-01-01"},
    )
    assert response.status_code == 200 and "La date doit être comprise dans la formation" in response.get_data(
        as_text=True
    )
    response = client.post(
        f"/evaluation/promotions/{cohort.id}/nouvelle",
        data={"title": "Étude de cas", "skill_block_id": cohort.programme.skill_blocks[0].id, "date": "2026-01-10"},
    )
    assert response.status_code == 302


# --- Jury through the pages ---------------------------------------------------------------------


def test_jury_results_entry_then_publication(login):
    cohort = cohort_with_blocks()
    people = [EnrolmentFactory(cohort=cohort) for _ in range(3)]
    client = login(UserFactory.admin())
    response = client.post(
        "/evaluation/jurys/nouveau",
        data={
            "cohort_id": cohort.id,
            "date": "2026-07-02",
            "start_time": "09:00",
            "place": "CFA Rennes",
            "members": "Présidente\nProfessionnel",
        },
    )
    assert response.status_code == 302
    jury_url = response.headers["Location"]
    jury_id = int(re.search(r"/jurys/(\d+)", jury_url).group(1))
    page = client.get(jury_url).get_data(as_text=True)
    candidates = [int(i) for i in re.findall(r'name="absent-(\d+)"', page)]
    assert len(candidates) == 3
    blocks = [b.id for b in cohort.programme.skill_blocks]
    data = {f"block-{candidates[0]}-{b}": "1" for b in blocks}
    data |= {f"block-{candidates[1]}-{blocks[0]}": "1", f"block-{candidates[1]}-{blocks[1]}": "0"}  # CCP3 missing
    data |= {f"absent-{candidates[2]}": "1"}
    response = client.post(jury_url, data=data)
    assert response.status_code == 422 and "Indiquez pour chaque CCP" in response.get_data(as_text=True)
    data[f"block-{candidates[1]}-{blocks[2]}"] = "0"
    assert client.post(jury_url, data=data).status_code == 302
    assert client.post(f"/evaluation/jurys/{jury_id}/publier").status_code == 302
    from cfa.models import JurySession

    jury = db.session.get(JurySession, jury_id)
    assert jury.status == JuryStatus.PUBLISHED
    assert sorted(c.decision.value for c in jury.candidates) == ["absent", "obtained", "partial"]
    assert db.session.query(Award).filter_by(kind=AwardKind.TITLE).count() == 1
    page = client.get(jury_url).get_data(as_text=True)
    assert "50\u202f%" in page and "(1/2)" in page  # 1 title obtained, 2 presented (the absent one is not)
    assert people


def test_convocation_pdf_names_the_candidate(login):
    jury, enrolments = held_jury(1)
    client = login(UserFactory.admin())
    (candidate,) = jury.candidates
    response = client.get(f"/evaluation/jurys/{jury.id}/convocations/{candidate.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert enrolments[0].apprentice.full_name in text and "Convocation" in text


def test_jury_page_queries_do_not_grow_with_candidates(login, count_queries):
    client = login(UserFactory.admin())
    counts = []
    for size in (2, 6):
        jury, _ = held_jury(size)
        with count_queries() as queries:
            assert client.get(f"/evaluation/jurys/{jury.id}").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_zip_of_a_published_jury(login):
    jury, _ = held_jury(2)
    publish_jury(jury, UserFactory.admin())
    client = login(UserFactory.admin())
    response = client.get(f"/evaluation/jurys/{jury.id}/certificats.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    import zipfile

    assert len(zipfile.ZipFile(io.BytesIO(response.data)).namelist()) == 8  # 3 CCP + 1 title, twice


# --- What the apprentice and the tutor see ------------------------------------------------------


def test_unpublished_results_are_hidden_from_apprentice_and_tutor(login, client):
    jury, (enrolment, _other) = held_jury(2)
    apprentice, tutor = enrolment.apprentice, enrolment.tutor
    login(apprentice)
    page = client.get("/moi/resultats").get_data(as_text=True)
    assert "Titre obtenu" not in page and "CCP acquis" not in page
    assert client.get("/moi/certificats").get_data(as_text=True).count("Certificat (PDF)") == 0
    client.logout()
    login(tutor)
    page = client.get(f"/employeur/resultats/{enrolment.id}").get_data(as_text=True)
    assert "Titre obtenu" not in page and "CCP acquis" not in page
    client.logout()

    publish_jury(jury, UserFactory.admin())
    db.session.flush()
    login(apprentice)
    assert "Titre obtenu" in client.get("/moi/resultats").get_data(as_text=True)
    assert client.get("/moi/certificats").get_data(as_text=True).count("Certificat (PDF)") == 4
    client.logout()
    login(tutor)
    assert "Titre obtenu" in client.get(f"/employeur/resultats/{enrolment.id}").get_data(as_text=True)


def test_tutor_cannot_see_another_employers_apprentice(login):
    mine = EnrolmentFactory()
    other = EnrolmentFactory()
    client = login(mine.tutor)
    assert client.get(f"/employeur/resultats/{other.id}").status_code == 404
    page = client.get("/employeur/resultats").get_data(as_text=True)
    assert mine.apprentice.last_name.upper() in page and other.apprentice.last_name.upper() not in page
    assert client.get(f"/employeur/resultats/{mine.id}").status_code == 200


def test_apprentice_sees_ecf_results_with_comment(login):
    evaluation = EvaluationFactory(title="Jeu de rôle", max_score=20)
    enrolment = EnrolmentFactory(cohort=evaluation.cohort)
    db.session.add(
        EvaluationResult(
            evaluation=evaluation,
            enrolment=enrolment,
            outcome=EvaluationOutcome.ACQUIRED,
            score=14,
            comment="Belle reformulation",
        )
    )
    db.session.flush()
    page = login(enrolment.apprentice).get("/moi/resultats").get_data(as_text=True)
    assert "Jeu de rôle" in page and "14/20" in page and "Belle reformulation" in page


def test_learner_cannot_download_someone_elses_certificate(login, keys):
    award = AwardFactory()
    client = login(UserFactory.apprentice())
    assert client.get(f"/moi/certificats/{award.verification_code}.pdf").status_code == 404
    assert client.get(f"/moi/certificats/{award.verification_code}.jwt").status_code == 404


def test_revoked_certificate_is_no_longer_downloadable_by_its_holder(login, keys):
    award = AwardFactory()
    revoke_award(award, UserFactory.admin(), "Erreur")
    client = login(award.learner)
    assert client.get(f"/moi/certificats/{award.verification_code}.pdf").status_code == 404


# --- Awards ----------------------------------------------------------------------------------------


def test_a_trainer_cannot_award_a_micro_certification_outright(login):
    employee = UserFactory(roles=[Role.LEARNER])
    micro = MicroCertificationFactory()
    data = {"learner_id": employee.id, "micro_certification_id": micro.id, "awarded_on": "2026-03-12", "evidence": "x"}
    assert login(UserFactory.trainer()).post("/evaluation/certifications/nouvelle", data=data).status_code == 403
    assert db.session.query(Award).count() == 0


def test_the_administration_awards_a_micro_certification_to_an_employee_in_short_training(login):
    trainer = UserFactory.admin()
    employee = UserFactory(roles=[Role.LEARNER])
    micro = MicroCertificationFactory()
    client = login(trainer)
    response = client.post(
        "/evaluation/certifications/nouvelle",
        data={
            "learner_id": employee.id,
            "micro_certification_id": micro.id,
            "awarded_on": "2026-03-12",
            "evidence": "Mise en situation filmée",
        },
    )
    assert response.status_code == 302
    award = db.session.query(Award).one()
    assert (award.learner_id, award.assessor_id, award.kind) == (employee.id, trainer.id, AwardKind.MICRO_CERTIFICATION)
    again = client.post(
        "/evaluation/certifications/nouvelle",
        data={
            "learner_id": employee.id,
            "micro_certification_id": micro.id,
            "awarded_on": "2026-03-12",
            "evidence": "Encore",
        },
    )
    assert again.status_code == 200 and "détient déjà" in again.get_data(as_text=True)


def test_only_jury_managers_revoke(login):
    trainer = UserFactory.trainer()
    award = AwardFactory(assessor=trainer)  # a trainer who may read the award, not withdraw it
    response = login(trainer).post(f"/evaluation/certifications/{award.id}", data={"reason": "x"})
    assert response.status_code == 403
    assert not db.session.get(Award, award.id).is_revoked


def test_revocation_without_reason_is_refused_then_done(login):
    award = AwardFactory()
    client = login(UserFactory.admin())
    response = client.post(f"/evaluation/certifications/{award.id}", data={"reason": ""})
    assert response.status_code == 422 and "Ce champ est obligatoire." in response.get_data(as_text=True)
    assert client.post(f"/evaluation/certifications/{award.id}", data={"reason": "Fraude"}).status_code == 302
    assert db.session.get(Award, award.id).revocation_reason == "Fraude"


# --- Public verification ----------------------------------------------------------------------------


@pytest.fixture
def public_award():
    OrganisationFactory()
    learner = UserFactory(
        roles=[Role.APPRENTICE],
        first_name="Aline",
        last_name="Quéré",
        email="aline.quere@prive.test",
        birth_date=date(1990, 2, 3),
        phone="06 11 22 33 44",
    )
    return AwardFactory(
        learner=learner,
        micro_certification=MicroCertificationFactory(title="Gestion de conflit"),
        evidence="Vidéo de la mise en situation n° 42",
        awarded_on=date(2026, 3, 12),
    )


def test_public_page_shows_the_least_personal_data(client, public_award):
    response = client.get(f"/verify/{public_award.verification_code}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for shown in ("Aline Quéré", "Gestion de conflit", "12 mars 2026", "CFA Médiation sociale Ouest", "Valide"):
        assert shown in page
    for hidden in ("aline.quere", "@prive.test", "1990", "03/02", "06 11 22 33 44", "Vidéo de la mise en situation"):
        assert hidden not in page


def test_public_page_says_revoked(client, public_award):
    revoke_award(public_award, UserFactory.admin(), "Délivrée par erreur")
    page = client.get(f"/verify/{public_award.verification_code.lower()}").get_data(as_text=True)
    assert "Révoqué" in page and "Délivrée par erreur" not in page  # the reason is internal
    assert client.get(f"/verify/{public_award.verification_code}/status").get_json()["revoked"] is True


def test_unknown_code_is_a_404(client):
    assert client.get("/verify/ZZZZZZZZZZZZ").status_code == 404


def test_verify_by_code_redirects(client, public_award):
    response = client.post("/verify", data={"code-code": f" {public_award.verification_code.lower()} "})
    assert response.status_code == 302 and response.headers["Location"].endswith(public_award.verification_code)


def test_badge_downloaded_by_its_holder_verifies_with_the_published_key(login, client, public_award, keys):
    token = login(public_award.learner).get(f"/moi/certificats/{public_award.verification_code}.jwt").data.decode()
    (key,) = client.get("/.well-known/jwks.json").get_json()["keys"]
    claims = jwt.decode(token, key=jwt.PyJWK(key), algorithms=["EdDSA"])
    assert claims["credentialSubject"]["achievement"]["name"] == "Gestion de conflit"
    assert "1990" not in jwt.decode(token, options={"verify_signature": False}).__repr__()


def test_uploaded_badge_valid_revoked_and_tampered(login, client, public_award, keys):
    token = login(public_award.learner).get(f"/moi/certificats/{public_award.verification_code}.jwt").data.decode()
    client.logout()
    page = client.post(
        "/verify",
        data={"badge-credential": (io.BytesIO(token.encode()), "badge.jwt")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "Signature valide : cette certification est authentique" in page and "Aline Quéré" in page
    header, payload, signature = token.split(".")
    i = len(payload) // 3
    tampered = f"{header}.{payload[:i]}{'B' if payload[i] != 'B' else 'C'}{payload[i + 1 :]}.{signature}"
    page = client.post("/verify", data={"badge-pasted": tampered}).get_data(as_text=True)
    assert "Signature invalide" in page and "Aline Quéré" not in page
    revoke_award(public_award, UserFactory.admin(), "Erreur")
    db.session.flush()
    page = client.post("/verify", data={"badge-pasted": token}).get_data(as_text=True)
    assert "a été révoquée" in page


def test_empty_upload_gets_a_french_message(client):
    page = client.post("/verify", data={"badge-pasted": ""}).get_data(as_text=True)
    assert "Choisissez le fichier du badge" in page


def test_decision_labels_exist_for_every_decision():
    assert {d.label for d in Decision} >= {"Titre obtenu", "Titre non obtenu"}


def test_published_result_corrected_with_a_reason(login):
    jury, _ = held_jury(1)
    publish_jury(jury, UserFactory.admin())
    (candidate,) = jury.candidates
    blocks = [b.id for b in jury.cohort.programme.skill_blocks]
    client = login(UserFactory.admin())
    url = f"/evaluation/jurys/{jury.id}/candidats/{candidate.id}/corriger"
    assert client.get(url).status_code == 200
    data = {f"block-{blocks[0]}": "1", f"block-{blocks[1]}": "1", f"block-{blocks[2]}": "0"}
    response = client.post(url, data=data)
    assert response.status_code == 422 and "Ce champ est obligatoire." in response.get_data(as_text=True)
    response = client.post(url, data=dict(data, reason="Erreur de saisie sur le CCP3"))
    assert response.status_code == 302
    db.session.expire_all()
    assert candidate.decision == Decision.PARTIAL
    title = db.session.query(Award).filter_by(kind=AwardKind.TITLE).one()
    assert title.is_revoked and "Erreur de saisie" in title.revocation_reason
    client.logout()
    assert login(UserFactory.trainer()).get(url).status_code == 403


def test_unpublished_result_cannot_be_changed_through_the_correction_page(login):
    jury, _ = held_jury(1)
    (candidate,) = jury.candidates
    response = login(UserFactory.admin()).post(
        f"/evaluation/jurys/{jury.id}/candidats/{candidate.id}/corriger", data={"reason": "x"}
    )
    assert response.status_code == 302 and candidate.decision == Decision.OBTAINED


def test_tutor_results_and_awards_lists_queries_do_not_grow_with_rows(login, count_queries):
    employer = EmployerFactory()
    tutor = UserFactory.tutor(employer=employer)
    evaluation = EvaluationFactory()
    admin = UserFactory.admin()
    counts = {"tutor": [], "awards": []}
    for size in (1, 4):
        for _ in range(size):
            enrolment = EnrolmentFactory(cohort=evaluation.cohort, employer=employer, tutor=tutor)
            db.session.add(
                EvaluationResult(evaluation=evaluation, enrolment=enrolment, outcome=EvaluationOutcome.ACQUIRED)
            )
            AwardFactory(learner=enrolment.apprentice)
        db.session.flush()
        for who, url in (("tutor", "/employeur/resultats"), ("awards", "/evaluation/certifications")):
            client = login(tutor if who == "tutor" else admin)
            with count_queries() as queries:
                assert client.get(url).status_code == 200
            counts[who].append(len(queries))
            client.logout()
    assert counts["tutor"][0] == counts["tutor"][1]
    assert counts["awards"][0] == counts["awards"][1]


def test_a_trainer_reads_only_the_awards_of_learners_they_teach_or_assessed(login):
    trainer = UserFactory.trainer()
    taught = EnrolmentFactory(cohort=CohortFactory(lead_trainer=trainer))
    theirs = AwardFactory(learner=taught.apprentice)
    assessed = AwardFactory(assessor=trainer)
    stranger = AwardFactory()
    client = login(trainer)
    listing = client.get("/evaluation/certifications").get_data(as_text=True)
    assert theirs.verification_code in listing and assessed.verification_code in listing
    assert stranger.verification_code not in listing
    for path in ("", "/certificat.pdf", "/badge.jwt"):
        assert client.get(f"/evaluation/certifications/{stranger.id}{path}").status_code == 404
    assert client.get(f"/evaluation/certifications/{theirs.id}").status_code == 200

"""The administration sets up the CFA: errors beside the field, nothing half-saved."""

from datetime import date

import pytest
import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import (
    AuditEvent,
    Centre,
    Employer,
    Enrolment,
    EnrolmentStatus,
    InterruptionKind,
    Organisation,
    Programme,
    Role,
    User,
)
from tests import factories as f


@pytest.fixture
def admin(login):
    return login(f.UserFactory.admin())


def field_error(html: str, field_id: str) -> str:
    """The error message tied to a field through aria-describedby."""
    marker = f'id="{field_id}-erreur">'
    assert marker in html, f"no error shown beside {field_id}"
    return html.split(marker, 1)[1].split("</p>", 1)[0]


def employer_form(**overrides):
    data = {"name": "Ville de Brest", "siret": "732 829 320 00074", "kind": "city", "city": "Brest", "active": "y"}
    data.update(overrides)
    return data


def test_an_admin_creates_an_employer_with_a_valid_siret(admin):
    response = admin.post("/admin/employeurs/nouveau", data=employer_form())
    assert response.status_code == 302
    employer = db.session.scalar(sa.select(Employer).where(Employer.name == "Ville de Brest"))
    assert employer.siret == "73282932000074"


def test_an_invalid_siret_is_shown_beside_the_field_and_nothing_is_saved(admin):
    response = admin.post("/admin/employeurs/nouveau", data=employer_form(siret="73282932000075"))
    assert response.status_code == 200
    assert "clé de contrôle incorrecte" in field_error(response.text, "siret")
    assert 'aria-describedby="siret-aide siret-erreur"' in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Employer)) == 0


def test_a_siret_already_used_is_refused(admin):
    f.EmployerFactory(siret="73282932000074")
    response = admin.post("/admin/employeurs/nouveau", data=employer_form())
    assert "Un employeur porte déjà ce SIRET." in field_error(response.text, "siret")


def test_the_employer_list_searches_and_paginates_in_a_fixed_number_of_queries(admin, count_queries):
    for n in range(30):
        employer = f.EmployerFactory(name=f"Bailleur {n:02d}")
        f.UserFactory.tutor(employer=employer)
    with count_queries() as queries:
        page = admin.get("/admin/employeurs")
    assert "Bailleur 00" in page.text and "Bailleur 29" not in page.text
    assert "Page 1 sur 2" in page.text
    few = len(queries)
    f.UserFactory.tutor(employer=f.EmployerFactory(name="Bailleur 30"))
    with count_queries() as queries:
        admin.get("/admin/employeurs?page=2")
    assert len(queries) == few  # one query per page, not one per row
    assert "Bailleur 05" in admin.get("/admin/employeurs?q=bailleur 05").text


@pytest.mark.parametrize("path", ["/admin/personnes", "/admin/promotions", "/admin/inscriptions", "/admin/centres"])
def test_lists_do_not_issue_one_query_per_row(admin, count_queries, path):
    for _ in range(3):
        f.EnrolmentFactory()
    with count_queries() as queries:
        admin.get(path)
    few = len(queries)
    for _ in range(6):
        f.EnrolmentFactory()
    with count_queries() as queries:
        assert admin.get(path).status_code == 200
    assert len(queries) == few


def test_an_admin_creates_an_account_whose_owner_is_invited_to_choose_a_password(admin):
    response = admin.post(
        "/admin/personnes/nouveau",
        data={"first_name": "Léa", "last_name": "Roux", "email": "Lea.Roux@Exemple.test", "roles": ["apprentice"]},
        follow_redirects=True,
    )
    assert "Léa reçoit par e-mail un lien pour choisir son mot de passe" in response.text
    user = db.session.scalar(sa.select(User).where(User.email == "lea.roux@exemple.test"))
    assert user.roles == {Role.APPRENTICE}
    assert user.password_hash is None


def test_a_tutor_must_belong_to_an_employer(admin):
    response = admin.post(
        "/admin/personnes/nouveau",
        data={"first_name": "Yann", "last_name": "Le Du", "email": "yann@exemple.test", "roles": ["tutor"]},
    )
    assert "Un·e tuteur·rice est rattaché·e à un employeur." in field_error(response.text, "employer_id")


def test_a_person_may_hold_several_roles(admin):
    employer = f.EmployerFactory()
    admin.post(
        "/admin/personnes/nouveau",
        data={
            "first_name": "Anne",
            "last_name": "Bo",
            "email": "anne@exemple.test",
            "roles": ["trainer", "tutor"],
            "employer_id": str(employer.id),
        },
    )
    user = db.session.scalar(sa.select(User).where(User.email == "anne@exemple.test"))
    assert user.roles == {Role.TRAINER, Role.TUTOR}


def test_an_admin_deactivates_then_reactivates_an_account(admin, client):
    user = f.UserFactory.trainer()
    admin.post(f"/admin/personnes/{user.id}/activation")
    db.session.refresh(user)
    assert not user.active
    admin.post(f"/admin/personnes/{user.id}/activation")
    db.session.refresh(user)
    assert user.active


def test_an_admin_cannot_deactivate_their_own_account(client):
    me = f.UserFactory.admin()
    client.login(me)
    response = client.post(f"/admin/personnes/{me.id}/activation", follow_redirects=True)
    assert "Vous ne pouvez pas désactiver votre propre compte." in response.text
    db.session.refresh(me)
    assert me.active


def test_an_admin_resets_a_password_and_the_old_one_stops_working(admin, app):
    user = f.UserFactory.trainer()
    response = admin.post(f"/admin/personnes/{user.id}/reinitialiser", follow_redirects=True)
    password = response.text.split("<code>", 1)[1].split("</code>", 1)[0]
    db.session.refresh(user)
    assert user.check_password(password)
    assert not user.check_password("motdepasse-test")


def test_a_programme_is_created_with_its_rhythm_and_hours(admin):
    response = admin.post(
        "/admin/formations/nouveau",
        data={
            "code": "MSADS",
            "title": "Médiateur social accès aux droits et services",
            "level": "4",
            "certifier": "Ministère du Travail",
            "total_minutes": "441 h",
            "duration_months": "11",
            "first_block_weeks": "2",
            "course_weeks": "1",
            "field_weeks": "3",
            "centre_days": ["1", "2", "3", "4", "5"],
            "morning_start": "09:00",
            "morning_end": "12:30",
            "afternoon_start": "13:30",
            "afternoon_end": "17:00",
        },
    )
    assert response.status_code == 302
    programme = db.session.scalar(sa.select(Programme).where(Programme.code == "MSADS"))
    assert programme.total_minutes == 441 * 60
    assert programme.centre_days == "12345"
    assert programme.first_block_weeks == 2


def test_unreadable_hours_and_inverted_times_are_explained(admin):
    response = admin.post(
        "/admin/formations/nouveau",
        data={
            "code": "X",
            "title": "X",
            "level": "4",
            "certifier": "M",
            "total_minutes": "beaucoup",
            "duration_months": "11",
            "first_block_weeks": "1",
            "course_weeks": "1",
            "field_weeks": "3",
            "morning_start": "12:30",
            "morning_end": "09:00",
            "afternoon_start": "13:30",
            "afternoon_end": "17:00",
        },
    )
    assert "Durée illisible" in field_error(response.text, "total_minutes")
    assert "La fin du matin doit suivre son début." in field_error(response.text, "morning_end")
    assert "Cochez au moins un jour." in field_error(response.text, "centre_days")


def test_modules_budget_against_the_programme_hours_is_shown(admin):
    programme = f.ProgrammeFactory(total_minutes=100 * 60)
    f.ModuleFactory(programme=programme, minutes=60 * 60)
    page = admin.get(f"/admin/formations/{programme.id}").text
    assert "Les modules totalisent 60 h pour une durée en centre de 100 h" in page


def test_a_module_code_is_unique_within_its_programme(admin):
    module = f.ModuleFactory()
    response = admin.post(
        f"/admin/formations/{module.programme_id}/modules/nouveau",
        data={"position": "9", "code": module.code, "title": "Doublon", "minutes": "7 h"},
    )
    assert "Déjà utilisé dans cette formation." in field_error(response.text, "code")


def enrolment_form(cohort, apprentice, employer, tutor, **overrides):
    data = {
        "apprentice_id": str(apprentice.id),
        "cohort_id": str(cohort.id),
        "employer_id": str(employer.id),
        "tutor_id": str(tutor.id),
        "contract_start": "2025-09-15",
        "contract_end": "2026-08-14",
    }
    data.update(overrides)
    return data


def test_an_admin_enrols_an_apprentice(admin):
    cohort, apprentice, employer = f.CohortFactory(), f.UserFactory.apprentice(), f.EmployerFactory()
    tutor = f.UserFactory.tutor(employer=employer)
    response = admin.post("/admin/inscriptions/nouveau", data=enrolment_form(cohort, apprentice, employer, tutor))
    assert response.status_code == 302
    enrolment = db.session.scalar(sa.select(Enrolment).where(Enrolment.apprentice_id == apprentice.id))
    assert enrolment.status == EnrolmentStatus.ACTIVE and enrolment.tutor_id == tutor.id


def test_a_tutor_of_another_employer_is_refused(admin):
    cohort, apprentice, employer = f.CohortFactory(), f.UserFactory.apprentice(), f.EmployerFactory()
    stranger = f.UserFactory.tutor()
    response = admin.post("/admin/inscriptions/nouveau", data=enrolment_form(cohort, apprentice, employer, stranger))
    assert "n'appartient pas à l'employeur choisi" in field_error(response.text, "tutor_id").replace("&#39;", "'")


def test_a_contract_ending_before_it_starts_is_refused(admin):
    cohort, apprentice, employer = f.CohortFactory(), f.UserFactory.apprentice(), f.EmployerFactory()
    tutor = f.UserFactory.tutor(employer=employer)
    data = enrolment_form(cohort, apprentice, employer, tutor, contract_end="2025-01-01")
    response = admin.post("/admin/inscriptions/nouveau", data=data)
    assert "La fin du contrat doit suivre son début." in field_error(response.text, "contract_end")


def test_interrupting_an_enrolment_asks_for_a_date_and_a_reason(admin):
    enrolment = f.EnrolmentFactory()
    response = admin.post(f"/admin/inscriptions/{enrolment.id}/interrompre", data={"kind": "rupture", "reason": ""})
    assert response.status_code == 422
    assert field_error(response.text, "interrupted_on")
    assert field_error(response.text, "reason")
    db.session.refresh(enrolment)
    assert enrolment.status == EnrolmentStatus.ACTIVE

    response = admin.post(
        f"/admin/inscriptions/{enrolment.id}/interrompre",
        data={"interrupted_on": "2026-01-16", "kind": "rupture", "reason": "Rupture pendant la période d'essai"},
    )
    assert response.status_code == 302
    db.session.refresh(enrolment)
    assert enrolment.status == EnrolmentStatus.INTERRUPTED
    assert enrolment.interrupted_on == date(2026, 1, 16)
    assert enrolment.interruption_kind == InterruptionKind.RUPTURE
    assert enrolment.is_enrolled_on(date(2026, 1, 16)) and not enrolment.is_enrolled_on(date(2026, 1, 19))


def test_an_interruption_outside_the_contract_is_refused(admin):
    enrolment = f.EnrolmentFactory()
    response = admin.post(
        f"/admin/inscriptions/{enrolment.id}/interrompre",
        data={"interrupted_on": "2030-01-01", "kind": "dropout", "reason": "Abandon"},
    )
    assert "La date d'interruption suit la fin du contrat." in field_error(response.text, "interrupted_on").replace(
        "&#39;", "'"
    )


def test_a_closure_period_must_not_end_before_it_starts(admin):
    centre = f.CentreFactory()
    response = admin.post(
        f"/admin/centres/{centre.id}/fermetures/nouvelle",
        data={"label": "Noël", "start_date": "2025-12-22", "end_date": "2025-12-01"},
    )
    assert "Le dernier jour ne peut pas précéder le premier." in field_error(response.text, "end_date")


def test_a_room_of_another_centre_cannot_be_a_cohort_default(admin):
    programme, centre, other_room = f.ProgrammeFactory(), f.CentreFactory(), f.RoomFactory()
    response = admin.post(
        "/admin/promotions/nouveau",
        data={
            "name": "MSADS Brest",
            "programme_id": str(programme.id),
            "centre_id": str(centre.id),
            "start_date": "2025-09-15",
            "end_date": "2026-08-14",
            "default_room_id": str(other_room.id),
        },
    )
    assert "Cette salle n&#39;appartient pas au centre choisi." in field_error(response.text, "default_room_id")


def test_the_organisation_identity_is_validated(admin):
    response = admin.post(
        "/admin/organisme",
        data={
            "name": "CFA",
            "legal_representative": "H",
            "legal_representative_title": "Directrice",
            "siret": "123",
            "nda": "12",
            "uai": "abc",
            "address": "1 rue",
            "postcode": "3500",
            "city": "Rennes",
        },
    )
    assert "14 chiffres" in field_error(response.text, "siret")
    assert "11 chiffres" in field_error(response.text, "nda")
    assert "UAI" in field_error(response.text, "uai")
    assert "5 chiffres" in field_error(response.text, "postcode")


def test_reopening_an_enrolment_asks_why_and_shows_the_erased_interruption_in_its_history(admin):
    enrolment = f.EnrolmentFactory()
    admin.post(
        f"/admin/inscriptions/{enrolment.id}/interrompre",
        data={"interrupted_on": "2026-01-16", "kind": "rupture", "reason": "Rupture pendant la période d'essai"},
    )
    response = admin.post(f"/admin/inscriptions/{enrolment.id}/reprendre", data={"reason": ""})
    assert response.status_code == 422 and field_error(response.text, "reason")
    db.session.refresh(enrolment)
    assert enrolment.status == EnrolmentStatus.INTERRUPTED

    response = admin.post(f"/admin/inscriptions/{enrolment.id}/reprendre", data={"reason": "Saisie erronée"})
    assert response.status_code == 302
    db.session.refresh(enrolment)
    assert enrolment.status == EnrolmentStatus.ACTIVE
    page = admin.get(f"/admin/inscriptions/{enrolment.id}").text
    assert "Remise en cours" in page and "Saisie erronée" in page
    assert "Interruption" in page and "2026-01-16" in page and "Rupture pendant la période d" in page


def test_changing_a_programmes_hours_is_audited(admin):
    programme = f.ProgrammeFactory(total_minutes=406 * 60)
    response = admin.get(f"/admin/formations/{programme.id}/modifier")
    assert response.status_code == 200
    before = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    data = {
        "code": programme.code,
        "title": programme.title,
        "level": str(programme.level),
        "certifier": programme.certifier or "Ministère du Travail",
        "total_minutes": "441 h",
        "duration_months": str(programme.duration_months),
        "first_block_weeks": str(programme.first_block_weeks),
        "course_weeks": str(programme.course_weeks),
        "field_weeks": str(programme.field_weeks),
        "centre_days": list(programme.centre_days),
        "morning_start": "09:00",
        "morning_end": "12:30",
        "afternoon_start": "13:30",
        "afternoon_end": "17:00",
    }
    assert admin.post(f"/admin/formations/{programme.id}/modifier", data=data).status_code == 302
    event = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == before + 1
    assert (event.entity, event.entity_id, event.action) == ("programme", programme.id, "update")
    assert event.before["total_minutes"] == 406 * 60 and event.after["total_minutes"] == 441 * 60


@pytest.mark.parametrize("role", ["trainer", "apprentice", "tutor", "quality"])
def test_only_the_administration_may_interrupt_or_reopen_an_enrolment(login, role):
    enrolment = f.EnrolmentFactory()
    client = login(getattr(f.UserFactory, role)())
    assert client.post(f"/admin/inscriptions/{enrolment.id}/reprendre", data={"reason": "x"}).status_code == 403
    data = {"interrupted_on": "2026-01-16", "kind": "rupture", "reason": "x"}
    assert client.post(f"/admin/inscriptions/{enrolment.id}/interrompre", data=data).status_code == 403


def organisation_form(**overrides):
    data = {
        "name": "CFA Médiation sociale Ouest",
        "legal_representative": "Hélène Le Goff",
        "legal_representative_title": "Directrice",
        "siret": "732 829 320 00074",
        "nda": "53350812335",
        "uai": "0352976V",
        "address": "12 rue de la Médiation",
        "postcode": "35000",
        "city": "Rennes",
    }
    data.update(overrides)
    return data


def test_the_organisation_is_saved_with_its_uai_in_capitals(admin):
    response = admin.post("/admin/organisme", data=organisation_form(uai="0352976v"))
    assert response.status_code == 302
    organisation = db.session.scalar(sa.select(Organisation))
    assert (organisation.uai, organisation.siret) == ("0352976V", "73282932000074")


@pytest.mark.parametrize(
    ("uai", "message"),
    [
        ("0352976K", "Ce code UAI n&#39;est pas valide (lettre clé incorrecte)"),
        ("352976V", "Le code UAI compte 7 chiffres suivis d&#39;une lettre"),
    ],
)
def test_a_uai_with_a_wrong_key_letter_is_refused_beside_the_field(admin, uai, message):
    response = admin.post("/admin/organisme", data=organisation_form(uai=uai))
    assert message in field_error(response.text, "uai")
    assert db.session.scalar(sa.select(Organisation.id)) is None


def test_a_centre_uai_is_checked_with_its_key_letter_and_may_be_left_empty(admin):
    centre = {"name": "Brest", "code": "BREST", "city": "Brest"}
    response = admin.post("/admin/centres/nouveau", data=dict(centre, uai="0291234A"))
    assert "lettre clé incorrecte" in field_error(response.text, "uai")
    assert db.session.scalar(sa.select(Centre.id)) is None
    assert admin.post("/admin/centres/nouveau", data=dict(centre, uai="0291234J")).status_code == 302
    assert (
        admin.post("/admin/centres/nouveau", data={"name": "Quimper", "code": "QUIMPER", "city": "Quimper"}).status_code
        == 302
    )
    assert dict(db.session.execute(sa.select(Centre.code, Centre.uai)).tuples().all()) == {
        "BREST": "0291234J",
        "QUIMPER": None,
    }

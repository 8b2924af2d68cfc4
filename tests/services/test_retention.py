"""Retention: people whose training ended long ago are anonymised, old proofs deleted; figures stay true."""

from datetime import date

import pytest
import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import AuditEvent, EnrolmentStatus, MarkStatus, OutboxMessage, SurveyInvitation
from cfa.renderers.pdf.base import Identity
from cfa.renderers.pdf.certificat_realisation import render_certificats
from cfa.services import attendance_documents as docs
from cfa.services import retention
from cfa.services.attendance_rates import rates_by_cohort
from cfa.services.public_results import public_results
from cfa.storage import LocalFolderStore
from tests import factories as f
from tests.services.test_attendance_rates import mark, pdf_text

TODAY = date(2026, 11, 29)
OLD_START, OLD_END = date(2018, 9, 3), date(2019, 6, 28)


@pytest.fixture
def old_apprentice(app, tmp_path):
    """An apprentice whose contract ended in 2019, with marks, a proof on disk, a complaint and an award."""
    f.OrganisationFactory()
    cohort = f.CohortFactory(start_date=OLD_START, end_date=OLD_END)
    enrolment = f.EnrolmentFactory(cohort=cohort, status=EnrolmentStatus.COMPLETED)
    enrolment.apprentice.phone, enrolment.apprentice.birth_date = "0611223344", date(2000, 1, 2)
    mark(enrolment, date(2018, 9, 3))
    mark(enrolment, date(2018, 9, 4), MarkStatus.LATE, late=20)
    mark(enrolment, date(2018, 9, 5), MarkStatus.ABSENT)
    (tmp_path / "proofs").mkdir()
    (tmp_path / "proofs" / "arret.pdf").write_bytes(b"%PDF proof")
    f.JustificationFactory(
        enrolment=enrolment,
        start_date=date(2018, 9, 5),
        end_date=date(2018, 9, 5),
        proof_path="proofs/arret.pdf",
        proof_filename="arret.pdf",
    )
    f.ComplaintFactory(complainant=enrolment.apprentice)
    f.MicroCertRequestFactory(learner=enrolment.apprentice).withdraw("Déménagement à Lyon chez sa sœur")
    f.AwardFactory(learner=enrolment.apprentice, evidence="Observé en situation par Mme Durand")
    db.session.add(OutboxMessage(recipient=enrolment.apprentice.email, subject="Absence", body_text="Bonjour Léa"))
    campaign = f.SurveyCampaignFactory(cohort=cohort)
    db.session.add(SurveyInvitation(campaign=campaign, user=enrolment.apprentice, email=enrolment.apprentice.email))
    db.session.flush()
    return enrolment


def _figures(enrolment):
    (period,) = docs.periods_for([enrolment], OLD_START, OLD_END)
    identity = Identity.from_organisation(f.m.Organisation.query.first())
    certificat = pdf_text(render_certificats([period], identity, date(2019, 7, 1)))
    hours = [line for line in certificat.splitlines() if "réalisées" in line]
    published = public_results(enrolment.cohort.programme, date(2020, 1, 15))
    return period.rate, hours, rates_by_cohort([enrolment.cohort_id]), published.rates


def test_the_dry_run_lists_who_is_due_and_changes_nothing(old_apprentice):
    f.EnrolmentFactory()  # a current apprentice: not due
    trainer = f.UserFactory.trainer()
    f.EnrolmentFactory(apprentice=trainer, cohort=f.CohortFactory(start_date=OLD_START, end_date=OLD_END))

    due = retention.plan(TODAY, 5, 6)

    assert [item.person for item in due.people] == [old_apprentice.apprentice]
    assert due.people[0].last_day == OLD_END and due.person_cutoff == date(2021, 11, 29)
    assert [item.justification.proof_filename for item in due.proofs] == ["arret.pdf"]
    assert old_apprentice.apprentice.first_name != retention.ANONYMOUS_FIRST_NAME
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0


def test_a_tutor_of_a_later_enrolment_is_not_due_for_an_old_training_of_their_own(old_apprentice):
    f.EnrolmentFactory(tutor=old_apprentice.apprentice)
    assert retention.plan(TODAY, 5, 6).people == []


def test_anonymisation_keeps_the_published_rates_and_the_certificat_hours(old_apprentice, tmp_path):
    person = old_apprentice.apprentice
    former_email = person.email
    before = _figures(old_apprentice)
    assert before[1] and before[0].attended == 400  # two half-days of 3 h 30, 20 minutes late

    report = retention.apply(None, TODAY, 5, 6)
    db.session.expire_all()

    assert (report.anonymised, report.proofs_deleted) == (1, 1)
    assert _figures(old_apprentice) == before
    assert (person.first_name, person.email, person.phone, person.birth_date) == ("Personne", None, None, None)
    assert person.password_hash is None and not person.active
    assert old_apprentice.apprentice.full_name == f"Personne anonymisée n° {person.id}"
    (justification,) = db.session.scalars(sa.select(f.m.Justification)).all()
    assert justification.proof_path is None and justification.reason == retention.ANONYMISED_TEXT
    assert db.session.scalar(sa.select(f.m.Complaint.complainant_name)) == "Personne anonymisée"
    assert db.session.scalar(sa.select(f.m.Award.evidence)) == retention.ANONYMISED_TEXT
    assert db.session.scalar(sa.select(f.m.MicroCertRequest.withdrawal_reason)) == retention.ANONYMISED_TEXT
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    invitation = db.session.scalar(sa.select(SurveyInvitation))
    assert invitation.email == f"anonyme-{invitation.id}@invalid"
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert actions == {"anonymise", "delete_proof"}
    assert former_email not in repr(db.session.scalars(sa.select(AuditEvent.after)).all())


def test_the_proof_file_goes_only_once_the_run_is_committed(old_apprentice, tmp_path):
    report = retention.apply(None, TODAY, 5, 6)
    assert (tmp_path / "proofs" / "arret.pdf").exists()
    assert retention.delete_files(LocalFolderStore(tmp_path), report.files_to_delete) == 1
    assert not (tmp_path / "proofs" / "arret.pdf").exists()
    assert retention.delete_files(LocalFolderStore(tmp_path), report.files_to_delete) == 0


def test_a_second_run_leaves_anonymised_people_alone(old_apprentice, tmp_path):
    retention.apply(None, TODAY, 5, 6)
    assert retention.plan(TODAY, 5, 6).people == []
    with pytest.raises(retention.RetentionError, match="déjà anonymisé"):
        retention.anonymise(None, old_apprentice.apprentice, "encore")


def test_a_confirmed_run_applies_only_what_the_dry_run_showed(old_apprentice, tmp_path):
    report = retention.apply(None, TODAY, 5, 6, confirmed=(set(), set()))
    assert (report.anonymised, report.proofs_deleted) == (0, 0)
    assert old_apprentice.apprentice.email is not None


def test_staff_are_never_anonymised_and_a_retention_under_a_year_is_refused(app):
    with pytest.raises(retention.RetentionError, match="personnel"):
        retention.anonymise(None, f.UserFactory.trainer(), "essai")
    with pytest.raises(retention.RetentionError, match="au moins un an"):
        retention.plan(TODAY, 0, 6)


def test_the_cut_off_of_a_29_february_falls_back_a_day():
    assert retention.cutoff(date(2028, 2, 29), 3) == date(2025, 2, 28)


def test_anonymising_many_people_runs_as_many_statements_as_anonymising_one(app, count_queries):
    old = f.CohortFactory(start_date=OLD_START, end_date=OLD_END)
    for _ in range(4):
        f.EnrolmentFactory(cohort=old)
    due = retention.people_due(TODAY, 5)
    with count_queries() as one:
        retention.anonymise_all(None, [(due[0].person, "essai")])
    with count_queries() as three:
        retention.anonymise_all(None, [(item.person, "essai") for item in due[1:]])
    # The user rows and the audit events are written per person; everything else once for all.
    print("COUNTS", len(one), len(three))
    assert len(three) <= len(one) + 2 * 2 * 2

"""A short course's half-days are taken on the cohorts' attendance code paths: the same roster, marks,
signatures, self sign-in, closing, printed sheets and rates, for trainees who have neither a contract nor a tutor."""

from datetime import UTC, date, datetime

import pytest

from cfa.models import MarkStatus, Role, SignatureMethod, UnsignedReason
from cfa.services import attendance as att
from cfa.services import attendance_codes as codes
from cfa.services import attendance_documents as docs
from cfa.services import attendance_signatures as signatures
from cfa.services import trainees
from cfa.services.attendance import MarkInput
from cfa.services.attendance_rates import rates_by_cohort, rates_by_enrolment
from tests import factories as f

DAY = date(2026, 3, 2)
DURING = datetime(2026, 3, 2, 8, 10, tzinfo=UTC)  # 9:10 in Paris
AFTER = datetime(2026, 3, 2, 11, 45, tzinfo=UTC)  # 12:45 in Paris, the morning is over
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


@pytest.fixture
def session():
    client = f.EmployerFactory(name="Bailleur social")
    run = f.ShortCourseRunFactory(start_date=DAY, end_date=DAY, client=client, place="Agence de Villejean")
    return f.SessionFactory(cohort=run, date=DAY, trainer=f.UserFactory.trainer())


@pytest.fixture
def with_account(session):
    person = f.UserFactory(roles=[Role.LEARNER], employer=session.cohort.client)
    return f.TraineeEnrolmentFactory(cohort=session.cohort, employer=session.cohort.client, apprentice=person)


@pytest.fixture
def on_paper(session):
    admin = f.UserFactory.admin()
    values = trainees.TraineeValues("Paul", "Sans-Adresse", None, session.cohort.client_id)
    return trainees.register(admin, session.cohort, values, today=date(2026, 2, 1))


def test_the_roster_of_a_short_course_half_day_holds_its_trainees_without_contract_or_tutor(
    session, with_account, on_paper
):
    assert {e.id for e in att.roster(session)} == {with_account.id, on_paper.id}
    assert on_paper.tutor_id is None and on_paper.apprentice.password_hash is None


def test_marks_signatures_and_closing_work_as_for_a_cohort_and_feed_the_rates(session, with_account, on_paper):
    trainer = session.trainer
    assert att.mark_everyone_present(session, trainer, now=DURING) == 2
    att.save_marks(
        session,
        trainer,
        {on_paper.id: MarkInput(MarkStatus.LATE, 30)},
        {on_paper.id: MarkInput(MarkStatus.PRESENT)},
        now=DURING,
    )
    signatures.sign(session, with_account.id, PNG, SignatureMethod.TRAINER_DEVICE, "Tablette", trainer, now=DURING)
    signatures.close(
        session, trainer, PNG, "Tablette", now=AFTER, unsigned={on_paper.id: signatures.Unsigned(UnsignedReason.PAPER)}
    )
    assert att.is_locked(att.sheet_of(session), session, AFTER)
    rates = rates_by_enrolment([with_account.id, on_paper.id], now=AFTER)
    assert (rates[with_account.id].attended, rates[with_account.id].scheduled) == (210, 210)
    assert (rates[on_paper.id].attended, rates[on_paper.id].late) == (180, 30)
    cohort_rate, active = rates_by_cohort([session.cohort_id], now=AFTER)
    assert cohort_rate[session.cohort_id].attended == 390 and active[session.cohort_id] == 2


def test_a_trainee_with_an_account_signs_in_with_the_trainers_code(session, with_account):
    sheet = att.lock_sheet(session)
    code = codes.current_code(sheet, DURING)[0]
    mark = codes.self_sign_in(with_account.apprentice, code, "Android", DURING)
    assert mark.enrolment_id == with_account.id and mark.status == MarkStatus.PRESENT
    assert mark.signature_method == SignatureMethod.QR


def test_the_printed_sheet_and_the_period_of_a_trainee_come_from_the_same_ledger(session, with_account, on_paper):
    att.mark_everyone_present(session, session.trainer, now=DURING)
    (page,) = docs.sheet_pages([session])
    assert {e.id for e, mark in page.rows} == {with_account.id, on_paper.id}
    assert all(mark is not None and mark.status == MarkStatus.PRESENT for _, mark in page.rows)
    (period,) = docs.periods_for([on_paper], DAY, DAY)
    assert period.rate.attended == 210

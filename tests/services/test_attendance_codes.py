"""Self sign-in with the rotating code: only an enrolled apprentice, during the session, once."""

from datetime import UTC, date, datetime, timedelta

import pytest

from cfa.models import MarkStatus, SignatureMethod, UnsignedReason
from cfa.services import attendance as att
from cfa.services import attendance_codes as codes
from cfa.services import attendance_signatures as signatures
from tests import factories as f

DAY = date(2026, 11, 16)
START = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)  # 9:00 in Paris


@pytest.fixture
def session():
    session = f.running_session(DAY)
    att.lock_sheet(session)
    return session


@pytest.fixture
def enrolment(session):
    return f.EnrolmentFactory(cohort=session.cohort)


def code_at(session, moment):
    return codes.current_code(att.sheet_of(session), moment)[0]


def test_the_code_changes_every_30_seconds_and_is_easy_to_type(session):
    sheet = att.sheet_of(session)
    first, expires = codes.current_code(sheet, START)
    assert len(first) == 6 and set(first) <= set(codes.ALPHABET)
    assert codes.current_code(sheet, START + timedelta(seconds=29))[0] == first
    assert codes.current_code(sheet, START + timedelta(seconds=30))[0] != first
    assert expires == START + timedelta(seconds=30)


def test_an_enrolled_apprentice_signs_in_once_during_the_session(session, enrolment):
    now = START + timedelta(minutes=5)
    mark = codes.self_sign_in(enrolment.apprentice, code_at(session, now).lower(), "Android", now)
    assert mark.status == MarkStatus.PRESENT and mark.signature_method == SignatureMethod.QR and mark.signed_at == now
    with pytest.raises(att.AttendanceError, match="déjà émargé"):
        codes.self_sign_in(enrolment.apprentice, code_at(session, now), "Android", now + timedelta(seconds=5))


def test_arriving_late_is_recorded_as_lateness(session, enrolment):
    now = START + timedelta(minutes=25)
    mark = codes.self_sign_in(enrolment.apprentice, code_at(session, now), "Android", now)
    assert mark.status == MarkStatus.LATE and mark.minutes_late == 25


def test_an_expired_code_is_refused(session, enrolment):
    then = START + timedelta(minutes=1)
    old = code_at(session, then)
    assert codes.self_sign_in(enrolment.apprentice, old, "x", then + timedelta(seconds=31))  # just rotated: still fine
    other = f.EnrolmentFactory(cohort=session.cohort)
    with pytest.raises(att.AttendanceError, match="incorrect ou expiré"):
        codes.self_sign_in(other.apprentice, old, "x", then + timedelta(minutes=2))


def test_a_code_outside_the_session_is_refused(session, enrolment):
    for moment in (START - timedelta(minutes=30), START + timedelta(hours=4)):
        with pytest.raises(att.AttendanceError, match="Aucune séance en cours"):
            codes.self_sign_in(enrolment.apprentice, code_at(session, moment), "x", moment)


def test_a_person_not_enrolled_cannot_sign_in(session):
    now = START + timedelta(minutes=5)
    outsider = f.EnrolmentFactory()  # another cohort
    with pytest.raises(att.AttendanceError, match="Aucune séance en cours"):
        codes.self_sign_in(outsider.apprentice, code_at(session, now), "x", now)
    leaver = f.EnrolmentFactory(cohort=session.cohort, contract_start=date(2026, 12, 1))
    with pytest.raises(att.AttendanceError, match="Aucune séance en cours"):
        codes.self_sign_in(leaver.apprentice, code_at(session, now), "x", now)


def test_a_closed_sheet_takes_no_more_sign_ins(session, enrolment):
    now = START + timedelta(minutes=5)
    att.mark_everyone_present(session, session.trainer, now=now)
    signatures.close(
        session,
        session.trainer,
        b"\x89PNG\r\n\x1a\n",
        "x",
        now=now,
        unsigned={enrolment.id: signatures.Unsigned(UnsignedReason.LEFT_BEFORE_SIGNING)},
        early_reason="Alerte incendie",
    )
    with pytest.raises(att.AttendanceError, match="close"):
        codes.self_sign_in(enrolment.apprentice, code_at(session, now), "x", now)

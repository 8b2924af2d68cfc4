"""Signing without drawing: from one's own account, with the sheet's current code (a learner) and one's password,
the statement ticked. Who may, what a refusal leaves (nothing), and that a signature is not given twice."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import AttendanceMark, AuditEvent, MarkStatus, SignatureMethod
from cfa.services import attendance as att
from cfa.services import attendance_codes as codes
from cfa.services import attendance_signatures as signatures
from tests import factories as f
from tests.conftest import TEST_PASSWORD

DAY = date(2026, 11, 16)
START = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)  # 9:00 in Paris
NOW = START + timedelta(minutes=5)


@pytest.fixture
def session():
    session = f.running_session(DAY)
    att.lock_sheet(session)
    return session


@pytest.fixture
def enrolment(session):
    return f.EnrolmentFactory(cohort=session.cohort)


def code_now(session, moment=NOW):
    return codes.current_code(att.sheet_of(session), moment)[0]


def marks_count():
    return db.session.scalar(sa.select(sa.func.count()).select_from(AttendanceMark))


def typed_events():
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "typed_signature")))


def test_an_apprentice_signs_by_typed_code_and_the_record_says_who_how_and_when(session, enrolment):
    mark = codes.typed_sign_in(enrolment.apprentice, code_now(session), TEST_PASSWORD, True, "Android", NOW)
    assert mark.signature_method == SignatureMethod.TYPED
    assert mark.signed_at == NOW and mark.signature is None and mark.status == MarkStatus.PRESENT
    assert mark.signature_user_agent == "Android"
    [event] = typed_events()
    assert event.actor_id == enrolment.apprentice.id
    assert event.entity == "attendance_mark" and event.entity_id == mark.id
    assert event.reason == signatures.TYPED_STATEMENT


@pytest.mark.parametrize(
    ("password", "confirmed", "message"),
    [
        ("pas-le-bon", True, "Mot de passe incorrect"),
        ("", True, "Mot de passe incorrect"),
        (TEST_PASSWORD, False, "Cochez la déclaration"),
    ],
)
def test_a_wrong_password_or_no_statement_is_refused_and_writes_nothing(
    session, enrolment, password, confirmed, message
):
    with pytest.raises(att.AttendanceError, match=message):
        codes.typed_sign_in(enrolment.apprentice, code_now(session), password, confirmed, "x", NOW)
    assert marks_count() == 0 and typed_events() == []


def test_a_wrong_or_expired_code_is_refused_in_french_and_writes_nothing(session, enrolment):
    with pytest.raises(att.AttendanceError, match="Code incorrect ou expiré"):
        codes.typed_sign_in(enrolment.apprentice, "ZZZZZZ", TEST_PASSWORD, True, "x", NOW)
    old = code_now(session, NOW)
    with pytest.raises(att.AttendanceError, match="Code incorrect ou expiré"):
        codes.typed_sign_in(enrolment.apprentice, old, TEST_PASSWORD, True, "x", NOW + timedelta(minutes=2))
    assert marks_count() == 0 and typed_events() == []


def test_replaying_a_typed_signature_is_refused(session, enrolment):
    code = code_now(session)
    codes.typed_sign_in(enrolment.apprentice, code, TEST_PASSWORD, True, "x", NOW)
    with pytest.raises(att.AttendanceError, match="déjà émargé"):
        codes.typed_sign_in(enrolment.apprentice, code, TEST_PASSWORD, True, "x", NOW + timedelta(seconds=5))
    assert len(typed_events()) == 1


def test_only_a_learner_on_the_roster_signs_even_with_the_right_code_and_password(session):
    outsider = f.EnrolmentFactory()  # another cohort
    with pytest.raises(att.AttendanceError, match="Aucune séance en cours"):
        codes.typed_sign_in(outsider.apprentice, code_now(session), TEST_PASSWORD, True, "x", NOW)
    # The trainer has no place on the roster: their typed signature is the closing's, not a learner's.
    with pytest.raises(att.AttendanceError, match="Aucune séance en cours"):
        codes.typed_sign_in(session.trainer, code_now(session), TEST_PASSWORD, True, "x", NOW)
    assert marks_count() == 0


def test_a_trainer_closes_without_drawing_with_their_password(session, enrolment):
    codes.typed_sign_in(enrolment.apprentice, code_now(session), TEST_PASSWORD, True, "x", NOW)
    end = NOW + timedelta(hours=5)
    signatures.close(session, session.trainer, None, "iPad", now=end, typed=(TEST_PASSWORD, True))
    sheet = att.sheet_of(session)
    assert sheet.closed_at == end and sheet.trainer_signed_at == end
    assert sheet.trainer_signature is None and sheet.trainer_signature_method == SignatureMethod.TYPED
    assert [e.entity for e in typed_events()] == ["attendance_mark", "attendance_sheet"]


def test_a_trainer_s_wrong_password_leaves_the_sheet_open(session, enrolment):
    codes.typed_sign_in(enrolment.apprentice, code_now(session), TEST_PASSWORD, True, "x", NOW)
    end = NOW + timedelta(hours=5)
    with pytest.raises(att.AttendanceError, match="Mot de passe incorrect"):
        signatures.close(session, session.trainer, None, "iPad", now=end, typed=("faux", True))
    with pytest.raises(att.AttendanceError, match="signez dans le cadre"):
        signatures.close(session, session.trainer, None, "iPad", now=end)
    sheet = att.sheet_of(session)
    assert sheet.closed_at is None and sheet.trainer_signature_method is None


def test_a_drawn_closing_records_its_method(session, enrolment):
    codes.typed_sign_in(enrolment.apprentice, code_now(session), TEST_PASSWORD, True, "x", NOW)
    signatures.close(session, session.trainer, b"\x89PNG\r\n\x1a\n", "iPad", now=NOW + timedelta(hours=5))
    assert att.sheet_of(session).trainer_signature_method == SignatureMethod.TRAINER_DEVICE

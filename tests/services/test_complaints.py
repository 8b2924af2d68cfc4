"""The complaints procedure (Qualiopi 31): steps in order and dated, each change audited, delays against the CFA's
own targets, and the register's filters."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from cfa import models as m
from cfa.extensions import db
from cfa.services import complaints
from cfa.services.complaints import ComplaintError, Targets, advance, record_complaint
from tests import factories as f

RECEIVED = date(2025, 3, 3)


def _complaint(**values):
    base = dict(
        received_on=RECEIVED,
        channel="letter",
        complainant_name="Mme Roux",
        complainant_kind=m.Audience.LEARNER,
        subject="Attestation erronée",
        description="Les dates de l'attestation sont fausses.",
    )
    return record_complaint(f.UserFactory.quality(), **(base | values))


def test_the_procedure_goes_received_acknowledged_answered_analysed_closed_each_step_audited():
    officer = f.UserFactory.quality()
    complaint = _complaint()
    advance(officer, complaint, "acknowledge", RECEIVED + timedelta(days=1))
    advance(officer, complaint, "start", RECEIVED + timedelta(days=2))
    advance(officer, complaint, "answer", RECEIVED + timedelta(days=10), "Attestation corrigée et renvoyée.")
    advance(officer, complaint, "analyse", RECEIVED + timedelta(days=12), "Modèle d'attestation mal paramétré.")
    advance(officer, complaint, "close", RECEIVED + timedelta(days=20))
    assert complaint.status == m.ComplaintStatus.CLOSED
    actions = db.session.scalars(
        sa.select(m.AuditEvent.action)
        .where(m.AuditEvent.entity == "complaint", m.AuditEvent.entity_id == complaint.id)
        .order_by(m.AuditEvent.id)
    ).all()
    assert actions == ["create", "acknowledge", "start", "answer", "analyse", "close"]


@pytest.mark.parametrize(
    ("done", "step", "message"),
    [
        ([], "answer", "ne peut pas passer à « Réponse apportée »"),
        ([], "close", "ne peut pas passer à « Close »"),
        (["acknowledge"], "analyse", "ne peut pas passer à « Analysée »"),
        (["acknowledge"], "acknowledge", "ne peut pas passer"),
        ([], "delete", "Étape inconnue"),
    ],
)
def test_a_step_out_of_order_is_refused_with_a_french_message_and_changes_nothing(done, step, message):
    officer = f.UserFactory.quality()
    complaint = _complaint()
    for previous in done:
        advance(officer, complaint, previous, RECEIVED)
    status = complaint.status
    with pytest.raises(ComplaintError, match=message):
        advance(officer, complaint, step, RECEIVED + timedelta(days=3), "Texte")
    assert complaint.status == status


def test_an_answer_needs_its_text_and_a_step_cannot_precede_the_one_before_nor_lie_in_the_future():
    officer = f.UserFactory.quality()
    complaint = _complaint()
    with pytest.raises(ComplaintError, match="précède"):
        advance(officer, complaint, "acknowledge", RECEIVED - timedelta(days=1))
    with pytest.raises(ComplaintError, match="futur"):
        advance(officer, complaint, "acknowledge", date(2099, 1, 1))
    advance(officer, complaint, "acknowledge", RECEIVED)
    with pytest.raises(ComplaintError, match="réponse apportée est obligatoire"):
        advance(officer, complaint, "answer", RECEIVED, "  ")


def test_a_complaint_filed_from_a_portal_is_the_persons_own_dated_today():
    apprentice = f.EnrolmentFactory().apprentice
    complaint = record_complaint(apprentice, complainant=apprentice, subject="Salle froide", description="Trop froid.")
    assert (complaint.complainant_id, complaint.channel, complaint.complainant_kind) == (
        apprentice.id,
        "portal",
        m.Audience.APPRENTICE,
    )
    assert complaint.complainant_name == apprentice.full_name
    assert complaints.own_complaints(apprentice) == [complaint]
    assert complaints.own_complaints(f.EnrolmentFactory().apprentice) == []


def test_a_complaint_without_subject_or_channel_is_refused():
    with pytest.raises(ComplaintError, match="obligatoires"):
        _complaint(subject=" ")
    with pytest.raises(ComplaintError, match="canal"):
        _complaint(channel="pigeon")


@pytest.mark.parametrize(
    ("ack_after", "answer_after", "today_after", "late"),
    [
        (1, 10, 40, [False, False, True]),  # never closed: 40 days > 30
        (3, 16, 20, [True, True, False]),
        (None, None, 1, [False, False, False]),
    ],
)
def test_each_step_is_measured_against_the_cfas_targets(ack_after, answer_after, today_after, late):
    officer = f.UserFactory.quality()
    complaint = _complaint()
    if ack_after is not None:
        advance(officer, complaint, "acknowledge", RECEIVED + timedelta(days=ack_after))
        advance(officer, complaint, "answer", RECEIVED + timedelta(days=answer_after), "Réponse")
    delays = complaints.delays(complaint, today=RECEIVED + timedelta(days=today_after), goal=Targets(2, 15, 30))
    assert [d.late for d in delays] == late


def test_the_register_filters_by_year_status_and_lateness():
    officer = f.UserFactory.quality()
    old = _complaint(received_on=date(2024, 5, 2))
    fresh = _complaint(received_on=date(2025, 12, 30))
    answered = _complaint(received_on=date(2025, 6, 2))
    advance(officer, answered, "acknowledge", date(2025, 6, 2))
    advance(officer, answered, "answer", date(2025, 6, 5), "Réponse")

    def ids(**filters):
        stmt = complaints.register_query(today=date(2025, 12, 31), goal=Targets(2, 15, 30), **filters)
        return {c.id for c in db.session.scalars(stmt)}

    assert ids(year=2025) == {fresh.id, answered.id}
    assert ids(status=m.ComplaintStatus.ANSWERED) == {answered.id}
    assert ids(late=True) == {old.id, answered.id}  # answered in time but never closed after 30 days

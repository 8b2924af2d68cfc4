"""The feuille d'émargement as an auditor reads it, parsed back from the PDF."""

import random
from datetime import UTC, date, datetime, timedelta
from io import BytesIO

import pytest
from pypdf import PdfReader

from cfa.demo.attendance import signature_png
from cfa.models import JustificationStatus, MarkStatus, SessionStatus, SignatureMethod, UnsignedReason
from cfa.renderers.pdf.attendance_sheet import render_attendance_sheets
from cfa.renderers.pdf.base import Identity
from cfa.services import attendance as att
from cfa.services import attendance_documents as docs
from cfa.services import attendance_signatures as signatures
from cfa.services.attendance import MarkInput
from tests import factories as f

DAY = date(2026, 11, 16)
ARRIVAL = datetime(2026, 11, 16, 8, 2, tzinfo=UTC)  # 9:02 in Paris
CLOSED_EARLY = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)  # 11:00 in Paris, the morning ends at 12:30


@pytest.fixture
def identity():
    return Identity.from_organisation(f.OrganisationFactory(name="CFA Médiation Ouest"))


def _morning(learners: int):
    cohort = f.CohortFactory(name="MSADS Rennes 2026-2027", start_date=date(2026, 9, 14), end_date=date(2027, 8, 13))
    session = f.SessionFactory(cohort=cohort, date=DAY, trainer=f.UserFactory.trainer(last_name="Formatrice"))
    enrolments = [f.EnrolmentFactory(cohort=cohort) for _ in range(learners)]
    return session, sorted(enrolments, key=lambda e: (e.apprentice.last_name.lower(), e.apprentice.first_name.lower()))


def _text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(pdf)).pages]


def test_a_sheet_with_every_case_prints_what_an_auditor_checks(identity, tmp_path):
    rng = random.Random(9)
    session, people = _morning(15)
    trainer, admin = session.trainer, f.UserFactory.admin()
    ids = [e.id for e in people]
    att.mark_everyone_present(session, trainer, now=ARRIVAL)
    seen = {eid: MarkInput(MarkStatus.PRESENT) for eid in ids}
    absent_pending, absent_accepted, absent_plain, late_and_early, refused, corrected, *_ = ids
    att.save_marks(
        session,
        trainer,
        {
            absent_pending: MarkInput(MarkStatus.ABSENT),
            absent_accepted: MarkInput(MarkStatus.ABSENT),
            absent_plain: MarkInput(MarkStatus.ABSENT),
            late_and_early: MarkInput(MarkStatus.LATE, 20, 30),
        },
        seen,
        now=ARRIVAL,
    )
    f.JustificationFactory(enrolment=people[0], start_date=DAY, end_date=DAY, reason="Rendez-vous médical")
    accepted = f.JustificationFactory(enrolment=people[1], start_date=DAY, end_date=DAY)
    accepted.status, accepted.decided_by_id = JustificationStatus.ACCEPTED, admin.id
    self_signed = ids[6]
    for index, enrolment in enumerate(people):
        if enrolment.id in (absent_pending, absent_accepted, absent_plain, refused):
            continue
        method = SignatureMethod.QR if enrolment.id == self_signed else SignatureMethod.TRAINER_DEVICE
        png = None if method == SignatureMethod.QR else signature_png(rng)
        mark = signatures.sign(
            session, enrolment.id, png or b"", method, "iPad", trainer, now=ARRIVAL + timedelta(minutes=index)
        )
        if method == SignatureMethod.QR:
            mark.signature = None
    att.correct(
        session,
        corrected,
        MarkInput(MarkStatus.LATE, 15),
        "Arrivée à 9 h 15, notée présente par erreur",
        admin,
        now=ARRIVAL,
    )
    signatures.close(
        session,
        trainer,
        signature_png(rng),
        "iPad",
        now=CLOSED_EARLY,
        unsigned={refused: signatures.Unsigned(UnsignedReason.REFUSED)},
        early_reason="Exercice d'évacuation du bâtiment",
    )
    cancelled = f.SessionFactory(
        cohort=session.cohort,
        date=DAY,
        half_day=f.m.HalfDay.PM,
        trainer=trainer,
        status=SessionStatus.CANCELLED,
        note="Formatrice malade, séance reportée au 23/11",
    )

    pdf = render_attendance_sheets(docs.sheet_pages([session, cancelled]), identity)
    (tmp_path / "feuille.pdf").write_bytes(pdf)
    pages = _text(pdf)
    everything = " ".join(pages).replace("\n", " ")

    for page in pages:  # the running header names the CFA, the cohort, the date and the half-day on every page
        assert "CFA Médiation Ouest" in page and "MSADS Rennes 2026-2027" in page and "16 novembre 2026" in page
    morning = [p for p in pages if "matin (9 h 00" in p]
    afternoon = [p for p in pages if "après-midi (13 h 30" in p]
    assert morning and afternoon and len(morning) + len(afternoon) == len(pages)
    assert "SÉANCE ANNULÉE" in afternoon[-1] and "Formatrice malade, séance reportée au 23/11" in afternoon[-1]
    assert "après-midi (13 h 30 – 17 h 00) · ANNULÉE" in afternoon[0]
    assert "Auto-émargement (QR code) · 16/11/2026 à 9 h 08" in everything
    assert "Sur l'appareil du formateur · 16/11/2026 à 9 h 09" in everything
    assert everything.count("absence en attente de décision") == 1
    assert everything.count("absence justifiée") == 1
    assert everything.count("absence non justifiée") == 1
    assert "* corrigé le " in everything and "voir l'historique" in everything
    assert "Signature absente : a refusé de signer" in everything
    assert "En retard de 20 min, parti·e 30 min plus tôt" in everything
    assert "avant la fin prévue (12 h 30)" in everything and "Exercice d'évacuation du bâtiment" in everything
    for enrolment in people:
        assert enrolment.apprentice.last_name.upper() in everything


@pytest.mark.parametrize("learners", range(8, 24))
def test_the_trainer_s_signature_never_stands_alone_on_a_page(identity, learners):
    session, people = _morning(learners)
    att.mark_everyone_present(session, session.trainer, now=ARRIVAL)
    pdf = render_attendance_sheets(docs.sheet_pages([session]), identity)
    (signature_page,) = [p for p in _text(pdf) if "Signature du formateur" in p]
    assert people[-1].apprentice.last_name.upper() in signature_page


def test_a_closed_sheet_prints_the_learners_it_held_not_those_enrolled_since(identity):
    session, people = _morning(2)
    att.mark_everyone_present(session, session.trainer, now=ARRIVAL)
    on_paper = {e.id: signatures.Unsigned(UnsignedReason.PAPER) for e in people}
    signatures.close(session, session.trainer, b"", "x", now=ARRIVAL + timedelta(hours=4), unsigned=on_paper)
    newcomer = f.EnrolmentFactory(cohort=session.cohort, contract_start=date(2026, 11, 2))
    (page,) = _text(render_attendance_sheets(docs.sheet_pages([session]), identity))
    assert newcomer.apprentice.last_name.upper() not in page
    assert all(e.apprentice.last_name.upper() in page for e in people)

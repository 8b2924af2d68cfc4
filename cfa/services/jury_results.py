"""The results of a jury session: verdict per CCP, decision, capitalisation, publication and corrections.

Entry points, each taking the acting user and the data (never the request):
- `parse_jury_grid` and `record_jury_grid`: the results page read from posted values, then saved per candidate.
- `record_jury_results`: the verdict per block (or the absence) of one candidate, and the decision;
  never before the session's date.
- `publish_jury`: results become visible to apprentices and tutors; CCP and title awards are issued.
- `correct_jury_results`: a published result corrected with a reason, audited; awards follow the new decision.
"""

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime

import sqlalchemy as sa

from cfa.extensions import db
from cfa.formatting import PARIS, today_paris
from cfa.models import (
    Award,
    AwardKind,
    BlockResult,
    Decision,
    JuryCandidate,
    JurySession,
    JuryStatus,
    SkillBlock,
    User,
)
from cfa.services import audit
from cfa.services.assessment import AssessmentError

# --- Decision and capitalisation -------------------------------------------------------------------


def decide(block_ids: Iterable[int], acquired_now: Iterable[int], capitalised: Iterable[int], absent: bool) -> Decision:
    """The overall decision of the titre professionnel's jury.

    Every CCP of the title held (acquired at this session or capitalised from an earlier one): title obtained.
    Some held: partial. None: not obtained. A candidate absent at the session gets no verdict at all
    (their capitalised CCPs stay theirs); absent candidates do not count as presented.
    """
    if absent:
        return Decision.ABSENT
    required = set(block_ids)
    held = (set(acquired_now) | set(capitalised)) & required
    if required and held == required:
        return Decision.OBTAINED
    if held:
        return Decision.PARTIAL
    return Decision.NOT_OBTAINED


def capitalised_blocks(
    learner_id: int, programme_id: int | None = None, before: date | None = None
) -> dict[int, Award]:
    """The CCPs a person holds (non-revoked awards), whatever enrolment they were acquired on."""
    stmt = sa.select(Award).where(
        Award.learner_id == learner_id, Award.kind == AwardKind.SKILL_BLOCK, Award.revoked_at.is_(None)
    )
    if programme_id is not None:
        stmt = stmt.join(SkillBlock, Award.skill_block_id == SkillBlock.id).where(
            SkillBlock.programme_id == programme_id
        )
    if before is not None:
        stmt = stmt.where(Award.awarded_on < before)
    return {a.skill_block_id: a for a in db.session.scalars(stmt)}


def capitalised_by_learner(
    learner_ids: Iterable[int], programme_id: int, before: date | None = None
) -> dict[int, set[int]]:
    """capitalised_blocks for many people in one query: {learner_id: {skill_block_id, ...}}."""
    stmt = (
        sa.select(Award.learner_id, Award.skill_block_id)
        .join(SkillBlock, Award.skill_block_id == SkillBlock.id)
        .where(
            Award.learner_id.in_(set(learner_ids)),
            Award.kind == AwardKind.SKILL_BLOCK,
            Award.revoked_at.is_(None),
            SkillBlock.programme_id == programme_id,
        )
    )
    if before is not None:
        stmt = stmt.where(Award.awarded_on < before)
    held: dict[int, set[int]] = {}
    for learner_id, block_id in db.session.execute(stmt):
        held.setdefault(learner_id, set()).add(block_id)
    return held


# --- Results ------------------------------------------------------------------------------------------


def results_closed_reason(jury: JurySession, today: date | None = None) -> str | None:
    """Why results cannot be entered or published yet (the session has not taken place), or None."""
    if (today or today_paris()) < jury.date:
        return (
            f"La session de validation a lieu le {jury.date:%d/%m/%Y} : "
            "ses résultats ne peuvent être ni saisis ni publiés avant cette date."
        )
    return None


def parse_verdicts(posted: Mapping[str, str], blocks: Iterable[SkillBlock], prefix: str) -> dict[int, bool]:
    """{block_id: acquired} from the radio buttons named `<prefix><block_id>` ("1" acquired, "0" not)."""
    verdicts = {}
    for block in blocks:
        value = posted.get(f"{prefix}{block.id}", "")
        if value in ("1", "0"):
            verdicts[block.id] = value == "1"
    return verdicts


def parse_jury_grid(posted: Mapping[str, str], jury: JurySession) -> dict[int, tuple[dict[int, bool], bool]]:
    """The results page read: {candidate_id: (verdicts, absent)} for the candidates something was entered for."""
    blocks = jury.cohort.programme.skill_blocks
    entries = {}
    for candidate in jury.candidates:
        absent = posted.get(f"absent-{candidate.id}") == "1"
        verdicts = parse_verdicts(posted, blocks, f"block-{candidate.id}-")
        if absent or verdicts:
            entries[candidate.id] = (verdicts, absent)
    return entries


def record_jury_grid(
    jury: JurySession, entries: Mapping[int, tuple[dict[int, bool], bool]], today: date | None = None
) -> dict[int, str]:
    """Save the results of every candidate entered; returns the French error of each one refused."""
    errors = {}
    for candidate in jury.candidates:
        if candidate.id not in entries:
            continue
        verdicts, absent = entries[candidate.id]
        try:
            record_jury_results(candidate, verdicts, absent=absent, today=today)
        except AssessmentError as error:
            errors[candidate.id] = str(error)
    return errors


def record_jury_results(
    candidate: JuryCandidate,
    acquired: dict[int, bool],
    *,
    absent: bool,
    comments: dict[int, str] | None = None,
    today: date | None = None,
) -> Decision:
    """Store the verdict on each CCP of the title (or the absence) and the decision that follows."""
    jury = candidate.jury_session
    if jury.status == JuryStatus.PUBLISHED:
        raise AssessmentError(
            "Les résultats de cette session sont publiés : utilisez « Corriger », avec un motif, pour les modifier."
        )
    if closed := results_closed_reason(jury, today):
        raise AssessmentError(closed)
    _apply_results(candidate, acquired, absent, comments or {})
    if jury.status == JuryStatus.PLANNED:
        jury.status = JuryStatus.HELD
    db.session.flush()
    return candidate.decision


def _apply_results(candidate: JuryCandidate, acquired: dict[int, bool], absent: bool, comments: dict[int, str]) -> None:
    jury = candidate.jury_session
    programme = jury.cohort.programme
    block_ids = [b.id for b in programme.skill_blocks]
    capitalised = capitalised_blocks(candidate.enrolment.apprentice_id, programme.id, before=jury.date)
    if absent:
        candidate.block_results.clear()
    else:
        if any(b not in capitalised and b not in acquired for b in block_ids):
            raise AssessmentError("Indiquez pour chaque CCP s'il est acquis ou non.")
        _set_verdicts(candidate, [b for b in block_ids if b not in capitalised], acquired, comments)
    acquired_now = [] if absent else [b for b in block_ids if acquired.get(b) and b not in capitalised]
    candidate.decision = decide(block_ids, acquired_now, capitalised, absent)


def _set_verdicts(candidate: JuryCandidate, judged: list[int], acquired: dict[int, bool], comments: dict[int, str]):
    """One verdict per block judged at this session; a block capitalised since keeps no verdict of its own."""
    existing = {r.skill_block_id: r for r in candidate.block_results}
    for block_id, result in existing.items():
        if block_id not in judged:
            candidate.block_results.remove(result)
    for block_id in judged:
        result = existing.get(block_id)
        if result is None:
            result = BlockResult(skill_block_id=block_id, acquired=acquired[block_id])
            candidate.block_results.append(result)
        result.acquired = acquired[block_id]
        result.comment = (comments.get(block_id) or "").strip() or None


# --- Publication, awards, corrections ----------------------------------------------------------------


def _issue_awards(candidate: JuryCandidate) -> list[Award]:
    """The CCP and title awards a published decision gives, except those the person already holds."""
    jury = candidate.jury_session
    programme = jury.cohort.programme
    learner_id = candidate.enrolment.apprentice_id
    held = capitalised_blocks(learner_id, programme.id)
    common = {"learner_id": learner_id, "jury_candidate": candidate, "awarded_on": jury.date}
    common["evidence"] = f"Session de validation du {jury.date:%d/%m/%Y}, {jury.place}"
    issued = [
        Award(kind=AwardKind.SKILL_BLOCK, skill_block_id=result.skill_block_id, **common)
        for result in candidate.block_results
        if result.acquired and result.skill_block_id not in held
    ]
    title_held = db.session.scalar(
        sa.select(Award.id).where(
            Award.learner_id == learner_id,
            Award.kind == AwardKind.TITLE,
            Award.programme_id == programme.id,
            Award.revoked_at.is_(None),
        )
    )
    if candidate.decision == Decision.OBTAINED and not title_held:
        issued.append(Award(kind=AwardKind.TITLE, programme_id=programme.id, **common))
    db.session.add_all(issued)
    return issued


def publish_jury(jury: JurySession, actor: User, now: datetime | None = None) -> list[Award]:
    """Make the results visible to apprentices and tutors and issue the CCP and title awards."""
    if jury.status == JuryStatus.PUBLISHED:
        raise AssessmentError("Les résultats de cette session sont déjà publiés.")
    moment = now or datetime.now(UTC)
    if closed := results_closed_reason(jury, moment.astimezone(PARIS).date()):
        raise AssessmentError(closed)
    if not jury.candidates:
        raise AssessmentError("Aucun·e candidat·e n'est convoqué·e à cette session.")
    undecided = [c for c in jury.candidates if c.decision is None]
    if undecided:
        raise AssessmentError(f"{len(undecided)} candidat·e(s) sans résultat : saisissez-les avant de publier.")
    issued = []
    for candidate in jury.candidates:
        issued += _issue_awards(candidate)
        db.session.flush()
    jury.status = JuryStatus.PUBLISHED
    jury.published_at = moment
    db.session.flush()
    audit.record(
        actor, "jury_session", jury.id, "publish", after={"candidates": len(jury.candidates), "awards": len(issued)}
    )
    db.session.flush()
    return issued


def _candidate_state(candidate: JuryCandidate) -> dict:
    codes = {b.id: b.code for b in candidate.jury_session.cohort.programme.skill_blocks}
    return {
        "decision": candidate.decision.value if candidate.decision else None,
        "blocks": {codes[r.skill_block_id]: r.acquired for r in candidate.block_results},
    }


def _revoke_lost_awards(candidate: JuryCandidate, actor: User, reason: str, moment: datetime) -> list[Award]:
    """Awards the corrected decision no longer justifies: revoked, never deleted (their public page says so)."""
    acquired_now = {r.skill_block_id for r in candidate.block_results if r.acquired}
    revoked = []
    for award in db.session.scalars(
        sa.select(Award).where(Award.jury_candidate_id == candidate.id, Award.revoked_at.is_(None))
    ):
        lost = (award.kind == AwardKind.SKILL_BLOCK and award.skill_block_id not in acquired_now) or (
            award.kind == AwardKind.TITLE and candidate.decision != Decision.OBTAINED
        )
        if lost:
            award.revoked_at = moment
            award.revoked_by_id = actor.id
            award.revocation_reason = f"Correction des résultats du jury : {reason}"
            revoked.append(award)
    db.session.flush()
    return revoked


def correct_jury_results(
    candidate: JuryCandidate,
    acquired: dict[int, bool],
    *,
    absent: bool,
    actor: User,
    reason: str,
    now: datetime | None = None,
) -> tuple[list[Award], list[Award]]:
    """Correct a published result (an entry error, an appeal): audited, with a reason.

    Awards the new decision no longer justifies are revoked; awards it newly justifies are issued.
    Returns (issued, revoked).
    """
    jury = candidate.jury_session
    if jury.status != JuryStatus.PUBLISHED:
        raise AssessmentError("Ces résultats ne sont pas encore publiés : modifiez-les directement.")
    reason = (reason or "").strip()
    if not reason:
        raise AssessmentError("Le motif de la correction est obligatoire.")
    before = _candidate_state(candidate)
    _apply_results(candidate, acquired, absent, {})
    db.session.flush()
    after = _candidate_state(candidate)
    if before == after:
        return [], []
    revoked = _revoke_lost_awards(candidate, actor, reason, now or datetime.now(UTC))
    issued = _issue_awards(candidate)
    audit.record(
        actor,
        "jury_candidate",
        candidate.id,
        "correct",
        before=before,
        after=after,
        reason=reason,
        context=("jury_session", jury.id),
    )
    db.session.flush()
    return issued, revoked

"""Awards: micro-certifications given to any learner, revocation, the award look-ups of the pages and ZIPs, and
what a certificate states."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from cfa.extensions import db
from cfa.formatting import minutes_label
from cfa.models import (
    Award,
    AwardKind,
    JuryCandidate,
    JurySession,
    MicroCertification,
    Programme,
    Role,
    SkillBlock,
    User,
    UserRole,
)
from cfa.services import audit
from cfa.services.assessment import AssessmentError
from cfa.services.permissions import awards_visible_clause

LEARNER_ROLES = (Role.APPRENTICE, Role.LEARNER)
# Where the CFA awards (an EU micro-credential element), on the certificate and in the badge alike.
COUNTRY_CODE = "FR"
COUNTRY_NAME = "France"


def award_micro_certification(
    learner: User,
    micro: MicroCertification,
    *,
    awarded_on: date,
    assessor: User,
    evidence: str,
    today: date | None = None,
) -> Award:
    """Award a micro-certification to an apprentice or any other learner (employees in short training too)."""
    if not learner.has_role(*LEARNER_ROLES):
        raise AssessmentError("Seul·e un·e apprenti·e ou un·e stagiaire peut recevoir une micro-certification.")
    if not micro.active:
        raise AssessmentError("Cette micro-certification n'est plus délivrée.")
    if awarded_on > (today or date.today()):
        raise AssessmentError("La date de délivrance ne peut pas être dans le futur.", "awarded_on")
    if not (evidence or "").strip():
        raise AssessmentError("Décrivez la preuve de l'évaluation (épreuve, observation, production).")
    held = db.session.scalar(
        sa.select(Award.id).where(
            Award.learner_id == learner.id,
            Award.micro_certification_id == micro.id,
            Award.revoked_at.is_(None),
        )
    )
    if held:
        raise AssessmentError("Cette personne détient déjà cette micro-certification.")
    award = Award(
        kind=AwardKind.MICRO_CERTIFICATION,
        learner=learner,
        micro_certification=micro,
        awarded_on=awarded_on,
        assessor=assessor,
        evidence=evidence.strip(),
    )
    db.session.add(award)
    db.session.flush()
    return award


def revoke_award(award: Award, actor: User, reason: str, now: datetime | None = None) -> None:
    """Revoke, never delete: the public page and the signed badge then say 'révoqué'."""
    if award.is_revoked:
        raise AssessmentError("Cette certification est déjà révoquée.")
    if not (reason or "").strip():
        raise AssessmentError("Le motif de la révocation est obligatoire.", "reason")
    award.revoked_at = now or datetime.now(UTC)
    award.revoked_by_id = actor.id
    award.revocation_reason = reason.strip()
    audit.record(
        actor,
        "award",
        award.id,
        "revoke",
        after={"verification_code": award.verification_code},
        reason=award.revocation_reason,
    )
    db.session.flush()


def award_options():
    """Eager loads for everything a certificate or a list of awards shows."""
    return (
        selectinload(Award.learner),
        selectinload(Award.assessor),
        selectinload(Award.micro_certification),
        selectinload(Award.skill_block).selectinload(SkillBlock.programme),
        selectinload(Award.programme).selectinload(Programme.skill_blocks),
        selectinload(Award.jury_candidate).selectinload(JuryCandidate.jury_session).selectinload(JurySession.cohort),
    )


def load_award(award_id: int) -> Award | None:
    return db.session.scalar(sa.select(Award).where(Award.id == award_id).options(*award_options()))


def awards_listing(viewer: User, q: str = "", kind: str | None = None) -> sa.Select:
    """The awards the viewer may read, the latest first, searched by the learner's name or the verification code;
    paginated by the view."""
    learner = aliased(User)
    stmt = (
        sa.select(Award)
        .join(learner, Award.learner_id == learner.id)
        .where(awards_visible_clause(viewer, Award.learner_id, Award.assessor_id))
        .options(*award_options())
        .order_by(Award.awarded_on.desc(), Award.id.desc())
    )
    if q:
        pattern = f"%{q.strip()}%"
        columns = (learner.last_name, learner.first_name, Award.verification_code)
        stmt = stmt.where(sa.or_(*(column.ilike(pattern) for column in columns)))
    if kind in AwardKind._value2member_map_:
        stmt = stmt.where(Award.kind == kind)
    return stmt


def learner_choices() -> list[tuple[int, str]]:
    """The active people who may receive a micro-certification, for a select."""
    stmt = (
        sa.select(User.id, User.last_name, User.first_name)
        .join(UserRole)
        .where(UserRole.role.in_(LEARNER_ROLES), User.active)
        .distinct()
        .order_by(User.last_name, User.first_name)
    )
    return [(r.id, f"{r.last_name.upper()} {r.first_name}") for r in db.session.execute(stmt)]


def micro_certification_choices() -> list[tuple[int, str]]:
    """The micro-certifications still awarded, for a select."""
    stmt = sa.select(MicroCertification).where(MicroCertification.active).order_by(MicroCertification.code)
    return [(m.id, f"{m.code} – {m.title}") for m in db.session.scalars(stmt)]


def jury_awards(jury_id: int) -> list[Award]:
    """The certificates a jury session issued that still stand, for its ZIP."""
    return db.session.scalars(
        sa.select(Award)
        .join(JuryCandidate, Award.jury_candidate_id == JuryCandidate.id)
        .where(JuryCandidate.jury_session_id == jury_id, Award.revoked_at.is_(None))
        .options(*award_options())
        .order_by(Award.id)
    ).all()


def cohort_awards(cohort_id: int) -> list[Award]:
    """The award certificates (CCP, title) every jury of a cohort issued that still stand, for its ZIP."""
    return db.session.scalars(
        sa.select(Award)
        .join(JuryCandidate, Award.jury_candidate_id == JuryCandidate.id)
        .join(JurySession, JuryCandidate.jury_session_id == JurySession.id)
        .where(JurySession.cohort_id == cohort_id, Award.revoked_at.is_(None))
        .options(*award_options())
        .order_by(Award.id)
    ).all()


def award_by_code(code: str) -> Award | None:
    code = (code or "").strip().upper()
    if not code or len(code) > 32:
        return None
    return db.session.scalar(sa.select(Award).where(Award.verification_code == code).options(*award_options()))


@dataclass(frozen=True)
class Certified:
    """What an award certifies, in the words of the certificate, the public page and the badge."""

    kind_label: str
    title: str
    reference: str | None  # RNCP code and block code, or the micro-certification's code
    description: str | None
    outcomes: list[str]
    workload: str | None
    level: str | None
    assessment: str
    participation: str | None
    quality_assurance: str
    prerequisites: str | None
    certifier: str | None


# How a titre professionnel and each of its CCPs are assessed (arrêté of the title).
TITLE_ASSESSMENT = "Session de validation : mise en situation professionnelle, entretiens et dossier professionnel"


def national_level(programme) -> str:
    return f"Niveau {programme.level} du cadre national des certifications"


def certified(award: Award) -> Certified:
    if award.kind == AwardKind.MICRO_CERTIFICATION:
        micro = award.micro_certification
        return Certified(
            kind_label="Micro-certification",
            title=micro.title,
            reference=micro.code,
            description=micro.description,
            outcomes=micro.outcomes,
            workload=minutes_label(micro.workload_minutes),
            level=f"Niveau {micro.eqf_level} du cadre européen des certifications (CEC)" if micro.eqf_level else None,
            assessment=micro.assessment_method,
            participation=micro.participation_form.label,
            quality_assurance=micro.quality_assurance,
            prerequisites=micro.prerequisites,
            certifier=None,
        )
    if award.kind == AwardKind.SKILL_BLOCK:
        block = award.skill_block
        programme = block.programme
        return Certified(
            kind_label="Certificat de compétences professionnelles",
            title=f"{block.code} – {block.title}",
            reference=f"{programme.rncp_code or programme.code} · {block.code}",
            description=f"Bloc de compétences du titre professionnel {programme.title} (niveau {programme.level}).",
            outcomes=[block.description] if block.description else [],
            workload=None,
            level=national_level(programme),
            assessment=TITLE_ASSESSMENT,
            participation=None,
            quality_assurance="Titre professionnel enregistré au RNCP (France Compétences)",
            prerequisites=None,
            certifier=programme.certifier,
        )
    programme = award.programme
    return Certified(
        kind_label="Titre professionnel",
        title=programme.title,
        reference=programme.rncp_code,
        description=programme.description,
        outcomes=[f"{b.code} – {b.title}" for b in programme.skill_blocks],
        workload=minutes_label(programme.total_minutes),
        level=national_level(programme),
        assessment=TITLE_ASSESSMENT,
        participation=None,
        quality_assurance="Titre professionnel enregistré au RNCP (France Compétences)",
        prerequisites=None,
        certifier=programme.certifier,
    )

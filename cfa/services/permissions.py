"""Who may do what: the one policy of Cadence, used by the views' decorator and the templates.

Abilities are granted to roles; object rules (an employer sees only its own apprentices,
an apprentice only their own data) are functions of the user and the object.
"""

import enum

import sqlalchemy as sa

from cfa.models import Enrolment, Role, Session, User


class Ability(enum.StrEnum):
    MANAGE_SETUP = "manage_setup"  # centres, programmes, employers, cohorts, enrolments
    MANAGE_ACCOUNTS = "manage_accounts"  # create, deactivate, reset accounts
    MANAGE_PLANNING = "manage_planning"  # generate and edit calendars
    VIEW_ALL_PLANNING = "view_all_planning"
    TAKE_ATTENDANCE = "take_attendance"  # on the sessions one teaches (admins: any)
    MANAGE_ATTENDANCE = "manage_attendance"  # corrections, justifications, documents for funders
    ASSESS = "assess"  # enter evaluation (ECF) results
    MANAGE_JURY = "manage_jury"  # jury sessions, decisions, publication
    AWARD_MICRO_CERTIFICATIONS = "award_micro_certifications"
    MANAGE_QUALITY = "manage_quality"  # surveys, complaints, improvement actions, indicators
    VIEW_OWN_TRAINING = "view_own_training"  # apprentice's and learner's own pages
    FOLLOW_APPRENTICES = "follow_apprentices"  # tutor's pages


GRANTS: dict[Role, frozenset[Ability]] = {
    Role.ADMIN: frozenset(Ability) - {Ability.VIEW_OWN_TRAINING, Ability.FOLLOW_APPRENTICES},
    Role.QUALITY: frozenset({Ability.MANAGE_QUALITY, Ability.VIEW_ALL_PLANNING}),
    Role.TRAINER: frozenset({Ability.TAKE_ATTENDANCE, Ability.ASSESS, Ability.AWARD_MICRO_CERTIFICATIONS}),
    Role.APPRENTICE: frozenset({Ability.VIEW_OWN_TRAINING}),
    Role.LEARNER: frozenset({Ability.VIEW_OWN_TRAINING}),
    Role.TUTOR: frozenset({Ability.FOLLOW_APPRENTICES}),
}


def abilities(user: User | None) -> frozenset[Ability]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return frozenset()
    granted: set[Ability] = set()
    for role in user.roles:
        granted |= GRANTS[role]
    return frozenset(granted)


def can(user: User | None, ability: Ability) -> bool:
    return ability in abilities(user)


def followed_enrolments_clause(user: User):
    """SQL condition selecting the enrolments a tutor follows: theirs, and their employer's."""
    clauses = [Enrolment.tutor_id == user.id]
    if user.employer_id is not None:
        clauses.append(Enrolment.employer_id == user.employer_id)
    return sa.or_(*clauses)


def teaches_cohort_clause(user: User, cohort_id_column):
    """SQL condition: the trainer teaches (or leads) the cohort in that column."""
    from cfa.models import Cohort

    return sa.or_(
        cohort_id_column.in_(sa.select(Session.cohort_id).where(Session.trainer_id == user.id)),
        cohort_id_column.in_(sa.select(Cohort.id).where(Cohort.lead_trainer_id == user.id)),
    )


def can_view_enrolment(user: User | None, enrolment: Enrolment) -> bool:
    """Whether the user may see this apprentice's attendance, results and calendar."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if can(user, Ability.MANAGE_SETUP) or can(user, Ability.MANAGE_QUALITY):
        return True
    if user.has_role(Role.APPRENTICE, Role.LEARNER) and enrolment.apprentice_id == user.id:
        return True
    if user.has_role(Role.TUTOR) and (
        enrolment.tutor_id == user.id or (user.employer_id is not None and enrolment.employer_id == user.employer_id)
    ):
        return True
    if enrolment.referent_id == user.id:
        return True  # the CFA's référent follows the apprentice (livret, visits) whatever they teach
    if user.has_role(Role.TRAINER):
        return teaches_cohort(user, enrolment.cohort_id)
    return False


def teaches_cohort(user: User, cohort_id: int) -> bool:
    from cfa.extensions import db
    from cfa.models import Cohort

    stmt = sa.select(
        sa.or_(
            sa.exists().where(Session.cohort_id == cohort_id, Session.trainer_id == user.id),
            sa.exists().where(Cohort.id == cohort_id, Cohort.lead_trainer_id == user.id),
        )
    )
    return bool(db.session.scalar(stmt))


def can_take_attendance(user: User | None, session: Session) -> bool:
    """Admins may take any sheet; a trainer only those of sessions they teach."""
    if can(user, Ability.MANAGE_ATTENDANCE):
        return True
    return can(user, Ability.TAKE_ATTENDANCE) and session.trainer_id == user.id


def can_print_sheet(user: User | None, session: Session) -> bool:
    """A sheet's PDF: whoever may take it, and the quality team, which reads any sheet the controls point to
    (auditors ask for them)."""
    return can(user, Ability.MANAGE_QUALITY) or can_take_attendance(user, session)


def can_print_cohort_sheets(user: User | None, cohort_id: int) -> bool:
    """A week of a cohort's sheets: the CFA, and the trainers of the cohort."""
    return can(user, Ability.MANAGE_ATTENDANCE) or (
        can(user, Ability.TAKE_ATTENDANCE) and can_view_cohort_planning(user, cohort_id)
    )


def can_get_attendance_documents(user: User | None, enrolment: Enrolment) -> bool:
    """Certificat de réalisation and attestation: the CFA for any apprentice, an apprentice for themselves."""
    return can(user, Ability.MANAGE_ATTENDANCE) or (user is not None and enrolment.apprentice_id == user.id)


def can_view_cohort_calendar(user: User | None, cohort_id: int) -> bool:
    """The year plan of a cohort: staff who may see its planning, its apprentices, their tutors and référents."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if can_view_cohort_planning(user, cohort_id):
        return True
    from cfa.extensions import db

    mine = [Enrolment.apprentice_id == user.id] if user.has_role(Role.APPRENTICE, Role.LEARNER) else []
    mine.append(Enrolment.referent_id == user.id)
    if user.has_role(Role.TUTOR):
        mine.append(followed_enrolments_clause(user))
    if not mine:
        return False
    stmt = sa.select(sa.exists().where(Enrolment.cohort_id == cohort_id, sa.or_(*mine)))
    return bool(db.session.scalar(stmt))


def can_view_cohort_planning(user: User | None, cohort_id: int) -> bool:
    """Admins and the quality officer see every calendar; a trainer those of the cohorts they teach."""
    if can(user, Ability.VIEW_ALL_PLANNING):
        return True
    return can(user, Ability.TAKE_ATTENDANCE) and teaches_cohort(user, cohort_id)


def assessable_cohorts_clause(user: User, cohort_id_column):
    """SQL condition: cohorts whose ECF the user may enter (all for jury managers; a trainer's own cohorts).

    A trainer's own cohorts: those they lead, teach a module of, or have sessions in.
    """
    from cfa.models import ModuleAssignment

    if can(user, Ability.MANAGE_JURY):
        return sa.true()
    return sa.or_(
        teaches_cohort_clause(user, cohort_id_column),
        cohort_id_column.in_(sa.select(ModuleAssignment.cohort_id).where(ModuleAssignment.trainer_id == user.id)),
    )


def can_assess_cohort(user: User | None, cohort_id: int) -> bool:
    """Whether the user may create, edit and mark the ECF of this cohort."""
    from cfa.extensions import db
    from cfa.models import Cohort

    if not can(user, Ability.ASSESS):
        return False
    stmt = sa.select(sa.exists().where(Cohort.id == cohort_id, assessable_cohorts_clause(user, Cohort.id)))
    return bool(db.session.scalar(stmt))


def awards_visible_clause(user: User, learner_id_column, assessor_id_column):
    """SQL: the awards a person reads in the CFA's pages: every one for jury managers; for a trainer, those they
    assessed and those of learners enrolled in a cohort they teach (a certificate is personal data)."""
    if can(user, Ability.MANAGE_JURY):
        return sa.true()
    taught = sa.select(Enrolment.apprentice_id).where(teaches_cohort_clause(user, Enrolment.cohort_id))
    return sa.or_(assessor_id_column == user.id, learner_id_column.in_(taught))


def can_view_award(user: User | None, award) -> bool:
    from cfa.extensions import db

    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if can(user, Ability.MANAGE_JURY):
        return True
    if award.assessor_id == user.id:
        return True
    taught = sa.select(Enrolment.id).where(
        Enrolment.apprentice_id == award.learner_id, teaches_cohort_clause(user, Enrolment.cohort_id)
    )
    return bool(db.session.scalar(sa.select(taught.exists())))


def can_revoke_award(user: User | None) -> bool:
    """Revoking a certificate withdraws a legal record: only jury managers do it, with a reason."""
    return can(user, Ability.MANAGE_JURY)


def can_get_course_document(user: User | None, enrolment: Enrolment) -> bool:
    """A short-course trainee's convocation and attestation: the CFA for anyone, the trainee for themselves, and
    the client's contact (a tutor account of the trainee's employer) for the employees it sent."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if can(user, Ability.MANAGE_SETUP) or enrolment.apprentice_id == user.id:
        return True
    return user.has_role(Role.TUTOR) and enrolment.employer_id is not None and enrolment.employer_id == user.employer_id


def can_manage_micro_requests(user: User | None) -> bool:
    """Requesting for someone, appointing the assessor, withdrawing for the person: those who decide on
    certifications (jury managers, i.e. the CFA's administration)."""
    return can(user, Ability.MANAGE_JURY)


def can_view_micro_request(user: User | None, request) -> bool:
    """The CFA sees every request; a trainer only those they are appointed to assess."""
    if can_manage_micro_requests(user):
        return True
    return can(user, Ability.AWARD_MICRO_CERTIFICATIONS) and request.assessor_id == user.id


def can_assess_micro_request(user: User | None, request) -> bool:
    """Recording the results needs the ability to award, and, for a trainer, being the appointed assessor."""
    return can(user, Ability.AWARD_MICRO_CERTIFICATIONS) and (
        can_manage_micro_requests(user) or (request.assessor_id is not None and request.assessor_id == user.id)
    )


def can_withdraw_micro_request(user: User | None, request) -> bool:
    """The person withdraws their own request; the CFA withdraws any on their behalf."""
    if can_manage_micro_requests(user):
        return True
    return user is not None and getattr(user, "is_authenticated", False) and request.learner_id == user.id


def can_read_complaint(user: User | None, complaint) -> bool:
    """The quality team reads the whole register; a person who filed a complaint from their portal, only theirs."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return can(user, Ability.MANAGE_QUALITY) or complaint.complainant_id == user.id


def followup_enrolments_clause(user: User):
    """SQL condition selecting the apprentices whose follow-up (livret, visits, checklist) the user reads: every one
    for the CFA's managers, a référent's own, a tutor's (theirs and their employer's)."""
    if can(user, Ability.MANAGE_SETUP):
        return sa.true()
    clauses = [Enrolment.referent_id == user.id]
    if can(user, Ability.FOLLOW_APPRENTICES):
        clauses.append(followed_enrolments_clause(user))
    return sa.or_(*clauses)


def is_tutor_side(user: User | None, enrolment: Enrolment) -> bool:
    """The employer's side of the contract: its tutor, or a tutor of the same employer."""
    return can(user, Ability.FOLLOW_APPRENTICES) and (
        enrolment.tutor_id == user.id or (user.employer_id is not None and enrolment.employer_id == user.employer_id)
    )


def is_referent_side(user: User | None, enrolment: Enrolment) -> bool:
    """The CFA's side: the apprentice's référent, or a manager of the CFA."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    return can(user, Ability.MANAGE_SETUP) or enrolment.referent_id == user.id


def can_follow_enrolment(user: User | None, enrolment: Enrolment) -> bool:
    """Whether the user opens the apprentice's follow-up page: the tutor's side or the CFA's side."""
    return is_referent_side(user, enrolment) or is_tutor_side(user, enrolment)


def can_read_followup(user: User | None, enrolment: Enrolment) -> bool:
    """The livret and the held visits' reports: those who follow the apprentice, and the apprentice."""
    if can_follow_enrolment(user, enrolment):
        return True
    return can(user, Ability.VIEW_OWN_TRAINING) and enrolment.apprentice_id == user.id

"""The navigation each role sees; a test checks that every entry names a real view."""

from dataclasses import dataclass

from cfa.services.permissions import Ability, can


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    ability: Ability | None = None
    group: str | None = None  # entries of a group are shown in one drop-down menu


NAV = [
    NavItem("Aujourd'hui", "attendance.today", Ability.TAKE_ATTENDANCE),
    NavItem("Mon agenda", "planning.trainer_agenda", Ability.TAKE_ATTENDANCE),
    NavItem("Mon planning", "me.schedule", Ability.VIEW_OWN_TRAINING),
    NavItem("Mes formations", "me.courses", Ability.VIEW_OWN_TRAINING),
    NavItem("Mes présences", "me.attendance", Ability.VIEW_OWN_TRAINING),
    NavItem("Mes résultats", "me.results", Ability.VIEW_OWN_TRAINING),
    NavItem("Mes certificats", "me.certificates", Ability.VIEW_OWN_TRAINING),
    NavItem("Mon livret", "me.livret", Ability.VIEW_OWN_TRAINING),
    NavItem("Mes apprentis", "followup.my_apprentices", Ability.FOLLOW_APPRENTICES),
    NavItem("Calendrier", "employer.calendar", Ability.FOLLOW_APPRENTICES),
    NavItem("Absences", "employer.absences", Ability.FOLLOW_APPRENTICES),
    NavItem("Résultats", "employer.results", Ability.FOLLOW_APPRENTICES),
    NavItem("Formations courtes", "employer.courses", Ability.FOLLOW_APPRENTICES),
    NavItem("Apprentis suivis", "followup.referent", Ability.TAKE_ATTENDANCE),
    NavItem("Plannings", "planning.cohorts", Ability.VIEW_ALL_PLANNING),
    NavItem("Formations courtes", "courses.runs", Ability.MANAGE_SETUP),
    NavItem("Émargement", "attendance.overview", Ability.MANAGE_ATTENDANCE),
    NavItem("Contrôles", "attendance.controls", Ability.MANAGE_QUALITY),
    NavItem("Évaluations", "assessment.index", Ability.ASSESS),
    NavItem("Jurys", "assessment.juries", Ability.MANAGE_JURY),
    NavItem("Micro-certifications", "assessment.awards", Ability.AWARD_MICRO_CERTIFICATIONS),
    NavItem("Promotions", "admin.cohorts", Ability.MANAGE_SETUP, "Paramétrage"),
    NavItem("Inscriptions", "admin.enrolments", Ability.MANAGE_SETUP, "Paramétrage"),
    NavItem("Personnes", "admin.users", Ability.MANAGE_ACCOUNTS, "Paramétrage"),
    NavItem("Employeurs", "admin.employers", Ability.MANAGE_SETUP, "Paramétrage"),
    NavItem("Formations", "admin.programmes", Ability.MANAGE_SETUP, "Paramétrage"),
    NavItem("Micro-certifications", "admin.micro_certifications", Ability.MANAGE_SETUP, "Paramétrage"),
    NavItem("Centres et salles", "admin.centres", Ability.MANAGE_SETUP, "Paramétrage"),
    NavItem("Organisme", "admin.organisation", Ability.MANAGE_SETUP, "Paramétrage"),
]


def nav_for(user) -> list[tuple[str | None, list[NavItem]]]:
    """Visible entries, as (group, items) in order: ungrouped entries first, one group per menu."""
    visible = [item for item in NAV if item.ability is None or can(user, item.ability)]
    sections: list[tuple[str | None, list[NavItem]]] = [(None, [i for i in visible if i.group is None])]
    for group in dict.fromkeys(i.group for i in visible if i.group):
        sections.append((group, [i for i in visible if i.group == group]))
    return sections

"""The navigation each role sees; a test checks that every entry names a real view."""

from dataclasses import dataclass

from cfa.models import Role
from cfa.services.permissions import Ability, can


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    ability: Ability | None = None
    group: str | None = None  # entries of a group are shown in one drop-down menu
    role: Role | None = None  # shown only to people who hold this role (a page that is empty for the others)


NAV = [
    NavItem("Aujourd'hui", "attendance.today", Ability.TAKE_ATTENDANCE),
    NavItem("Mon agenda", "planning.trainer_agenda", Ability.TAKE_ATTENDANCE, role=Role.TRAINER),
    NavItem("Mon planning", "me.schedule", Ability.VIEW_OWN_TRAINING),
    NavItem("Mes formations", "me.courses", Ability.VIEW_OWN_TRAINING, role=Role.LEARNER),
    NavItem("J'émarge", "me.sign_in", Ability.VIEW_OWN_TRAINING),
    NavItem("Mes présences", "me.attendance", Ability.VIEW_OWN_TRAINING),
    NavItem("Mes résultats", "me.results", Ability.VIEW_OWN_TRAINING),
    NavItem("Mes certificats", "me.certificates", Ability.VIEW_OWN_TRAINING),
    NavItem("Mes micro-certifications", "me.micro_requests", Ability.VIEW_OWN_TRAINING),
    NavItem("Mon livret", "me.livret", Ability.VIEW_OWN_TRAINING, role=Role.APPRENTICE),
    NavItem("Mes apprentis", "followup.my_apprentices", Ability.FOLLOW_APPRENTICES),
    NavItem("Calendrier", "employer.calendar", Ability.FOLLOW_APPRENTICES),
    NavItem("Absences", "employer.absences", Ability.FOLLOW_APPRENTICES),
    NavItem("Résultats", "employer.results", Ability.FOLLOW_APPRENTICES),
    NavItem("Formations courtes", "employer.courses", Ability.FOLLOW_APPRENTICES),
    NavItem("Apprentis suivis", "followup.referent", Ability.TAKE_ATTENDANCE),
    NavItem("Plannings", "planning.cohorts", Ability.VIEW_ALL_PLANNING),
    NavItem("Émargement", "attendance.overview", Ability.MANAGE_ATTENDANCE),
    NavItem("Contrôles", "attendance.controls", Ability.MANAGE_QUALITY),
    NavItem("Tableau de bord", "quality.dashboard", Ability.MANAGE_QUALITY, "Qualité"),
    NavItem("Campagnes d'enquête", "quality.campaigns", Ability.MANAGE_QUALITY, "Qualité"),
    NavItem("Questionnaires", "quality.surveys", Ability.MANAGE_QUALITY, "Qualité"),
    NavItem("Réclamations", "quality.complaints_register", Ability.MANAGE_QUALITY, "Qualité"),
    NavItem("Actions d'amélioration", "quality.actions", Ability.MANAGE_QUALITY, "Qualité"),
    NavItem("Référentiel Qualiopi", "quality.referential", Ability.MANAGE_QUALITY, "Qualité"),
    NavItem("Taux déclarés", "quality.declared", Ability.MANAGE_QUALITY, "Qualité"),
    NavItem("Export d'audit", "quality.exports", Ability.MANAGE_QUALITY, "Qualité"),
    # One menu, so that the administration's bar holds on one line at 1280 px.
    NavItem("Évaluations", "assessment.index", Ability.ASSESS, "Évaluation"),
    NavItem("Jurys", "assessment.juries", Ability.MANAGE_JURY, "Évaluation"),
    NavItem("Micro-certifications", "assessment.awards", Ability.AWARD_MICRO_CERTIFICATIONS, "Évaluation"),
    NavItem("Sessions de formation", "courses.runs", Ability.MANAGE_SETUP, "Formations courtes"),
    NavItem(
        "Demandes de micro-certification",
        "courses.micro_requests",
        Ability.AWARD_MICRO_CERTIFICATIONS,
        "Formations courtes",
    ),
    NavItem("Socle des nouveaux médiateurs", "courses.socle", Ability.MANAGE_QUALITY, "Formations courtes"),
    NavItem("Stagiaires à interroger", "courses.survey_list", Ability.MANAGE_QUALITY, "Formations courtes"),
    NavItem("Bilan annuel", "courses.figures", Ability.MANAGE_QUALITY, "Formations courtes"),
    NavItem("Promotions", "admin.cohorts", Ability.MANAGE_SETUP, "Paramétrage"),
    NavItem("Inscriptions", "admin.enrolments", Ability.MANAGE_SETUP, "Paramétrage"),
    NavItem("Échéances des contrats", "admin.contracts_due", Ability.MANAGE_SETUP, "Paramétrage"),
    NavItem("Personnes", "admin.users", Ability.MANAGE_ACCOUNTS, "Paramétrage"),
    NavItem("Employeurs", "admin.employers", Ability.MANAGE_SETUP, "Paramétrage"),
    NavItem("Formations", "admin.programmes", Ability.MANAGE_SETUP, "Paramétrage"),
    NavItem("Micro-certifications", "admin.micro_certifications", Ability.MANAGE_SETUP, "Paramétrage"),
    NavItem("Centres et salles", "admin.centres", Ability.MANAGE_SETUP, "Paramétrage"),
    NavItem("Organisme", "admin.organisation", Ability.MANAGE_SETUP, "Paramétrage"),
    NavItem("Données personnelles", "privacy.retention_plan", Ability.MANAGE_ACCOUNTS, "Paramétrage"),
    NavItem("Registre des traitements", "privacy.processing_register", Ability.MANAGE_ACCOUNTS, "Paramétrage"),
    NavItem("Imports", "admin.imports", Ability.MANAGE_SETUP, "Paramétrage"),
    NavItem("Intégrations API", "admin.api_tokens", Ability.MANAGE_SETUP, "Paramétrage"),
]


def nav_for(user) -> list[tuple[str | None, list[NavItem]]]:
    """Visible entries, as (group, items) in order: ungrouped entries first, one group per menu."""
    visible = [
        item
        for item in NAV
        if (item.ability is None or can(user, item.ability)) and (item.role is None or user.has_role(item.role))
    ]
    sections: list[tuple[str | None, list[NavItem]]] = [(None, [i for i in visible if i.group is None])]
    for group in dict.fromkeys(i.group for i in visible if i.group):
        sections.append((group, [i for i in visible if i.group == group]))
    return sections

"""What the demo holds, printed by seed-demo and compared by the idempotence test."""

import sqlalchemy as sa

from cfa import models
from cfa.extensions import db

COUNTED = {
    "Centres": models.Centre,
    "Salles": models.Room,
    "Fermetures": models.ClosurePeriod,
    "Formations": models.Programme,
    "Blocs de compétences": models.SkillBlock,
    "Modules": models.Module,
    "Micro-certifications": models.MicroCertification,
    "Personnes": models.User,
    "Employeurs": models.Employer,
    "Promotions": models.Cohort,
    "Inscriptions": models.Enrolment,
    "Périodes de calendrier": models.CalendarPeriod,
    "Séances": models.Session,
    "Feuilles d'émargement": models.AttendanceSheet,
    "Émargements": models.AttendanceMark,
    "Justificatifs": models.Justification,
    "Évaluations (ECF)": models.Evaluation,
    "Résultats d'évaluation": models.EvaluationResult,
    "Sessions de jury": models.JurySession,
    "Certifications délivrées": models.Award,
    "Conventions et contrats": models.Agreement,
    "Demandes de micro-certif.": models.MicroCertRequest,
    "Questionnaires": models.Survey,
    "Campagnes d'enquête": models.SurveyCampaign,
    "Réponses aux enquêtes": models.SurveyResponse,
    "Livret (périodes saisies)": models.LivretEntry,
    "Visites et entretiens": models.Visit,
    "Actions de suivi": models.VisitAction,
    "Accueil (éléments cochés)": models.OnboardingCheck,
    "Événements d'audit": models.AuditEvent,
}


def demo_counts() -> dict[str, int]:
    return {label: db.session.scalar(sa.select(sa.func.count()).select_from(model)) for label, model in COUNTED.items()}

"""The questionnaires Cadence ships with, one per population Qualiopi asks the CFA to hear (indicators 1, 2, 30):
apprentices at the end of a module or of the training and six months after, tutors and employers, trainers,
funders, and the trainees of each short course. Each asks the overall satisfaction (1-5, what the published rate
reads) and the recommendation (0-10, the NPS).

`load_templates` creates the families missing and leaves existing ones alone, so the quality officer's edits
(new versions of a family) are never overwritten.
"""

import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import Audience, QuestionKind, Survey, SurveyTiming
from cfa.services.satisfaction import OVERALL
from cfa.services.surveys import QuestionInput, add_question, create_survey

S, YN, NPS, CH, MU, TX = (
    QuestionKind.SCALE,
    QuestionKind.YES_NO,
    QuestionKind.NPS,
    QuestionKind.CHOICE,
    QuestionKind.MULTIPLE,
    QuestionKind.TEXT,
)
SITUATIONS = ("En emploi", "En poursuite d'études", "En recherche d'emploi", "Autre situation")

OVERALL_Q = QuestionInput("Globalement, êtes-vous satisfait·e de la formation ?", S, measure=OVERALL)
NPS_Q = QuestionInput("Recommanderiez-vous le CFA à un proche ou un collègue ?", NPS, measure="recommendation")
COMMENT_Q = QuestionInput("Que faudrait-il améliorer ?", TX, required=False)

TEMPLATES: dict[str, tuple[str, Audience, SurveyTiming, str, tuple[QuestionInput, ...]]] = {
    "apprentis-a-chaud": (
        "Apprenti·es : fin de module ou de formation",
        Audience.APPRENTICE,
        SurveyTiming.HOT,
        "Vos réponses servent à améliorer la formation des promotions suivantes.",
        (
            OVERALL_Q,
            QuestionInput("Les objectifs annoncés ont-ils été atteints ?", S, measure="objectives_reached"),
            QuestionInput("Les formateur·rices ont-ils été disponibles et clairs ?", S),
            QuestionInput("L'alternance entre le centre et l'employeur a-t-elle bien fonctionné ?", YN),
            QuestionInput(
                "Qu'avez-vous le plus apprécié ?",
                MU,
                required=False,
                choices=("Les mises en situation", "Les apports théoriques", "Le groupe", "Le suivi individuel"),
            ),
            NPS_Q,
            COMMENT_Q,
        ),
    ),
    "apprentis-a-froid": (
        "Apprenti·es : six mois après la formation",
        Audience.APPRENTICE,
        SurveyTiming.COLD,
        "Six mois après votre formation, dites-nous où vous en êtes et ce qu'elle vous a apporté.",
        (
            QuestionInput(
                "Quelle est votre situation aujourd'hui ?", CH, choices=SITUATIONS, measure="situation_6_months"
            ),
            QuestionInput("Votre emploi est-il en lien avec la médiation sociale ?", YN, required=False),
            OVERALL_Q,
            NPS_Q,
            COMMENT_Q,
        ),
    ),
    "tuteurs-employeurs": (
        "Tuteur·rices et employeurs : fin de formation",
        Audience.EMPLOYER,
        SurveyTiming.HOT,
        "Votre regard d'employeur sur la formation de votre apprenti·e.",
        (
            QuestionInput(
                "Globalement, êtes-vous satisfait·e de la formation suivie par votre apprenti·e ?", S, measure=OVERALL
            ),
            QuestionInput("Avez-vous été suffisamment informé·e du calendrier et des absences ?", S),
            QuestionInput("Les compétences acquises sont-elles utiles dans votre structure ?", YN),
            QuestionInput("Recommanderiez-vous le CFA à un autre employeur ?", NPS, measure="recommendation"),
            COMMENT_Q,
        ),
    ),
    "formateurs": (
        "Formateur·rices : bilan de l'année",
        Audience.TRAINER,
        SurveyTiming.HOT,
        "Votre avis sur les conditions dans lesquelles vous avez enseigné.",
        (
            QuestionInput("Globalement, êtes-vous satisfait·e de vos conditions d'intervention ?", S, measure=OVERALL),
            QuestionInput("Les salles et le matériel étaient-ils adaptés ?", S),
            QuestionInput("Le planning vous a-t-il été communiqué assez tôt ?", YN),
            QuestionInput("Recommanderiez-vous le CFA à un·e collègue formateur·rice ?", NPS, measure="recommendation"),
            COMMENT_Q,
        ),
    ),
    "financeurs": (
        "Financeurs (OPCO) : bilan de l'année",
        Audience.FUNDER,
        SurveyTiming.HOT,
        "Votre avis sur nos échanges administratifs et financiers.",
        (
            QuestionInput("Globalement, êtes-vous satisfait·e de votre relation avec le CFA ?", S, measure=OVERALL),
            QuestionInput("Les pièces (certificats de réalisation, factures) arrivent-elles dans les délais ?", YN),
            QuestionInput(
                "Par quel moyen préférez-vous être contacté·e ?",
                CH,
                required=False,
                choices=("Courriel", "Téléphone", "Plateforme de l'OPCO"),
            ),
            QuestionInput("Recommanderiez-vous le CFA ?", NPS, measure="recommendation"),
            COMMENT_Q,
        ),
    ),
    "stagiaires-fin-de-formation": (
        "Stagiaires : fin de la formation courte",
        Audience.LEARNER,
        SurveyTiming.HOT,
        "Quelques questions sur la formation que vous venez de suivre.",
        (
            OVERALL_Q,
            QuestionInput("Les objectifs de la formation ont-ils été atteints ?", S, measure="objectives_reached"),
            QuestionInput("Pourrez-vous appliquer ce que vous avez appris dans votre travail ?", YN),
            NPS_Q,
            COMMENT_Q,
        ),
    ),
}


def load_templates(actor=None) -> list[Survey]:
    """Create the preloaded questionnaires that do not exist yet; returns those created."""
    existing = set(db.session.scalars(sa.select(Survey.family).where(Survey.family.in_(list(TEMPLATES)))))
    created = []
    for family, (title, audience, timing, introduction, questions) in TEMPLATES.items():
        if family in existing:
            continue
        survey = create_survey(actor, title, audience, timing, introduction, family=family)
        for question in questions:
            add_question(actor, survey, question)
        created.append(survey)
    return created


def template(family: str) -> Survey | None:
    """The newest version of a preloaded family."""
    return db.session.scalar(sa.select(Survey).where(Survey.family == family).order_by(Survey.version.desc()).limit(1))

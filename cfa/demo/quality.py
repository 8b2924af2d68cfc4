"""Demo step: the Qualiopi referential, a complaints register over 2024, 2025 and the running year at every step of
the procedure (some answered late), improvement actions drawn from complaints, surveys and audits, and the State's
published rates for 2024 and 2025. Idempotent: a register that holds complaints already is left alone."""

import random
from datetime import date, timedelta

import sqlalchemy as sa

from cfa.demo.calendar import DemoCalendar
from cfa.extensions import db
from cfa.models import (
    ActionSource,
    ActionStatus,
    Audience,
    Complaint,
    ComplaintStatus,
    DeclaredRate,
    DeclaredRateKind,
    ImprovementAction,
    Programme,
    ProgrammeKind,
    QualityIndicator,
    SurveyCampaign,
    User,
)
from cfa.services.quality_referential import CURRENT_VERSION, load_referential

# (received, channel, who, kind, subject, days to acknowledge, answer, analyse, close; None: not yet)
COMPLAINTS = [
    (
        date(2024, 2, 12),
        "email",
        "Mme Guérin (employeur)",
        Audience.EMPLOYER,
        "Planning d'alternance reçu tardivement",
        1,
        9,
        14,
        20,
    ),
    (date(2024, 5, 6), "phone", "M. Tanguy", Audience.APPRENTICE, "Salle de cours non chauffée", 1, 6, 10, 12),
    (
        date(2024, 10, 3),
        "letter",
        "OPCO Cohésion sociale",
        Audience.FUNDER,
        "Certificat de réalisation incomplet",
        4,
        21,
        30,
        35,
    ),
    (
        date(2024, 11, 18),
        "email",
        "Mme Kerbrat (tutrice)",
        Audience.EMPLOYER,
        "Absence non signalée à l'employeur",
        2,
        12,
        18,
        25,
    ),
    (
        date(2025, 1, 20),
        "in_person",
        "Mme Diallo",
        Audience.APPRENTICE,
        "Convocation à l'ECF envoyée la veille",
        1,
        5,
        9,
        14,
    ),
    (
        date(2025, 3, 11),
        "email",
        "M. Le Goff (employeur)",
        Audience.EMPLOYER,
        "Facturation en double de la convention",
        3,
        18,
        25,
        40,
    ),
    (date(2025, 4, 28), "phone", "M. Benali", Audience.APPRENTICE, "Changement de formateur non annoncé", 1, 8, 12, 15),
    (
        date(2025, 6, 16),
        "email",
        "Centre pénitentiaire de Rennes",
        Audience.FUNDER,
        "Atelier décalé sans préavis",
        2,
        10,
        16,
        22,
    ),
    (
        date(2025, 9, 8),
        "letter",
        "Mme Roux",
        Audience.LEARNER,
        "Attestation de fin de formation erronée",
        5,
        14,
        20,
        27,
    ),
    (
        date(2025, 11, 24),
        "email",
        "Mme Morvan (tutrice)",
        Audience.EMPLOYER,
        "Accès au portail tuteur impossible",
        1,
        3,
        8,
        11,
    ),
]
RUNNING = [  # the running year's, still open: one awaiting acknowledgement, one in progress, one answered
    (40, "email", "M. Pichon", Audience.APPRENTICE, "Retards répétés du transport scolaire signalés", None),
    (25, "phone", "Mme Lucas (employeur)", Audience.EMPLOYER, "Calendrier modifié sans information", 1),
    (12, "portal", "M. Hamon", Audience.APPRENTICE, "Support de cours non disponible", 1),
]
DECLARED = {  # programme code -> year -> (continuation, integration at 6 months, at 12 months, added value)
    "MSADS": {2024: (12, 71, 78, 3), 2025: (10, 74, None, 4)},
    "AMIS": {2024: (18, 66, 72, 2), 2025: (15, 69, None, 2)},
    None: {2024: (15, 69, 75, 3), 2025: (12, 72, 77, 3)},  # the whole CFA
}


def seed_quality(rng: random.Random, calendar: DemoCalendar) -> None:
    load_referential()
    officer = db.session.scalar(sa.select(User).where(User.email == "qualite@cadence.test"))
    _declared(officer)
    if db.session.scalar(sa.select(Complaint.id).limit(1)) is not None:
        return
    complaints = [_closed(officer, *row) for row in COMPLAINTS]
    for days_ago, channel, who, kind, subject, ack in RUNNING:
        received = calendar.today - timedelta(days=days_ago)
        complaint = Complaint(
            received_on=received,
            channel=channel,
            complainant_name=who,
            complainant_kind=kind,
            subject=subject,
            description=f"{subject}. Demande une réponse écrite.",
            handled_by_id=officer.id if ack else None,
        )
        if ack is not None:
            complaint.acknowledged_on, complaint.status = received + timedelta(days=ack), ComplaintStatus.IN_PROGRESS
        db.session.add(complaint)
    db.session.flush()
    _actions(rng, officer, complaints, calendar.today)
    db.session.flush()


def _closed(officer, received, channel, who, kind, subject, ack, answer, analyse, close) -> Complaint:
    complaint = Complaint(
        received_on=received,
        channel=channel,
        complainant_name=who,
        complainant_kind=kind,
        subject=subject,
        description=f"{subject} : la personne décrit les faits et demande une réponse.",
        status=ComplaintStatus.CLOSED,
        handled_by_id=officer.id,
        acknowledged_on=received + timedelta(days=ack),
        answered_on=received + timedelta(days=answer),
        response="Réponse écrite envoyée : faits reconnus, mesure corrective expliquée.",
        analysed_on=received + timedelta(days=analyse),
        analysis="Cause identifiée en réunion d'équipe ; une action d'amélioration est ouverte si besoin.",
        closed_on=received + timedelta(days=close),
    )
    db.session.add(complaint)
    return complaint


def _actions(rng: random.Random, officer: User, complaints: list[Complaint], today: date) -> None:
    indicators = {
        i.number: i
        for i in db.session.scalars(sa.select(QualityIndicator).where(QualityIndicator.version == CURRENT_VERSION))
    }
    campaign = db.session.scalar(sa.select(SurveyCampaign).order_by(SurveyCampaign.closes_on).limit(1))
    plan = [
        (
            "Envoyer le planning d'alternance un mois avant l'entrée",
            ActionSource.COMPLAINT,
            complaints[0],
            [9, 13],
            date(2024, 4, 1),
            True,
        ),
        (
            "Vérifier chaque certificat de réalisation avant envoi",
            ActionSource.COMPLAINT,
            complaints[2],
            [12, 31],
            date(2024, 12, 15),
            True,
        ),
        (
            "Convocations aux ECF quinze jours avant",
            ActionSource.COMPLAINT,
            complaints[4],
            [16],
            date(2025, 3, 1),
            True,
        ),
        (
            "Contrôle croisé des factures de conventions",
            ActionSource.COMPLAINT,
            complaints[5],
            [31],
            date(2025, 6, 30),
            True,
        ),
        (
            "Questionnaire à froid raccourci pour relever le taux de réponse",
            ActionSource.SURVEY,
            None,
            [30],
            date(2025, 9, 30),
            True,
        ),
        (
            "Procédure écrite de traitement des réclamations affichée dans les salles",
            ActionSource.AUDIT,
            None,
            [31],
            date(2025, 5, 31),
            True,
        ),
        (
            "Prévenir les apprentis de tout changement de formateur par le portail",
            ActionSource.COMPLAINT,
            complaints[6],
            [13, 32],
            date(2025, 12, 31),
            False,
        ),
        (
            "Tableau de suivi des absences partagé avec les tuteurs",
            ActionSource.TEAM,
            None,
            [12, 13],
            today + timedelta(days=60),
            False,
        ),
        (
            "Référent handicap identifié sur chaque site",
            ActionSource.AUDIT,
            None,
            [26],
            today - timedelta(days=20),
            False,
        ),
    ]
    for title, source, complaint, numbers, due, done in plan:
        action = ImprovementAction(
            title=title,
            description=f"{title}. Pilotée par le référent qualité, suivie en réunion d'équipe mensuelle.",
            source=source,
            complaint=complaint,
            campaign_id=campaign.id if source == ActionSource.SURVEY and campaign else None,
            owner_id=officer.id,
            due_on=due,
            status=ActionStatus.DONE if done else ActionStatus.IN_PROGRESS,
            done_on=due - timedelta(days=rng.randint(0, 10)) if done else None,
            evidence="Compte rendu de réunion et document mis à jour, archivés dans le dossier qualité."
            if done
            else None,
            effectiveness="Aucune réclamation du même motif dans les six mois suivants." if done else None,
            indicators=[indicators[n] for n in numbers if n in indicators],
        )
        db.session.add(action)


def _declared(officer: User) -> None:
    kinds = [
        DeclaredRateKind.CONTINUATION,
        DeclaredRateKind.INTEGRATION_6,
        DeclaredRateKind.INTEGRATION_12,
        DeclaredRateKind.ADDED_VALUE,
    ]
    programmes = dict(
        db.session.execute(
            sa.select(Programme.code, Programme.id).where(Programme.kind == ProgrammeKind.APPRENTICESHIP)
        ).all()
    )
    entered = set(db.session.execute(sa.select(DeclaredRate.programme_id, DeclaredRate.year, DeclaredRate.kind)).all())
    for code, years in DECLARED.items():
        if code is not None and code not in programmes:
            continue
        for year, values in years.items():
            for kind, value in zip(kinds, values, strict=True):
                if (programmes.get(code), year, kind) in entered:
                    continue
                db.session.add(
                    DeclaredRate(
                        programme_id=programmes.get(code),
                        year=year,
                        kind=kind,
                        value_percent=value,
                        population=27 if value is not None else 8,
                        source=f"InserJeunes, publication de juin {year + 1}",
                        published_on=date(year + 1, 6, 20),
                        entered_by_id=officer.id,
                    )
                )

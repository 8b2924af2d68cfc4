"""The Référentiel national qualité kept as data (Qualiopi): a new version of the referential is a new CSV file
loaded beside the old one, never a code change. Each indicator lists the evidence Cadence holds for it."""

import csv
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import IndicatorScope, QualityIndicator

DATA = Path(__file__).resolve().parents[1] / "data"
CURRENT_VERSION = "RNQ v9"
FILES = {CURRENT_VERSION: DATA / "qualiopi-rnq-v9.csv"}

CRITERIA = {
    1: "Information du public sur les prestations, les délais d'accès et les résultats obtenus",
    2: "Identification précise des objectifs des prestations et adaptation aux publics",
    3: "Adaptation aux publics des modalités d'accueil, d'accompagnement, de suivi et d'évaluation",
    4: "Adéquation des moyens pédagogiques, techniques et d'encadrement",
    5: "Qualification et développement des compétences des personnels",
    6: "Inscription et investissement dans l'environnement professionnel",
    7: "Recueil et prise en compte des appréciations et des réclamations",
}

# The CSV's "applies_to" words; a subcontracting indicator is shown with all providers' (the CFA subcontracts none).
SCOPES = {
    "all": IndicatorScope.ALL,
    "cfa": IndicatorScope.CFA,
    "work-linked": IndicatorScope.WORK_LINKED,
    "certifying": IndicatorScope.CERTIFYING,
    "subcontracting": IndicatorScope.ALL,
}


@dataclass(frozen=True)
class Evidence:
    label: str
    endpoint: str


# Where the evidence of an indicator lives in Cadence (the pages an auditor is shown).
EVIDENCE_PAGES = {
    2: [Evidence("Tableau de bord des indicateurs", "quality.dashboard")],
    3: [Evidence("Jurys et résultats", "assessment.juries"), Evidence("Tableau de bord", "quality.dashboard")],
    11: [Evidence("Évaluations et jurys", "assessment.juries")],
    12: [Evidence("Suivi de l'émargement", "attendance.overview"), Evidence("Contrôles", "attendance.controls")],
    16: [Evidence("Sessions de jury et convocations", "assessment.juries")],
    18: [Evidence("Plannings des promotions", "planning.cohorts")],
    29: [Evidence("Taux déclarés et estimations", "quality.dashboard")],
    30: [Evidence("Satisfaction et taux de réponse", "quality.dashboard")],
    31: [Evidence("Registre des réclamations", "quality.complaints_register")],
    32: [Evidence("Actions d'amélioration", "quality.actions")],
}


def load_referential(version: str = CURRENT_VERSION) -> tuple[int, int]:
    """Insert or update the indicators of a version from its CSV; returns (added, updated). Idempotent."""
    existing = {
        i.number: i for i in db.session.scalars(sa.select(QualityIndicator).where(QualityIndicator.version == version))
    }
    added = updated = 0
    with FILES[version].open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            values = {
                "criterion": int(row["criterion"]),
                "title": row["indicator"].strip(),
                "scope": SCOPES[row["applies_to"].strip()],
                "evidence": row["evidence"].strip() or None,
            }
            indicator = existing.get(int(row["number"]))
            if indicator is None:
                db.session.add(QualityIndicator(version=version, number=int(row["number"]), **values))
                added += 1
            elif any(getattr(indicator, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(indicator, key, value)
                updated += 1
    db.session.flush()
    return added, updated


def indicators(version: str = CURRENT_VERSION) -> list[QualityIndicator]:
    return list(
        db.session.scalars(
            sa.select(QualityIndicator).where(QualityIndicator.version == version).order_by(QualityIndicator.number)
        )
    )


def by_criterion(version: str = CURRENT_VERSION) -> list[tuple[int, str, list[QualityIndicator]]]:
    rows = indicators(version)
    return [(c, title, [i for i in rows if i.criterion == c]) for c, title in CRITERIA.items()]

"""The network's shape: its centres, the programmes they teach, and the cohorts each opens every year."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from cfa.demo import data
from cfa.demo.calendar import contract_end
from cfa.services.calendar_generation import monday_of

SEED = 17
YEARS = 5  # of history before the running year
TRAINERS_PER_CENTRE = 8  # a centre runs up to eight cohorts at once, each with its own trainer
EMPLOYERS_PER_CENTRE = 6
HEADCOUNT = (8, 11)  # apprentices per cohort, drawn in this range
SHORT_RUNS_PER_YEAR = 2  # socle runs per centre and year
SHORT_RUN_TRAINEES = 8
MARK_BATCH = 50_000

# (code, name, postcode): the network's centres besides the demo's two (Rennes, Nantes).
CENTRES = [
    ("BREST", "Brest", "29200"),
    ("QUIMPER", "Quimper", "29000"),
    ("LORIENT", "Lorient", "56100"),
    ("VANNES", "Vannes", "56000"),
    ("STBRIEUC", "Saint-Brieuc", "22000"),
    ("STMALO", "Saint-Malo", "35400"),
    ("LAVAL", "Laval", "53000"),
    ("LEMANS", "Le Mans", "72000"),
    ("ANGERS", "Angers", "49000"),
    ("CHOLET", "Cholet", "49300"),
    ("LAROCHE", "La Roche-sur-Yon", "85000"),
    ("STNAZAIRE", "Saint-Nazaire", "44600"),
    ("CAEN", "Caen", "14000"),
    ("CHERBOURG", "Cherbourg-en-Cotentin", "50100"),
    ("ALENCON", "Alençon", "61000"),
    ("ROUEN", "Rouen", "76000"),
    ("LEHAVRE", "Le Havre", "76600"),
    ("TOURS", "Tours", "37000"),
    ("ORLEANS", "Orléans", "45000"),
    ("BLOIS", "Blois", "41000"),
    ("POITIERS", "Poitiers", "86000"),
    ("NIORT", "Niort", "79000"),
    ("LAROCHELLE", "La Rochelle", "17000"),
    ("ANGOULEME", "Angoulême", "16000"),
    ("LIMOGES", "Limoges", "87000"),
    ("BORDEAUX", "Bordeaux", "33000"),
    ("BOURGES", "Bourges", "18000"),
    ("CHARTRES", "Chartres", "28000"),
    ("EVREUX", "Évreux", "27000"),
    ("AMIENS", "Amiens", "80000"),
    ("LILLE", "Lille", "59000"),
    ("ARRAS", "Arras", "62000"),
    ("REIMS", "Reims", "51100"),
    ("TROYES", "Troyes", "10000"),
    ("DIJON", "Dijon", "21000"),
    ("BESANCON", "Besançon", "25000"),
    ("NANCY", "Nancy", "54000"),
    ("METZ", "Metz", "57000"),
]
ROOM_NAMES = ["Salle A", "Salle B", "Salle C", "Salle D", "Salle E", "Salle F", "Salle G", "Salle numérique"]
EMPLOYER_KINDS = [
    ("Ville de {city}", "city"),
    ("{city} Habitat", "social_landlord"),
    ("Association Trait d'union {city}", "association"),
    ("Centre social de {city}", "association"),
    ("Transports urbains de {city}", "transport"),
    ("Maison France services de {city}", "association"),
]

# A two-year title the network teaches besides the demo's two: a longer history per apprentice.
TMS = dict(
    code="TMS",
    title="Technicien médiation services",
    level=5,
    rncp_code=None,
    rncp_valid_from=None,
    rncp_valid_until=None,
    hours=910,
    duration_months=24,
    first_block_weeks=2,
    blocks=[
        (
            "CCP1",
            "Analyser un territoire et concevoir un projet de médiation",
            "Diagnostic partagé, projet, partenaires.",
        ),
        ("CCP2", "Conduire des médiations et accompagner les publics", "Médiation, accès aux droits, orientation."),
        ("CCP3", "Coordonner une équipe et évaluer l'activité", "Animation d'équipe, bilans, indicateurs."),
    ],
    modules=[
        ("SOCLE", "Socle : cadre et posture de la médiation sociale", None, 70),
        ("TERRITOIRE", "Diagnostic de territoire et conduite de projet", "CCP1", 140),
        ("PARTENAIRES", "Partenariats et financements", "CCP1", 98),
        ("MEDIATION", "Médiation entre personnes et avec les institutions", "CCP2", 154),
        ("DROITS", "Accès aux droits et inclusion numérique", "CCP2", 126),
        ("EQUIPE", "Animation et coordination d'équipe", "CCP3", 112),
        ("EVALUATION", "Évaluation de l'activité et rapports", "CCP3", 91),
        ("PUBLICS", "Publics vulnérables, santé mentale et addictions", None, 63),
        ("TITRE", "Dossier professionnel et préparation au titre", None, 56),
    ],
)
# (programme, weeks after the first Monday of September): each centre opens these cohorts every year.
YEARLY_COHORTS = [("MSADS", 2), ("AMIS", 4), ("TMS", 3), ("MSADS", 18), ("AMIS", 20)]


@dataclass(frozen=True)
class NetCohort:
    programme: str
    centre: str  # centre code
    start: date
    end: date
    headcount: int
    slot: int  # its rank among the centre's cohorts: picks its trainer and room

    @property
    def name(self) -> str:
        return f"{self.programme} {self.centre.title()} {self.start:%Y-%m} (réseau)"


def network_cohorts(today: date, scale: float, rng: random.Random) -> list[NetCohort]:
    """The network's cohorts: every centre opens YEARLY_COHORTS each year for five years and the running one.

    `scale` keeps that share of them, taken in turn from each centre, each centre's spread over the years:
    0.1 gives a tenth of the network, 0.01 a hundredth (at least one cohort)."""
    months = {p["code"]: p["duration_months"] for p in data.PROGRAMMES} | {"TMS": TMS["duration_months"]}
    codes = ["RENNES", "NANTES", *[code for code, _, _ in CENTRES]]
    demo_start = min(start for _, _, start, _, _ in data.FINISHED_COHORTS)
    by_centre = []
    for centre in codes:
        cohorts = []
        for year in range(today.year - YEARS, today.year + 1):
            september = monday_of(date(year, 9, 7))
            for programme, weeks in YEARLY_COHORTS:
                start = september + timedelta(weeks=weeks)
                end = contract_end(start, months[programme])
                if start > today or (centre in ("RENNES", "NANTES") and end >= demo_start):
                    continue  # the demo's own cohorts hold its two centres' last two years
                cohorts.append((programme, centre, start, end, rng.randint(*HEADCOUNT)))
        # Spread over the years: one cohort of each year in turn, each centre beginning with another year.
        years = sorted({c[2].year for c in cohorts})
        years = years[len(by_centre) % len(years) :] + years[: len(by_centre) % len(years)] if years else years
        per_year = [[c for c in cohorts if c[2].year == year] for year in years]
        by_centre.append(
            [group[rank] for rank in range(len(YEARLY_COHORTS)) for group in per_year if rank < len(group)]
        )
    # Round robin over the centres: a small scale still has several centres, each with its years.
    everything = [
        c for rank in range(max(map(len, by_centre))) for cohorts in by_centre for c in cohorts[rank : rank + 1]
    ]
    kept = everything[: max(1, round(len(everything) * scale))]
    slots: dict[str, int] = {}
    result = []
    for programme, centre, start, end, headcount in sorted(kept, key=lambda c: (c[1], c[2], c[0])):
        slots[centre] = slots.get(centre, -1) + 1
        result.append(NetCohort(programme, centre, start, end, headcount, slots[centre]))
    return result

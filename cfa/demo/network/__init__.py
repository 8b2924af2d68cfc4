"""A network of CFAs for the benchmark (scripts/generate_network.py): the demo, then 40 centres with five years
of history around it.

The demo comes first, untouched, so that its accounts keep their stories (the trainer's sheets of the day, the
apprentice's corrected half-day); the network adds, at its two centres and 38 more, cohorts started every year for
five years, each planned by the planner exactly as an admin would (replanning.preview then apply), with their
enrolments, the closed sheets and marks of every past half-day, evaluations, juries and their awards, satisfaction
campaigns with answers, livrets, and short courses. At the demo's centres the network's cohorts are taught by the
demo's own team and placed with its employers, so that the demo trainer and tutor have years of history too.

Deterministic: one seed, and the same `scale` and day give the same database. Marks, the bulk of it, are written
with COPY on PostgreSQL and in executemany batches on SQLite; everything else goes through the models.
"""

from __future__ import annotations

import random
import time as clock
from collections.abc import Callable
from datetime import date

import sqlalchemy as sa

from cfa.demo import seed_demo
from cfa.demo.network.cohorts import SEED, network_cohorts
from cfa.demo.network.marks import _attendance
from cfa.demo.network.records import _campaigns, _livrets, _results
from cfa.demo.network.world import LARGE_RUN_NAME, LARGE_RUN_TRAINEES, _World, large_run
from cfa.extensions import db
from cfa.models import AttendanceMark, AttendanceSheet, Centre, Cohort, Enrolment, Session, User, UserRole
from cfa.services import replanning

__all__ = ["LARGE_RUN_NAME", "LARGE_RUN_TRAINEES", "SEED", "counts", "generate_network", "network_cohorts"]


class Progress:
    """Steps and their durations on stderr-like output, so that a long build shows where it is."""

    def __init__(self, say: Callable[[str], None]):
        self.say, self.started, self.timings = say, clock.perf_counter(), {}

    def step(self, name: str, since: float) -> None:
        elapsed = clock.perf_counter() - since
        self.timings[name] = round(elapsed, 1)
        self.say(f"  {name}: {elapsed:.1f} s (total {clock.perf_counter() - self.started:.0f} s)")


def generate_network(scale: float = 1.0, today: date | None = None, say: Callable[[str], None] = print) -> dict:
    """Build the demo then the network in the current database; returns what was added and how long it took."""
    progress = Progress(say)
    started = clock.perf_counter()
    calendar = seed_demo(today)
    db.session.commit()
    progress.step("démo", started)
    today = calendar.today
    rng = random.Random(SEED)
    specs = network_cohorts(today, scale, rng)
    say(f"Réseau : {len(specs)} promotions d'apprentissage, échelle {scale}")

    started = clock.perf_counter()
    world = _World(rng, today, specs)
    cohorts = world.cohorts_and_enrolments()
    db.session.commit()
    progress.step("centres, personnes, promotions et inscriptions", started)

    started = clock.perf_counter()
    for index, cohort in enumerate(cohorts, start=1):
        result = replanning.preview(cohort, today=cohort.start_date)
        replanning.apply(result, actor=None, accept_conflicts=True)
        if index % 50 == 0 or index == len(cohorts):
            db.session.commit()
            say(f"    planifiées : {index}/{len(cohorts)}")
    progress.step("planification (service de planning)", started)

    started = clock.perf_counter()
    runs = world.short_courses()
    db.session.commit()
    progress.step("formations courtes", started)

    started = clock.perf_counter()
    if (large := large_run(today)) is not None:
        runs.append(large)
    cohort_ids = [c.id for c in cohorts] + [r.id for r in runs]
    sheets, marks = _attendance(rng, today, cohort_ids, say)
    db.session.commit()
    progress.step(f"émargement ({sheets} feuilles, {marks} émargements)", started)

    started = clock.perf_counter()
    _results(rng, today, cohorts)
    db.session.commit()
    progress.step("évaluations et jurys", started)

    started = clock.perf_counter()
    _campaigns(rng, today, cohorts)
    db.session.commit()
    progress.step("enquêtes", started)

    started = clock.perf_counter()
    _livrets(rng, today, cohorts)
    db.session.commit()
    progress.step("livrets", started)

    started = clock.perf_counter()
    # Planner statistics for the bulk-loaded tables: without them PostgreSQL guesses a few dozen planned
    # sessions where there are 160,000, and its plans (hence the benchmark) are those of an empty database.
    db.session.execute(sa.text("ANALYZE"))
    db.session.commit()
    progress.step("ANALYZE", started)
    added = {"cohorts": len(cohorts), "short_runs": len(runs), "sheets": sheets, "marks": marks}
    return {"added": added, "totals": counts(), "timings": progress.timings}


def counts() -> dict[str, int]:
    """What the database holds, by the names the generator reports."""
    count = lambda model: db.session.scalar(sa.select(sa.func.count()).select_from(model))  # noqa: E731
    return {
        "centres": count(Centre),
        "cohorts": count(Cohort),
        "enrolments": count(Enrolment),
        "sessions": count(Session),
        "sheets": count(AttendanceSheet),
        "marks": count(AttendanceMark),
        "people": count(User),
        "roles": count(UserRole),
    }

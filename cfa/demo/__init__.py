"""The demo CFA built by `flask seed-demo`: realistic, deterministic and idempotent."""

from cfa.demo.assessment import seed_assessment
from cfa.demo.attendance import seed_attendance
from cfa.demo.foundation import seed_foundation
from cfa.demo.planning import seed_planning

# Each step takes the random generator and leaves what exists alone, so that running twice adds nothing.
STEPS = [seed_foundation, seed_planning, seed_attendance, seed_assessment]


def seed_demo() -> None:
    import random

    rng = random.Random(2025)
    for step in STEPS:
        step(rng)

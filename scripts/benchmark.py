"""Time the main pages on the demo data and count their SQL queries.

Usage: .venv/bin/python scripts/benchmark.py [--repeat 5] [--database-url sqlite:////tmp/bench.sqlite]
Builds (or completes) the demo in that database first. Figures go in issue notes, never in pass/fail tests.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere, without installing

# (who, path): the pages each role opens most; pages of areas not built yet answer 404 and are reported so.
PAGES = [
    ("admin@cadence.test", "/"),
    ("admin@cadence.test", "/admin/personnes"),
    ("admin@cadence.test", "/admin/inscriptions"),
    ("admin@cadence.test", "/admin/promotions"),
    ("admin@cadence.test", "/admin/employeurs"),
    ("admin@cadence.test", "/planning/"),
    ("admin@cadence.test", "/planning/promotions/5"),
    ("admin@cadence.test", "/planning/promotions/5/generer"),
    ("formateur@cadence.test", "/emargement/aujourdhui"),
    ("formateur@cadence.test", "/planning/mon-agenda"),
    ("admin@cadence.test", "/emargement/"),
    ("apprenti@cadence.test", "/moi/planning"),
    ("apprenti@cadence.test", "/moi/presences"),
    ("apprenti@cadence.test", "/moi/resultats"),
    ("tuteur@cadence.test", "/employeur/calendrier"),
    ("tuteur@cadence.test", "/employeur/absences"),
    ("tuteur@cadence.test", "/employeur/resultats"),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", default="sqlite:////tmp/cadence-benchmark.sqlite")
    parser.add_argument("--page", action="append", help="who:path, replaces the default list")
    args = parser.parse_args()

    from flask_migrate import upgrade

    from cfa import create_app
    from cfa.demo import seed_demo
    from cfa.extensions import db

    app = create_app(
        "development", SQLALCHEMY_DATABASE_URI=args.database_url, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False
    )
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        seed_demo()
        db.session.commit()
        print(f"seed-demo: {time.perf_counter() - started:.1f} s")

    statements: list[str] = []
    event.listen(Engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    pages = [tuple(p.split(":", 1)) for p in args.page] if args.page else PAGES
    print(f"{'page':<45} {'as':<24} {'status':>6} {'median ms':>10} {'queries':>8}")
    for email, path in pages:
        client = app.test_client()
        client.post("/connexion", data={"email": email, "password": "cadence-demo"})
        timings, counts, status = [], [], None
        for _ in range(args.repeat):
            statements.clear()
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            counts.append(len(statements))
            status = response.status_code
        print(f"{path:<45} {email.split('@')[0]:<24} {status:>6} {statistics.median(timings):>10.1f} {max(counts):>8}")


if __name__ == "__main__":
    main()

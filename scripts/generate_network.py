"""Build a network-scale Cadence database: the demo, then 40 centres with five years of history (cfa/demo/network.py).

Usage:
  .venv/bin/python scripts/generate_network.py --database-url sqlite:////tmp/cadence-net.sqlite
  .venv/bin/python scripts/generate_network.py --database-url postgresql+psycopg://postgres@127.0.0.1/cadence_net
  .venv/bin/python scripts/generate_network.py --scale 0.1 ...   # a tenth of the network, for a quick run

The database must be empty (the script upgrades its schema first). At scale 1: about 10,000 enrolments and
1.5 million attendance marks; a few minutes on PostgreSQL. Deterministic for a given scale and day (--today).
"""

import argparse
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere, without installing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--scale", type=float, default=1.0, help="share of the network's cohorts (1 = all)")
    parser.add_argument("--today", type=date.fromisoformat, help="the day the data is built around (default: today)")
    args = parser.parse_args()

    from flask_migrate import upgrade

    from cfa import create_app
    from cfa.demo.network import generate_network
    from cfa.extensions import db

    app = create_app("development", SQLALCHEMY_DATABASE_URI=args.database_url)
    started = time.perf_counter()
    with app.app_context():
        upgrade()
        if db.session.execute(db.text("SELECT count(*) FROM cohort")).scalar():
            sys.exit("La base contient déjà des promotions : le générateur part d'une base vide.")
        report = generate_network(args.scale, args.today, say=lambda line: print(line, flush=True))
    print(f"Terminé en {time.perf_counter() - started:.0f} s")
    for name, value in report["added"].items():
        print(f"  ajouté {name:<12} {value:>10}")
    for name, value in report["totals"].items():
        print(f"  total  {name:<12} {value:>10}")


if __name__ == "__main__":
    main()

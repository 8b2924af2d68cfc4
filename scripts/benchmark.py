"""Serve Cadence with gunicorn and load it with wrk: each role's main pages against a hello-world route of the app.

Usage (the database built by scripts/generate_network.py):
  .venv/bin/python scripts/benchmark.py --database-url postgresql+psycopg://postgres@127.0.0.1/cadence_net
  .venv/bin/python scripts/benchmark.py --database-url sqlite:////tmp/cadence-net.sqlite

What it does, in one run:
- counts, in process, the SQL queries and the rows fetched by one request of each page (a hook on SQLAlchemy's
  cursor fetches), and checks its status;
- starts gunicorn (production settings, 2 sync workers, 127.0.0.1) on that database, logs in once per role over
  HTTP (urllib, no client library) and hands the session cookie to wrk (`-H 'Cookie: ...'`);
- runs wrk on each page (pages: -t2 -c8; documents and exports: one connection, so that latency is the time one
  request takes, not its wait in the queue), p50 and p95 from wrk's own histogram (a Lua `done` hook);
- the ICS feeds twice: a full answer, then with If-None-Match set to its ETag (the 304 a calendar client gets);
- the audit export (a POST, run inline without Redis) next to the raw SQL it runs, replayed on the database's own
  driver (psycopg or sqlite3) without the app;
- "100 certificates": the ZIP of the certificats de réalisation of a short-course run of 100 trainees (the
  generator's large run), one request;
- the resident memory (RSS, from /proc) of the gunicorn workers after each measure.
Figures go in the README's "Performance" section and issue notes, never in pass/fail tests.
"""

from __future__ import annotations

import argparse
import http.cookies
import math
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from anywhere, without installing

PASSWORD = "cadence-demo"
# Flask-Login's strong session protection ties a session to the client's address and User-Agent: urllib (which
# logs in) and wrk (which loads) must present the same one.
USER_AGENT = "cadence-benchmark"
ROLES = {
    "admin": "admin@cadence.test",
    "formateur": "formateur@cadence.test",
    "apprenti": "apprenti@cadence.test",
    "tuteur": "tuteur@cadence.test",
    "qualite": "qualite@cadence.test",
}
# wrk's own histogram, in microseconds: its --latency output has no 95th percentile.
WRK_LUA = """
local threads = {}
setup = function(thread) table.insert(threads, thread) end
init = function(args) wrong = 0 end
response = function(status, headers, body) if status ~= EXPECTED then wrong = wrong + 1 end end
done = function(summary, latency, requests)
  local unexpected = 0
  for _, thread in ipairs(threads) do unexpected = unexpected + thread:get("wrong") end
  io.write(string.format("CADENCE p50=%d p95=%d requests=%d errors=%d unexpected=%d\\n", latency:percentile(50),
    latency:percentile(95), summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout, unexpected))
end
"""


@dataclass
class Page:
    label: str
    role: str | None  # None: without an account
    path: str
    expect: int = 200
    document: bool = False  # measured on one connection
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, str] | None = None  # a POST form (the CSRF token is added)


@dataclass
class Row:
    page: Page
    status: int | None = None
    queries: int | None = None
    rows: int | None = None
    rps: float | None = None
    p50_ms: float | None = None
    p95_ms: float | None = None
    requests: int | None = None
    errors: int | None = None  # connection errors and timeouts
    unexpected: int | None = None  # answers whose status is not the page's (a login page, a 429...)
    rss_mb: float | None = None
    note: str = ""


# --- what to open: ids found in the database -------------------------------------------------------------------


def targets(app) -> dict:
    """The records the pages open: the demo accounts' own, and the network's largest history."""
    import sqlalchemy as sa

    from cfa.demo.network import LARGE_RUN_NAME
    from cfa.extensions import db
    from cfa.formatting import today_paris
    from cfa.models import Cohort, Enrolment, Programme, Session, SessionStatus, User

    with app.app_context():
        today = today_paris()
        user = {role: db.session.scalar(sa.select(User).where(User.email == email)) for role, email in ROLES.items()}
        missing = [email for role, email in ROLES.items() if user[role] is None]
        if missing:
            sys.exit(f"Comptes de démonstration absents : {', '.join(missing)} (scripts/generate_network.py).")
        sheet = db.session.scalar(
            sa.select(Session.id)
            .where(
                Session.trainer_id == user["formateur"].id,
                Session.status == SessionStatus.PLANNED,
                Session.date >= today,
            )
            .order_by(Session.date, Session.start_time)
            .limit(1)
        )
        demo = db.session.scalar(
            sa.select(Enrolment).where(Enrolment.apprentice_id == user["apprenti"].id).order_by(Enrolment.id.desc())
        )
        # The longest finished history: a two-year title's apprentice if the network has one, else the demo's.
        longest = db.session.scalar(
            sa.select(Enrolment.id)
            .join(Cohort)
            .join(Programme)
            .where(Programme.code == "TMS", Cohort.end_date < today)
            .order_by(Enrolment.id)
            .limit(1)
        )
        large_run = db.session.scalar(
            sa.select(Cohort.id).where(Cohort.name.like(f"%{LARGE_RUN_NAME}%")).order_by(Cohort.id.desc())
        )
        programme = db.session.scalar(sa.select(Programme.id).where(Programme.code == "MSADS"))
        cohort = db.session.get(Cohort, demo.cohort_id)
        last_month = today.replace(day=1) - timedelta(days=1)
        return dict(
            today=today,
            sheet=sheet,
            certificate_enrolment=longest or demo.id,
            zip_cohort=cohort.id,
            zip_month=f"{last_month:%Y-%m}",
            large_run=large_run,
            programme=programme,
            trainer_token=user["formateur"].calendar_token,
            cohort_token=cohort.calendar_token,
            audit_year=today.year - 1,
        )


def pages(t: dict) -> list[Page]:
    found = [
        Page("hello-world (/sante)", None, "/sante"),
        Page("formateur : journée", "formateur", "/emargement/aujourdhui"),
        Page("formateur : feuille d'émargement", "formateur", f"/emargement/seances/{t['sheet']}"),
        Page("apprenti : planning", "apprenti", "/moi/planning"),
        Page("apprenti : présences", "apprenti", "/moi/presences"),
        Page("tuteur : ses apprentis", "tuteur", "/suivi/mes-apprentis"),
        Page("tuteur : absences", "tuteur", "/employeur/absences"),
        Page("admin : suivi de l'assiduité", "admin", "/emargement/"),
        Page("admin : promotions", "admin", "/admin/promotions"),
        Page("qualité : tableau de bord", "qualite", "/qualite/"),
        Page("public : résultats publiés", None, f"/qualite/resultats/{t['programme']}"),
        Page("ICS formateur·rice", None, f"/agenda/{t['trainer_token']}.ics"),
        Page("ICS formateur·rice, 304", None, f"/agenda/{t['trainer_token']}.ics", expect=304),
        Page("ICS promotion", None, f"/agenda/promotion/{t['cohort_token']}.ics"),
        Page("ICS promotion, 304", None, f"/agenda/promotion/{t['cohort_token']}.ics", expect=304),
        Page(
            "certificat de réalisation (PDF)",
            "admin",
            f"/emargement/inscriptions/{t['certificate_enrolment']}/certificat-realisation.pdf",
            document=True,
        ),
        Page(
            "ZIP mensuel des certificats",
            "admin",
            f"/emargement/promotions/{t['zip_cohort']}/certificats-{t['zip_month']}.zip",
            document=True,
        ),
    ]
    if t["large_run"]:
        found.append(
            Page(
                "100 certificats (ZIP d'une session)",
                "admin",
                f"/formations-courtes/sessions/{t['large_run']}/certificats.zip",
                document=True,
            )
        )
    found.append(
        Page(
            "export d'audit (POST, en ligne)",
            "qualite",
            "/qualite/export-audit",
            expect=302,
            document=True,
            body={"year": str(t["audit_year"]), "centre_id": ""},
        )
    )
    return found


# --- queries and rows per request, in process ---------------------------------------------------------------------


class FetchCounter:
    """Counts statements (before_cursor_execute) and the rows SQLAlchemy fetched from the driver's cursors (its
    fetch strategies, whichever the dialect uses): what a page really loads, on SQLite as on PostgreSQL."""

    def __init__(self):
        self.queries = 0
        self.rows = 0
        self.statements: list[tuple[str, object]] = []
        self.durations: list[tuple[float, str]] = []  # (seconds, statement): where a slow page spends its time
        self.recording = False

    def install(self) -> None:
        from sqlalchemy import event
        from sqlalchemy.engine import Engine
        from sqlalchemy.engine import cursor as cursor_module

        def before(conn, cursor, statement, parameters, context, executemany):
            if self.recording:
                self.queries += 1
                self.statements.append((statement, parameters))
                conn.info["cadence_started"] = time.perf_counter()

        def after(conn, cursor, statement, parameters, context, executemany):
            if self.recording and "cadence_started" in conn.info:
                self.durations.append((time.perf_counter() - conn.info.pop("cadence_started"), statement))

        event.listen(Engine, "before_cursor_execute", before)
        event.listen(Engine, "after_cursor_execute", after)
        counter = self

        def counting(method, many: bool):
            def wrapper(self_, *args, **kwargs):
                result = method(self_, *args, **kwargs)
                if counter.recording:
                    counter.rows += len(result) if many else (result is not None)
                return result

            return wrapper

        for name in ("CursorFetchStrategy", "BufferedRowCursorFetchStrategy", "FullyBufferedCursorFetchStrategy"):
            strategy = getattr(cursor_module, name)
            for method, many in (("fetchone", False), ("fetchmany", True), ("fetchall", True)):
                if method in strategy.__dict__:
                    setattr(strategy, method, counting(strategy.__dict__[method], many))

    def start(self) -> None:
        self.queries, self.rows, self.statements, self.durations, self.recording = 0, 0, [], [], True

    def stop(self) -> tuple[int, int]:
        self.recording = False
        return self.queries, self.rows


def count_in_process(database_url: str, found: list[Page], rows: dict[str, Row], args) -> list[tuple[str, object]]:
    """One request of each page through Flask's test client; returns the audit export's statements."""
    from cfa import create_app

    counter = FetchCounter()
    counter.install()
    app = create_app(
        "development", SQLALCHEMY_DATABASE_URI=database_url, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False
    )
    clients = {}
    audit_statements: list[tuple[str, object]] = []
    for page in found:
        if page.role not in clients:
            client = app.test_client()
            if page.role:
                client.post("/connexion", data={"email": ROLES[page.role], "password": PASSWORD})
            clients[page.role] = client
        client = clients[page.role]
        headers = dict(page.headers)
        if page.expect == 304:  # the ETag of a first answer, as a calendar client keeps it
            headers["If-None-Match"] = client.get(page.path).headers.get("ETag", "")
        counter.start()
        started = time.perf_counter()
        if page.body is not None:
            response = client.post(page.path, data=page.body, headers=headers)
        else:
            response = client.get(page.path, headers=headers)
        queries, fetched = counter.stop()
        elapsed = (time.perf_counter() - started) * 1000
        rows[page.label].status, rows[page.label].queries, rows[page.label].rows = (
            response.status_code,
            queries,
            fetched,
        )
        if page.body is not None:
            audit_statements = list(counter.statements)
        print(
            f"  {page.label:<38} {response.status_code:>4} {queries:>6} requêtes {fetched:>9} lignes "
            f"{elapsed:>9.1f} ms en process",
            flush=True,
        )
        if args.slowest:
            for seconds, statement in sorted(counter.durations, reverse=True)[: args.slowest]:
                print(f"      {seconds * 1000:>8.1f} ms  {' '.join(statement.split())[:160]}")
    return audit_statements


def raw_sql_seconds(database_url: str, statements: list[tuple[str, object]]) -> tuple[float, int]:
    """The SELECTs the export ran, replayed on the driver alone (psycopg or sqlite3): best of three runs."""
    selects = [(s, p) for s, p in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    url = urllib.parse.urlsplit(database_url)

    def connect():
        if url.scheme.startswith("postgresql"):
            import psycopg

            return psycopg.connect(
                host=url.hostname, port=url.port or 5432, user=url.username, password=url.password, dbname=url.path[1:]
            )
        import sqlite3

        return sqlite3.connect(database_url.removeprefix("sqlite:///"))

    timings = []
    for _ in range(3):
        connection = connect()
        cursor = connection.cursor()
        started = time.perf_counter()
        for statement, parameters in selects:
            cursor.execute(statement, parameters or ())
            cursor.fetchall()
        timings.append(time.perf_counter() - started)
        connection.close()
    return min(timings), len(selects)


# --- gunicorn and wrk ---------------------------------------------------------------------------------------------


def start_gunicorn(database_url: str, port: int, workers: int, folder: Path) -> subprocess.Popen:
    env = dict(
        os.environ,
        CADENCE_ENV="production",
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_urlsafe(32),
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        TRUSTED_HOSTS="127.0.0.1",
        EXPORT_DIR=str(folder / "exports"),
    )
    env.pop("REDIS_URL", None)
    env.pop("RATELIMIT_STORAGE_URI", None)
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [str(gunicorn), "-w", str(workers), "-b", f"127.0.0.1:{port}", "--timeout", "120", "wsgi:app"]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=folder.joinpath("gunicorn.log").open("w")
    )
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/sante", timeout=2)
            return process
        except OSError:  # refused while it starts, or slow to answer its first request
            if process.poll() is not None:
                sys.exit(f"gunicorn s'est arrêté : voir {folder / 'gunicorn.log'}")
            time.sleep(0.5)
    process.terminate()
    sys.exit("gunicorn ne répond pas sur /sante.")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def fetch(base: str, path: str, cookie: str = "", data: dict | None = None, headers: dict | None = None):
    """(status, headers, body) of one request, redirects not followed."""
    request = urllib.request.Request(base + path, data=urllib.parse.urlencode(data).encode() if data else None)
    request.add_header("User-Agent", USER_AGENT)
    if cookie:
        request.add_header("Cookie", cookie)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with OPENER.open(request, timeout=120) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def cookies_of(headers, jar: dict[str, str]) -> dict[str, str]:
    for header in headers.get_all("Set-Cookie") or []:
        parsed = http.cookies.SimpleCookie()
        parsed.load(header)
        for name, morsel in parsed.items():
            jar[name] = morsel.value
    return jar


def cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in jar.items())


def csrf_token(body: bytes) -> str:
    match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body) or re.search(
        rb'value="([^"]+)"[^>]*name="csrf_token"', body
    )
    if match is None:
        raise RuntimeError("jeton CSRF introuvable")
    return match.group(1).decode()


def log_in(base: str, email: str) -> str:
    """The session cookie of a login over HTTP, as a browser gets it (the form's CSRF token included)."""
    status, headers, body = fetch(base, "/connexion")
    jar = cookies_of(headers, {})
    status, headers, body = fetch(
        base,
        "/connexion",
        cookie_header(jar),
        data={"email": email, "password": PASSWORD, "csrf_token": csrf_token(body)},
    )
    if status != 302:
        raise RuntimeError(f"connexion refusée pour {email} ({status})")
    return cookie_header(cookies_of(headers, jar))


def worker_rss_mb(master: int) -> float:
    """The largest resident memory among the master's children (the workers), from /proc."""
    largest = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) != master:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    largest = max(largest, int(line.split()[1]))
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
    return largest / 1024


def run_wrk(base: str, page: Page, headers: dict[str, str], args, folder: Path, single: float) -> dict:
    """wrk on one page; `single` (seconds one request took) stretches the run so that slow pages get a few
    requests too."""
    script = folder / "wrk.lua"
    lua = WRK_LUA.replace("EXPECTED", str(page.expect))
    if page.body is not None:
        body = urllib.parse.urlencode(page.body)
        lua = f'wrk.method = "POST"\nwrk.body = "{body}"\n' + lua
        headers = dict(headers, **{"Content-Type": "application/x-www-form-urlencoded"})
    script.write_text(lua)
    threads, connections = (1, 1) if page.document else (args.threads, args.connections)
    duration = min(45, max(args.duration, math.ceil(5 * single) + 1))
    command = [
        args.wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "60s",
        "-s",
        str(script),
    ]
    for name, value in dict(headers, **{"User-Agent": USER_AGENT}).items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(command + [base + page.path], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    done = re.search(r"CADENCE p50=(\d+) p95=(\d+) requests=(\d+) errors=(\d+) unexpected=(\d+)", output)
    return dict(
        rps=rps,
        p50_ms=int(done.group(1)) / 1000,
        p95_ms=int(done.group(2)) / 1000,
        requests=int(done.group(3)),
        errors=int(done.group(4)),
        unexpected=int(done.group(5)),
    )


def measure(database_url: str, found: list[Page], rows: dict[str, Row], args) -> None:
    folder = Path(tempfile.mkdtemp(prefix="cadence-bench-"))
    base = f"http://127.0.0.1:{args.port}"
    server = None
    try:
        server = start_gunicorn(database_url, args.port, args.workers, folder)
        cookies = {role: log_in(base, email) for role, email in ROLES.items()}
        for page in found:
            row = rows[page.label]
            headers = dict(page.headers)
            cookie = cookies.get(page.role, "")
            if cookie:
                headers["Cookie"] = cookie
            if page.expect == 304:
                _, first, _ = fetch(base, page.path, cookie)
                headers["If-None-Match"] = first.get("ETag", "")
            if page.body is not None:  # a fresh CSRF token, tied to this session
                _, _, form = fetch(base, page.path, cookie)
                page.body = dict(page.body, csrf_token=csrf_token(form))
            started = time.perf_counter()
            try:
                status, _, _ = fetch(
                    base,
                    page.path,
                    cookie,
                    data=page.body,
                    headers={"If-None-Match": headers.get("If-None-Match", "")} if page.expect == 304 else None,
                )
            except OSError:  # the workers still busy with a slow page's abandoned requests: noted, not measured
                row.note = "pas de réponse en 120 s"
                continue
            if status != page.expect:
                row.note = f"HTTP {status} (attendu {page.expect})"
            single = time.perf_counter() - started
            row.__dict__.update(run_wrk(base, page, headers, args, folder, single))
            row.rss_mb = worker_rss_mb(server.pid)
            print(
                f"  {page.label:<38} {row.rps:>9.1f} req/s  p50 {row.p50_ms:>8.1f} ms  p95 {row.p95_ms:>8.1f} ms",
                flush=True,
            )
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:  # workers stuck in a long request
                server.kill()
                server.wait()
        shutil.rmtree(folder, ignore_errors=True)


# --- the table ----------------------------------------------------------------------------------------------------


def table(rows: list[Row], raw: tuple[float, int] | None) -> str:
    baseline = rows[0].rps or 1
    lines = [
        "| page | as | req/s | p50 ms | p95 ms | % of hello-world | queries | rows | worker RSS MB | note |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        share = f"{100 * row.rps / baseline:.1f} %" if row.rps is not None else ""
        note = row.note
        if row.errors:
            note = (note + " " if note else "") + f"{row.errors} erreurs wrk"
        if row.unexpected:
            note = (note + " " if note else "") + f"{row.unexpected} réponses ≠ {row.page.expect}"
        lines.append(
            f"| {row.page.label} | {row.page.role or 'anonyme'} | {_num(row.rps, 1)} | {_num(row.p50_ms, 1)} | "
            f"{_num(row.p95_ms, 1)} | {share} | {_num(row.queries, 0)} | {_num(row.rows, 0)} | "
            f"{_num(row.rss_mb, 0)} | {note} |"
        )
    if raw is not None:
        seconds, count = raw
        lines.append(
            f"| SQL brut de l'export d'audit ({count} SELECT, pilote seul) | — | | {seconds * 1000:.1f} | | | {count} | | | |"
        )
    return "\n".join(lines)


def _num(value, digits: int) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def describe(database_url: str) -> str:
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    cpus = os.cpu_count()
    engine = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    return f"{engine}, {cpus} CPU, charge moyenne (1, 5, 15 min) {load}, {date.today():%Y-%m-%d}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--port", type=int, default=5105)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration", type=int, default=5, help="seconds of wrk per page")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--wrk", default=shutil.which("wrk") or "/usr/bin/wrk")
    parser.add_argument("--only", action="append", help="a label's beginning: measure only those pages")
    parser.add_argument("--slowest", type=int, default=0, help="print each page's N slowest statements")
    parser.add_argument("--count-only", action="store_true", help="queries and rows in process, no gunicorn nor wrk")
    args = parser.parse_args()
    # A stopped benchmark (timeout, Ctrl-C) still stops its gunicorn: `finally` runs on SIGTERM too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    from cfa import create_app

    app = create_app("development", SQLALCHEMY_DATABASE_URI=args.database_url)
    found = pages(targets(app))
    if args.only:
        found = [found[0]] + [p for p in found[1:] if any(p.label.startswith(o) for o in args.only)]
    rows = {page.label: Row(page) for page in found}
    print(f"Avant : {describe(args.database_url)}")
    print("Requêtes et lignes par page (en process) :", flush=True)
    audit_statements = count_in_process(args.database_url, found, rows, args)
    raw = raw_sql_seconds(args.database_url, audit_statements) if audit_statements else None
    if args.count_only:
        return
    print(f"gunicorn ({args.workers} workers) + wrk :", flush=True)
    measure(args.database_url, found, rows, args)
    print(f"Après : {describe(args.database_url)}")
    print()
    print(table(list(rows.values()), raw))
    latencies = [r.p95_ms for r in rows.values() if r.p95_ms is not None and not r.page.document]
    if latencies:
        print(f"\nmédiane des p95 des pages : {statistics.median(latencies):.1f} ms")


if __name__ == "__main__":
    main()

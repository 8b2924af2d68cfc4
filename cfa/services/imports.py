"""Importing people, employers and enrolments from a spreadsheet: a dry run first, then all or nothing.

Both steps run the same code inside a SAVEPOINT: the dry run rolls it back, so what it reports is exactly what the
import would do; the import keeps it only when no row has an error, so a bad row anywhere leaves the database as it
was. Rows are matched on stable keys (e-mail, SIRET, apprentice and cohort), so importing the same file twice
changes nothing the second time. The import leaves one audit event (who, when, file, counts) and one per record
created or updated, listed under it.
"""

import hashlib
import unicodedata
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.models import AuditEvent
from cfa.services import audit
from cfa.services.import_files import Table, read_table

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"
ACTION_LABELS = {CREATE: "création", UPDATE: "mise à jour", UNCHANGED: "inchangé"}
# A CFA imports hundreds of rows, not millions: past this, the file is surely not the one meant.
MAX_ROWS = 20_000


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the French header of the template and of the file
    required: bool = False
    example: str = ""
    help: str = ""


@dataclass(frozen=True)
class RowError:
    row: int | None  # None: the file as a whole (a missing column)
    column: str | None
    message: str


@dataclass(frozen=True)
class RowAction:
    row: int
    action: str
    description: str

    @property
    def label(self) -> str:
        return ACTION_LABELS[self.action]


@dataclass
class ImportReport:
    kind: str
    filename: str
    digest: str
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    actions: list[RowAction] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> dict[str, int]:
        found = {CREATE: 0, UPDATE: 0, UNCHANGED: 0}
        for action in self.actions:
            found[action.action] += 1
        return found


class RowProblem(Exception):
    """Raised by a kind's handler: this row cannot be imported, for this reason, in this column."""

    def __init__(self, column: str | None, message: str):
        super().__init__(message)
        self.column = column
        self.message = message


@dataclass
class Row:
    """One row of the file, its cells by column key, and the errors found in it so far."""

    number: int
    cells: dict
    labels: dict[str, str]
    errors: list[RowError] = field(default_factory=list)

    def error(self, key: str | None, message: str) -> None:
        self.errors.append(RowError(self.number, self.labels.get(key, key) if key else None, message))


def _header_key(text: str) -> str:
    # People retype headers: accents, capitals, a trailing "*" marking required columns and spaces do not count.
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return " ".join(text.replace("*", " ").lower().split())


def _rows(kind, table: Table, report: ImportReport) -> list[Row]:
    by_header = {_header_key(column.label): column for column in kind.columns}
    positions: dict[str, int] = {}
    for index, header in enumerate(table.headers):
        column = by_header.get(_header_key(header))
        if column is not None and column.key not in positions:
            positions[column.key] = index
    for column in kind.columns:
        if column.required and column.key not in positions:
            report.errors.append(RowError(1, column.label, f"Colonne « {column.label} » absente de l'en-tête."))
    if report.errors:
        return []
    labels = {column.key: column.label for column in kind.columns}
    rows = []
    for number, cells in table.rows:
        values = {key: cells[index] if index < len(cells) else None for key, index in positions.items()}
        rows.append(Row(number, values, labels))
    return rows


def run_import(actor, kind, filename: str, data: bytes, *, apply: bool) -> ImportReport:
    """Read the file and import it: a dry run (apply False) writes nothing; an import writes every row or none.

    Raises ImportFileError when the file cannot be read. The caller commits after an applied import."""
    # The name is shown and kept in the audit trail: control characters (a NUL no PostgreSQL text takes) go.
    filename = "".join(c for c in filename if c.isprintable())[-200:] or "fichier"
    report = ImportReport(kind.name, filename, hashlib.sha256(data).hexdigest())
    table = read_table(filename, data)
    if len(table.rows) > MAX_ROWS:
        report.errors.append(RowError(None, None, f"Le fichier compte plus de {MAX_ROWS} lignes : découpez-le."))
        return report
    rows = _rows(kind, table, report)
    report.rows = len(rows)
    if not rows:
        if report.ok:
            report.errors.append(RowError(None, None, "Le fichier ne contient aucune ligne de données."))
        return report
    # Leaving the block releases the SAVEPOINT; the dry run and a refused import roll it back inside.
    with db.session.begin_nested() as savepoint:
        try:
            changes = _handle_rows(actor, kind, rows, report)
            if report.ok:
                db.session.flush()
        except IntegrityError:
            # A rule the database holds that the checks above missed (the same key saved meanwhile by someone else).
            report.errors.append(RowError(None, None, "La base a refusé l'import (doublon enregistré entre-temps)."))
        if not apply or not report.ok:
            savepoint.rollback()
            return report
        _audit(actor, report, changes)
        db.session.flush()
    report.applied = True
    return report


def _handle_rows(actor, kind, rows: list[Row], report: ImportReport) -> list[tuple[object, dict | None]]:
    context = kind.context(actor, rows)
    changes = []
    for row in rows:
        try:
            outcome = kind.handle(context, row)
        except RowProblem as problem:
            row.error(problem.column, problem.message)
            outcome = None
        report.errors.extend(row.errors)
        if outcome is not None and not row.errors:
            action, description, record, before = outcome
            report.actions.append(RowAction(row.number, action, description))
            if record is not None and action != UNCHANGED:
                changes.append((record, before))
    return changes


def _audit(actor, report: ImportReport, changes) -> None:
    event = audit.record(
        actor,
        "import",
        0,
        "import",
        after={"kind": report.kind, "file": report.filename, "sha256": report.digest, **report.counts},
    )
    db.session.flush()
    # The import names itself: the events of the records it wrote are listed under it.
    event.entity_id = event.id
    reason = f"Import du fichier {report.filename}"
    for record, before in changes:
        audit.record_change(actor, record, before, reason=reason, context=("import", event.id))


def recent_imports(limit: int = 10) -> list[AuditEvent]:
    """The last imports made, with who made them: the page shows them under the form."""
    stmt = (
        sa.select(AuditEvent)
        .where(AuditEvent.entity == "import")
        .options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))

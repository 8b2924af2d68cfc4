"""Flask commands for backups and personal data: thin wrappers over services/backups.py and services/retention.py."""

from pathlib import Path

import click
from flask import Flask

from cfa.extensions import db


def register_privacy_commands(app: Flask) -> None:
    @app.cli.command("backup")
    @click.argument("destination", type=click.Path(path_type=Path), default=".")
    def backup_command(destination):
        """Write one archive with the database, the uploaded files and the signing keys (a folder: dated name)."""
        from cfa.services.backups import BackupError, create_backup
        from cfa.storage import uploads

        try:
            summary = create_backup(db.engine, destination, uploads(), app.config["KEYS_DIR"])
        except BackupError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"Sauvegarde écrite : {summary.path}")
        click.echo(
            f"Lignes : {sum(summary.rows.values())} dans {len(summary.rows)} tables ; fichiers : {summary.files}"
        )

    @app.cli.command("restore")
    @click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--force", is_flag=True, help="Replace a database that already holds rows.")
    def restore_command(archive, force):
        """Put a backup back: database, uploaded files and signing keys. Refuses a non-empty database."""
        from cfa.services.backups import BackupError, restore_backup
        from cfa.storage import uploads

        db.session.remove()
        try:
            summary = restore_backup(db.engine, archive, uploads(), app.config["KEYS_DIR"], force=force)
        except BackupError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"Sauvegarde restaurée : {sum(summary.rows.values())} lignes, {summary.files} fichiers.")

    @app.cli.command("retention")
    @click.option("--apply", "do_apply", is_flag=True, help="Anonymise and delete; without it, only list (dry run).")
    def retention_command(do_apply):
        """Anonymise people whose last training ended more than RETENTION_YEARS ago and delete proofs older than
        PROOF_RETENTION_YEARS (run it each night with --apply); audited."""
        from cfa.formatting import today_paris
        from cfa.services import retention
        from cfa.storage import uploads

        years, proof_years = app.config["RETENTION_YEARS"], app.config["PROOF_RETENTION_YEARS"]
        today = today_paris()
        due = retention.plan(today, years, proof_years)
        for item in due.people:
            click.echo(f"  {item.person.sort_name} (n° {item.person.id}) : dernière formation le {item.last_day}")
        for item in due.proofs:
            click.echo(
                f"  pièce n° {item.justification.id} de {item.learner.sort_name} ({item.justification.end_date})"
            )
        if not do_apply:
            click.echo(
                f"Simulation : {len(due.people)} personne(s) à anonymiser, {len(due.proofs)} pièce(s) à supprimer."
            )
            return
        report = retention.apply(None, today, years, proof_years)
        db.session.commit()
        retention.delete_files(uploads(), report.files_to_delete)
        click.echo(f"{report.anonymised} personne(s) anonymisée(s), {report.proofs_deleted} pièce(s) supprimée(s).")

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

        try:
            summary = create_backup(db.engine, destination, app.config["UPLOAD_DIR"], app.config["KEYS_DIR"])
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

        db.session.remove()
        try:
            summary = restore_backup(db.engine, archive, app.config["UPLOAD_DIR"], app.config["KEYS_DIR"], force=force)
        except BackupError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"Sauvegarde restaurée : {sum(summary.rows.values())} lignes, {summary.files} fichiers.")

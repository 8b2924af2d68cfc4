"""Flask commands: thin wrappers over the services."""

import click
from flask import Flask

from cfa.extensions import db


def register_commands(app: Flask) -> None:
    from cfa.cli_privacy import register_privacy_commands

    register_privacy_commands(app)

    @app.cli.command("seed-demo")
    def seed_demo_command():
        """Build (or complete) the demo CFA around today; running it twice changes nothing."""
        from cfa.demo import demo_day_summary, seed_demo
        from cfa.demo.counts import demo_counts
        from cfa.demo.integrations import DEMO_API_SECRET

        calendar = seed_demo()
        db.session.commit()
        for label, count in demo_counts().items():
            click.echo(f"{label:<28} {count}")
        click.echo(demo_day_summary(calendar))
        click.echo(f"Jeton de l'API en lecture (démo) : {DEMO_API_SECRET}  — documentation : /api/docs")

    @app.cli.command("load-survey-templates")
    def load_survey_templates_command():
        """Add the preloaded satisfaction questionnaires that are missing; existing ones and their versions stay."""
        from cfa.services.survey_templates import load_templates

        created = load_templates()
        db.session.commit()
        click.echo(f"Questionnaires préinstallés ajoutés : {len(created)}")
        for survey in created:
            click.echo(f"  {survey.title}")

    @app.cli.command("create-user")
    @click.option("--email", required=True)
    @click.option("--first-name", required=True)
    @click.option("--last-name", required=True)
    @click.option("--role", "roles", multiple=True, required=True, help="admin, quality, trainer, apprentice, tutor")
    @click.password_option()
    def create_user_command(email, first_name, last_name, roles, password):
        """Create an account (the first admin of a new installation, for instance)."""
        from cfa.services.accounts import AccountError, create_user

        try:
            user = create_user(email, first_name, last_name, roles, password=password)
        except (AccountError, ValueError) as error:
            raise click.ClickException(str(error)) from error
        db.session.commit()
        click.echo(f"Compte créé : {user.email}")

    @app.cli.command("create-signing-key")
    @click.option("--replace", is_flag=True, help="Replace the existing key: badges signed before no longer verify.")
    def create_signing_key_command(replace):
        """Create the CFA's Ed25519 key that signs Open Badges, in KEYS_DIR (outside the repository)."""
        from cfa.services.assessment_credentials import create_signing_key

        path, created = create_signing_key(app.config["KEYS_DIR"], replace=replace)
        click.echo(f"Clé de signature {'créée' if created else 'déjà présente'} : {path}")

    @app.cli.command("planning-notices")
    @click.option("--jour", "day", default=None, help="Jour des changements (AAAA-MM-JJ) ; par défaut la veille.")
    def planning_notices_command(day):
        """Put in the outbox one digest per apprentice and tutor of a day's planning changes (run it each night)."""
        from datetime import date, timedelta

        from cfa.formatting import today_paris
        from cfa.services.planning_notices import build_digests

        try:
            when = date.fromisoformat(day) if day else today_paris() - timedelta(days=1)
        except ValueError as error:
            raise click.BadParameter("date attendue au format AAAA-MM-JJ", param_hint="--jour") from error
        waiting = build_digests(when)
        db.session.commit()
        click.echo(f"Récapitulatifs de planning du {when:%d/%m/%Y} en attente d'envoi : {waiting}")

    @app.cli.command("send-mail")
    def send_mail_command():
        """Send the e-mails waiting in the outbox (run it every few minutes from cron or a systemd timer).

        From 18:00 it first queues the reminders of the day's sheets left open (once per sheet)."""
        from cfa.services.notifications import queue_sheet_reminders, send_outbox

        reminders = queue_sheet_reminders(app.config.get("PUBLIC_BASE_URL"))
        db.session.commit()
        if reminders:
            click.echo(f"Rappels de feuilles non closes : {reminders}")
        report = send_outbox(app.config, after_each=db.session.commit)
        click.echo(f"E-mails envoyés : {report.sent} ; en échec (réessayés plus tard) : {report.failed}")

    @app.cli.command("load-qualiopi")
    def load_qualiopi_command():
        """Load (or update) the Qualiopi referential shipped in cfa/data: running it twice changes nothing."""
        from cfa.services.quality_referential import CURRENT_VERSION, load_referential

        added, updated = load_referential()
        db.session.commit()
        click.echo(f"Référentiel {CURRENT_VERSION} : {added} indicateur(s) ajouté(s), {updated} mis à jour.")

    from cfa.services.import_kinds import KINDS

    @app.cli.command("import-data")
    @click.argument("kind", type=click.Choice(list(KINDS)))
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.option("--apply", is_flag=True, help="Import for real; without it, a dry run that writes nothing.")
    @click.option("--by", "by_email", required=True, help="E-mail of the administrator the audit trail names.")
    def import_data_command(kind, path, apply, by_email):
        """Import a CSV or XLSX file (dry run unless --apply): every row or none, audited."""
        from pathlib import Path

        from cfa.models import User
        from cfa.services.import_files import ImportFileError
        from cfa.services.imports import run_import
        from cfa.services.permissions import Ability, can

        actor = db.session.scalar(db.select(User).where(User.email == by_email.lower()))
        if not can(actor, Ability.MANAGE_SETUP):
            raise click.ClickException(f"{by_email} n'est pas le compte actif d'un·e administrateur·rice.")
        try:
            report = run_import(actor, KINDS[kind], Path(path).name, Path(path).read_bytes(), apply=apply)
        except ImportFileError as error:
            raise click.ClickException(str(error)) from error
        for error in report.errors:
            click.echo(f"Ligne {error.row or '–'}, colonne {error.column or '–'} : {error.message}", err=True)
        counts = report.counts
        verb = "Importé" if report.applied else "Essai"
        click.echo(
            f"{verb} : {report.rows} lignes, {counts['create']} créations, {counts['update']} mises à jour, "
            f"{counts['unchanged']} inchangées, {len(report.errors)} erreurs."
        )
        if report.applied:
            db.session.commit()
        elif report.errors:
            raise click.ClickException("Rien n'a été importé : corrigez les erreurs ci-dessus.")

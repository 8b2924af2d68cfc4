"""Small helpers shared by views that show a form."""

from urllib.parse import urlsplit

from flask import render_template, url_for
from flask_wtf import FlaskForm


def form_page(
    form, title: str, subtitle: str | None, cancel_url: str | None, submit_label: str = "Enregistrer", **context
):
    return render_template(
        "form_page.html",
        form=form,
        title=title,
        subtitle=subtitle,
        cancel_url=cancel_url,
        submit_label=submit_label,
        **context,
    )


def posted() -> bool:
    """A POST carrying a valid CSRF token (for buttons that post no other field)."""
    return FlaskForm().validate_on_submit()


def safe_next(target: str | None) -> str:
    """Only a path on this site: never follow a ?next= or a posted `next` to another host."""
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("main.home")

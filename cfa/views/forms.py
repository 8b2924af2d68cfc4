"""Small helpers shared by views that show a form."""

from flask import render_template
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

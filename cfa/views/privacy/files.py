"""The two downloads of a person's data export, shared by their own portal and the admin's person page."""

import json

from flask import Response
from werkzeug.utils import secure_filename

from cfa import storage
from cfa.formatting import today_paris
from cfa.models import User
from cfa.renderers.archive import zip_of
from cfa.renderers.pdf.certificate import certificate_filename, render_certificate
from cfa.renderers.pdf.course_documents import render_end_of_course_attestations
from cfa.services import course_documents as docs
from cfa.services.personal_data import person_documents, person_record
from cfa.views.assessment.documents import verify_url
from cfa.views.downloads import attachment, cfa_identity


def _base_name(person: User) -> str:
    return f"donnees-{secure_filename(person.full_name.lower()) or person.id}"


def _json(person: User) -> bytes:
    return json.dumps(person_record(person, today_paris()), ensure_ascii=False, indent=2).encode()


def data_response(person: User) -> Response:
    return attachment(_json(person), f"{_base_name(person)}.json", "application/json")


def documents_response(person: User) -> Response:
    """One ZIP: the JSON, the proofs of absence as uploaded, each certificate and each attestation de fin de formation."""
    today, identity = today_paris(), cfa_identity()
    store = storage.uploads()
    held = person_documents(person, store, today)
    files = [("donnees.json", _json(person))]
    for name, key in held.proofs:
        try:
            files.append((name, store.get(key)))
        except storage.MissingFile:  # deleted by a retention run since it was listed
            continue
    files += [
        (f"certificats/{certificate_filename(a)}", render_certificate(a, identity, verify_url(a))) for a in held.awards
    ]
    for enrolment in held.finished_courses:
        periods = docs.end_of_course_periods([enrolment], enrolment.cohort)
        body = render_end_of_course_attestations(periods, identity, today)
        files.append((f"attestations/{secure_filename(enrolment.cohort.name) or enrolment.id}.pdf", body))
    return attachment(zip_of(files), f"{_base_name(person)}.zip", "application/zip")

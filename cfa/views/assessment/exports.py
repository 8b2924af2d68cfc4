"""A jury session's results as a spreadsheet: one row per candidate, one column per CCP (skill block), the decision,
for the certifier's report, the funders and the CFA's own files."""

from flask import abort

from cfa.renderers.spreadsheets import Field
from cfa.services.juries import capitalised_by_candidate, load_jury, sorted_candidates
from cfa.services.permissions import Ability
from cfa.views.access import requires
from cfa.views.assessment import bp
from cfa.views.downloads import export


def _verdict(block_id: int, held: set[int]):
    def read(candidate) -> str | None:
        if block_id in held.get(candidate.id, set()):
            return "Capitalisé"
        verdict = next((r.acquired for r in candidate.block_results if r.skill_block_id == block_id), None)
        return None if verdict is None else ("Acquis" if verdict else "Non acquis")

    return read


def result_fields(jury) -> list[Field]:
    held = capitalised_by_candidate(jury)
    return [
        Field("Nom", lambda c: c.enrolment.apprentice.last_name),
        Field("Prénom", lambda c: c.enrolment.apprentice.first_name),
        *(Field(f"{b.code} – {b.title}", _verdict(b.id, held)) for b in jury.cohort.programme.skill_blocks),
        Field("Décision", lambda c: c.decision),
        Field("Convoqué·e le", lambda c: c.convened_at),
    ]


@bp.route("/jurys/<int:jury_id>/resultats.<fmt>")
@requires(Ability.MANAGE_JURY, Ability.MANAGE_QUALITY)
def export_jury_results(jury_id: int, fmt: str):
    jury = load_jury(jury_id) or abort(404)
    name = f"Résultats {jury.cohort.name} {jury.date:%d-%m-%Y}"
    return export(fmt, name, result_fields(jury), sorted_candidates(jury))

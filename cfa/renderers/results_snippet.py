"""The self-contained HTML fragment a CFA pastes into its own website to publish a programme's results: inline
styles (the CFA's site has its own stylesheet), no script, no link back to Cadence. Built here rather than in a
template because Cadence's own pages never carry inline styles (their Content-Security-Policy refuses them)."""

from markupsafe import escape

from cfa.services.public_results import PublicResults

CELL = "padding: 4px; border-top: 1px solid #eef2f6;"


def _value(rate) -> str:
    if rate.insufficient:
        return "effectif insuffisant"
    return "non disponible" if rate.percent is None else f"{rate.percent} %"


def render(results: PublicResults) -> str:
    rows = []
    for rate in results.rates + results.satisfaction:
        population = (
            "" if rate.population is None else f"sur {rate.population} personne{'s' if rate.population != 1 else ''}"
        )
        rows.append(
            f'    <tr><td style="{CELL}">{escape(rate.label)}</td>'
            f'<td style="{CELL} text-align: right; white-space: nowrap;"><strong>{escape(_value(rate))}</strong></td>'
            f'<td style="{CELL} color: #5b6475; font-size: 0.85em;">{escape(population)}</td></tr>'
        )
    return "\n".join(
        [
            '<div class="cadence-resultats" style="font-family: sans-serif; border: 1px solid #c9d1dc; '
            'border-radius: 8px; padding: 12px; max-width: 640px;">',
            f'  <h3 style="margin: 0 0 8px;">{escape(results.programme.title)} — résultats {results.year}</h3>',
            '  <table style="border-collapse: collapse; width: 100%;">',
            *rows,
            "  </table>",
            f'  <p style="color: #5b6475; font-size: 0.8em; margin: 8px 0 0;">{escape(results.organisation)} — '
            f"mis à jour le {results.updated_on:%d/%m/%Y} ; en dessous de {results.threshold} personnes, "
            "un taux n'est pas publié.</p>",
            "</div>",
        ]
    )

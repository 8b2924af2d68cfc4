"""The shape the whole code keeps (docs/architecture.md): small modules, thin views, services without HTTP,
renderers or commits, and a formatter that formats everything."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CFA = ROOT / "cfa"
PYTHON = sorted(p for folder in ("cfa", "tests", "scripts", "migrations") for p in (ROOT / folder).rglob("*.py"))
SERVICES = sorted((CFA / "services").glob("*.py"))


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_no_module_of_the_application_exceeds_four_hundred_lines():
    long = {_rel(p): n for p in CFA.rglob("*.py") if (n := len(p.read_text().splitlines())) > 400}
    assert long == {}


def test_no_view_exceeds_twenty_five_lines():
    long = {}
    for path in (CFA / "views").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            is_route = isinstance(node, ast.FunctionDef) and any(
                isinstance(d, ast.Call) and getattr(d.func, "attr", "") == "route" for d in node.decorator_list
            )
            if is_route and (size := node.end_lineno - node.lineno + 1) > 25:
                long[f"{_rel(path)}:{node.name}"] = size
    assert long == {}


@pytest.mark.parametrize("path", SERVICES, ids=lambda p: p.name)
def test_a_service_neither_reads_the_request_nor_imports_a_renderer_nor_commits(path):
    tree = ast.parse(path.read_text())
    imported = {
        (node.module or "") + "." + alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert not any(name.startswith("cfa.renderers") for name in imported)
    assert "flask.request" not in imported
    commits = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "commit"
    ]
    assert commits == []


def test_the_formatter_formats_everything_and_forward_references_are_real_imports():
    markers = ("fmt: " + "skip", "noqa: " + "F821")
    found = [f"{_rel(p)}: {m}" for p in PYTHON for m in markers if m in p.read_text()]
    assert found == []


def test_every_route_declares_who_may_open_it(app):
    """`requires`, `signed_in`, `public`, `token_required` (the API) or a blueprint guard (cfa/views/access.py): a
    new route without one fails."""
    undeclared = []
    for endpoint, view in app.view_functions.items():
        blueprint = app.blueprints.get(endpoint.rpartition(".")[0])
        declared = (
            hasattr(view, "required_abilities")
            or getattr(view, "public", False)
            or hasattr(view, "token_scope")
            or hasattr(blueprint, "required_abilities")
        )
        if endpoint != "static" and not declared:
            undeclared.append(endpoint)
    assert undeclared == []


def test_a_proof_url_answers_an_anonymous_visitor_the_same_whether_it_exists_or_not(client):
    from tests import factories as f

    justification = f.JustificationFactory()
    known = client.get(f"/emargement/justificatifs/{justification.id}/piece")
    unknown = client.get("/emargement/justificatifs/999999/piece")
    assert (known.status_code, known.location) == (
        unknown.status_code,
        unknown.location.replace("999999", str(justification.id)),
    )
    assert known.status_code == 302

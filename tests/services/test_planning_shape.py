"""The planning services keep the shape of the rest of the code: small modules, small steps, no renderer and no
request inside a service, views that only parse, call one service, commit and render."""

import ast
from pathlib import Path

import pytest

CFA = Path(__file__).parents[2] / "cfa"
SERVICES = sorted(
    path
    for pattern in ("calendar_*.py", "plann*.py", "replanning.py", "conflicts.py", "session_checks.py", "feeds.py")
    for path in (CFA / "services").glob(pattern)
)
VIEWS = sorted((CFA / "views" / "planning").glob("*.py"))


def functions(path: Path):
    return [node for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.FunctionDef)]


def complexity(function: ast.FunctionDef) -> int:
    """McCabe's count, as radon gives it: one, plus one per branch, loop, handler and boolean operand."""
    branches = (ast.If, ast.For, ast.While, ast.ExceptHandler, ast.IfExp, ast.With, ast.Assert, ast.comprehension)
    count = 1
    for node in ast.walk(function):
        if isinstance(node, branches):
            count += 1 + (len(node.ifs) if isinstance(node, ast.comprehension) else 0)
        elif isinstance(node, ast.BoolOp):
            count += len(node.values) - 1
    return count


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    return names | {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}


@pytest.mark.parametrize("path", SERVICES, ids=lambda p: p.name)
def test_a_planning_service_stays_under_four_hundred_lines(path):
    assert len(path.read_text().splitlines()) <= 400


@pytest.mark.parametrize("path", SERVICES, ids=lambda p: p.name)
def test_a_planning_service_neither_imports_a_renderer_or_flask_nor_commits(path):
    modules = imported_modules(path)
    assert not [m for m in modules if m.startswith(("cfa.renderers", "flask"))]
    assert ".commit(" not in path.read_text()


def test_calendar_generation_is_made_of_small_steps():
    steps = functions(CFA / "services" / "calendar_generation.py")
    assert {s.name for s in steps} >= {"plan", "plan_week", "_closed_week", "_course_week", "_fill_day", "_field_week"}
    assert max(complexity(s) for s in steps) <= 10


@pytest.mark.parametrize("path", VIEWS, ids=lambda p: p.name)
def test_a_planning_view_function_stays_within_25_lines(path):
    long = {f.name: f.end_lineno - f.lineno + 1 for f in functions(path) if f.end_lineno - f.lineno + 1 > 25}
    assert long == {}


FORMATTED = [
    *SERVICES,
    *VIEWS,
    *(CFA / "models" / f"{name}.py" for name in ("planning", "programmes", "centres", "enrolments", "people")),
    *(CFA / "models" / f"{name}.py" for name in ("quality", "audit")),
    CFA / "renderers" / "ical.py",
    *(Path(__file__).parent / f"test_{name}.py" for name in ("planning", "planning_notices", "calendar_generation")),
    Path(__file__).parents[1] / "views" / "test_feeds.py",
]


@pytest.mark.parametrize("path", FORMATTED, ids=lambda p: p.name)
def test_the_formatter_formats_and_forward_references_are_real_imports(path):
    text = path.read_text()
    assert "fmt: " + "skip" not in text and "noqa: " + "F821" not in text

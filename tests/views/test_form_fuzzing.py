"""Hostile values posted to every form of the application, as found on its pages by the people who use them:
never a 500, and a refused submission (an error status, or the form shown again with its errors) writes nothing.
Each form is also sent with a NUL character in every field, which no PostgreSQL text column can store.

The forms are read from the HTML of every page each person can open, so a new form is fuzzed the day it is
written. Hypothesis draws the values; the run is derandomised so that CI and a developer see the same cases.
"""

from html.parser import HTMLParser
from urllib.parse import urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.views.test_access_matrix import world  # noqa: F401 (fixture)
from tests.views.test_access_matrix_posts import _fingerprint

# The administration comes last: its forms may change the other fuzzers (e-mail, activation, password).
FUZZERS = ["trainer", "apprentice", "tutor", "quality", "admin"]
# Forms that end the fuzzer's own session rather than change data.
SKIPPED_ACTIONS = {"/deconnexion", "/sessions/terminer"}
HOSTILE = [
    "",
    " ",
    "0",
    "-1",
    "99999999999999999999",
    "1e309",
    "NaN",
    "9999-12-31",
    "0001-01-01",
    "2025-02-30",
    "31/12/2025",
    "25:61",
    '\'; DROP TABLE "user"; --',
    "<script>alert(1)</script>",
    "\x00",
    "a\x00b",
    "é" * 5000,
    "\u202e",
    "%s%n",
    "../../etc/passwd",
    "present",
    "absent",
    "late",
]
VALUES = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)


class _Forms(HTMLParser):
    """The POST forms of a page: (action, {field: the value the page fills it with})."""

    def __init__(self, page_url: str):
        super().__init__()
        self.page_url = page_url
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._current: tuple[str, dict[str, str]] | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {key: value or "" for key, value in attrs}
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self._current = (urlsplit(attrs.get("action") or self.page_url).path, {})
            return
        if self._current is None:
            return
        fields, name = self._current[1], attrs.get("name")
        if tag == "input" and name and name != "csrf_token":
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                fields[name] = attrs.get("value", "")
            else:
                fields.setdefault(name, "")
        elif tag == "select" and name:
            self._select = name
            fields.setdefault(name, "")
        elif tag == "option" and self._select and (not fields[self._select] or "selected" in attrs):
            fields[self._select] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            fields[name] = ""

    def handle_data(self, data):
        if self._textarea and self._current is not None:
            self._current[1][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self._current is not None:
            self.forms.append(self._current)
            self._current = None


def _forms_of(app, client, people, records, by_kind):
    """{(person, action): the form's own values} over every GET page each fuzzing person opens."""
    from tests.views.test_access_matrix import _pages

    found = {}
    for person in FUZZERS:
        client.login(people[person])
        for _endpoint, url, _arguments in _pages(app, records, by_kind):
            response = client.get(url)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            parser = _Forms(url)
            parser.feed(response.get_data(as_text=True))
            for action, fields in parser.forms:
                if action not in SKIPPED_ACTIONS and fields:
                    found.setdefault((person, action), fields)
        client.logout()
    return found


def _refused(response) -> bool:
    return response.status_code >= 400 or (
        response.status_code == 200 and b'aria-invalid="true"' in response.get_data()
    )


def _fuzz(client, person: str, action: str, fields: dict[str, str], tally: dict) -> None:
    """The form as the page fills it, with one to three of its fields replaced by hostile values: an edit form
    then passes its other checks, and the hostile value goes as deep as it can."""

    @settings(
        max_examples=8,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.fixed_dictionaries(dict.fromkeys(fields, VALUES)))
    def post_hostile(data):
        before = _fingerprint()
        response = client.post(action, data=data)
        where = f"{person} POST {action} {data!r}"
        assert response.status_code < 500, f"{where}: {response.status_code}"
        tally["posted"] += 1
        if _refused(response):
            tally["refused"] += 1
            assert _fingerprint() == before, f"{where}: refused ({response.status_code}), yet something was written"

    post_hostile()
    # A NUL character fits no PostgreSQL text column: every form refuses it at the door, whatever the field.
    before = _fingerprint()
    response = client.post(action, data={name: value + "\x00" for name, value in fields.items()})
    assert response.status_code == 400 and _fingerprint() == before, f"{person} POST {action} with NUL"


def test_hostile_values_in_every_form_never_break_the_app_and_a_refused_submission_writes_nothing(app, client, request):
    records, people, by_kind = request.getfixturevalue("world")
    forms = _forms_of(app, client, people, records, by_kind)
    assert len(forms) >= 30, sorted(forms)
    tally = {"posted": 0, "refused": 0}
    for person in FUZZERS:
        client.login(people[person])
        for action, fields in sorted((action, fields) for (who, action), fields in forms.items() if who == person):
            _fuzz(client, person, action, fields, tally)
        client.logout()
    assert tally["refused"] > tally["posted"] // 2, tally

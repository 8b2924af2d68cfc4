"""Form pages, as sent and after a refused submission: no ARIA attribute carries the text "None" (a screen reader
would announce every field as invalid), and the fields in error point to their message."""

import re

import pytest

from tests import factories as f

# (who, page): the page is opened, then posted empty so that its required fields are refused.
FORM_PAGES = [
    (None, "/connexion"),
    (None, "/verify"),
    ("admin", "/admin/employeurs/nouveau"),
    ("admin", "/admin/centres/nouveau"),
    ("apprentice", "/moi/presences"),
    ("apprentice", "/mot-de-passe"),
]


def _user(who):
    if who == "admin":
        return f.UserFactory.admin()
    if who == "apprentice":
        return f.EnrolmentFactory().apprentice
    return None


@pytest.mark.parametrize(("who", "path"), FORM_PAGES, ids=[path for _, path in FORM_PAGES])
def test_a_form_page_never_writes_none_into_an_attribute(client, who, path):
    if user := _user(who):
        client.login(user)
    shown = client.get(path)
    assert shown.status_code == 200
    refused = client.post(path, data={})
    assert refused.status_code == 200, "an empty form is shown again with its errors"
    for response in (shown, refused):
        assert '="None"' not in response.text
    assert 'aria-invalid="true"' in refused.text
    for described in re.findall(r'aria-describedby="([^"]*)"', refused.text):
        for target in described.split():
            assert f'id="{target}"' in refused.text, f"{path}: aria-describedby names a missing #{target}"


def test_a_valid_field_carries_no_invalid_state(client):
    page = client.get("/connexion").text
    email = re.search(r"<input[^>]*id=\"email\"[^>]*>", page).group(0)
    assert "aria-invalid" not in email and "aria-describedby" not in email

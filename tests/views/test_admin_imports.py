"""The imports page: a file is tried, its errors shown by row and column, then imported on confirmation."""

import io

import sqlalchemy as sa
from openpyxl import load_workbook

from cfa.extensions import db
from cfa.models import AuditEvent, User
from tests import factories as f

HEADER = "Nom;Prénom;E-mail"


def upload(client, lines, kind="apprentices", filename="apprentis.csv"):
    data = ("\r\n".join(lines) + "\r\n").encode("cp1252")
    return client.post(
        "/admin/imports",
        data={"kind": kind, "upload": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def hidden(page: str, name: str) -> str:
    return page.split(f'name="{name}" type="hidden" value="')[1].split('"')[0]


def test_an_admin_tries_a_file_then_confirms_it_and_every_row_is_imported(login):
    client = login(f.UserFactory.admin())
    response = upload(client, [HEADER, "Durand;Léa;lea@exemple.fr", "Morel;Inès;ines@exemple.fr"])
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Importer ces 2 lignes" in page
    assert "ferait 2 création(s), 0 mise(s) à jour ;" in page
    assert db.session.scalar(sa.select(User).where(User.email == "lea@exemple.fr")) is None
    confirm = {name: hidden(page, name) for name in ("kind", "digest", "filename")}
    response = client.post("/admin/imports/confirmer", data=confirm)
    assert response.status_code == 302
    assert db.session.scalar(sa.select(User.first_name).where(User.email == "ines@exemple.fr")) == "Inès"
    listing = client.get("/admin/imports").get_data(as_text=True)
    assert "Import terminé : 2 création(s)" in listing
    assert '<td>apprentis.csv</td>\n      <td class="num">2</td><td class="num">0</td><td class="num">0</td>' in listing
    again = client.post("/admin/imports/confirmer", data=confirm)  # the kept file went with the import
    assert again.status_code == 302
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.entity == "import")) == 1
    )


def test_errors_are_listed_by_row_and_column_and_nothing_can_be_confirmed(login):
    client = login(f.UserFactory.admin())
    page = upload(client, [HEADER, "Durand;Léa;lea@exemple.fr", "Morel;;ines"]).get_data(as_text=True)
    assert "2 erreurs : rien n'a été enregistré" in page
    assert '<td class="num">3</td><td>Prénom</td>' in page and "Importer ces" not in page


def test_a_forged_confirmation_imports_nothing(login):
    client = login(f.UserFactory.admin())
    response = client.post(
        "/admin/imports/confirmer", data={"kind": "apprentices", "digest": "0" * 64, "filename": "x.csv"}
    )
    assert response.status_code == 302
    assert "plus disponible" in client.get("/admin/imports").get_data(as_text=True)


def test_an_unreadable_file_is_refused_on_the_form(login):
    client = login(f.UserFactory.admin())
    response = client.post(
        "/admin/imports",
        data={"kind": "employers", "upload": (io.BytesIO(b"PK\x03\x04 broken"), "employeurs.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200 and "classeur XLSX lisible" in response.get_data(as_text=True)


def test_each_kind_has_a_template_with_its_french_headers(login):
    client = login(f.UserFactory.admin())
    response = client.get("/admin/imports/modeles/enrolments.xlsx")
    book = load_workbook(io.BytesIO(response.data))
    headers = [cell.value for cell in book["Données"][1]]
    assert headers[:2] == ["E-mail de l'apprenti·e *", "Promotion *"] and "E-mail du tuteur" in headers
    assert client.get("/admin/imports/modeles/inconnu.xlsx").status_code == 404


def test_only_the_administration_imports(login):
    for person in (f.UserFactory.quality(), f.UserFactory.trainer(), f.UserFactory.tutor()):
        client = login(person)
        assert client.get("/admin/imports").status_code == 403
        assert upload(client, [HEADER, "Durand;Léa;lea@exemple.fr"]).status_code == 403
        client.logout()
    assert db.session.scalar(sa.select(User).where(User.email == "lea@exemple.fr")) is None

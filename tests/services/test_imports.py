"""Imports from spreadsheets: a dry run that writes nothing, then every row or none, and the same file twice
changes nothing."""

import io
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from cfa.extensions import db
from cfa.models import AuditEvent, Employer, Enrolment, Role, User
from cfa.services.import_files import ImportFileError
from cfa.services.import_kinds import KINDS
from cfa.services.imports import run_import
from tests import factories as f
from tests.factories import valid_siret

APPRENTICE_HEADER = "Nom;Prénom;E-mail;Téléphone;Date de naissance"


def csv_bytes(lines: list[str], encoding: str = "utf-8", separator: str = ";") -> bytes:
    text = "\r\n".join(line.replace(";", separator) for line in lines) + "\r\n"
    return text.encode(encoding)


def xlsx_bytes(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def apprentices(n: int) -> list[str]:
    return [APPRENTICE_HEADER] + [f"Durand;Élodie {i};elodie.{i}@exemple.fr;;0{i % 9 + 1}/03/2005" for i in range(n)]


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def importing(kind, data, filename="import.csv", apply=True, actor=None):
    return run_import(actor or f.UserFactory.admin(), KINDS[kind], filename, data, apply=apply)


def test_a_dry_run_lists_what_it_would_create_and_writes_nothing():
    people_before = count(User)
    report = importing("apprentices", csv_bytes(apprentices(3)), apply=False)
    assert report.ok and not report.applied
    assert report.counts == {"create": 3, "update": 0, "unchanged": 0}
    assert [action.row for action in report.actions] == [2, 3, 4]
    assert count(User) == people_before + 1  # the admin who imports, nobody else


def test_a_dry_run_lists_every_row_error_in_french_with_its_row_and_column():
    f.UserFactory.admin(email="deja@exemple.fr")
    lines = [
        APPRENTICE_HEADER,
        "Durand;Léa;lea@exemple.fr;;",
        ";Paul;pas-une-adresse;;",
        "Morel;Inès;lea@exemple.fr;;31/02/2005",
        "Roux;Jean;deja@exemple.fr;;",
    ]
    report = importing("apprentices", csv_bytes(lines), apply=False)
    found = {(e.row, e.column) for e in report.errors}
    assert found == {
        (3, "Nom"),
        (3, "E-mail"),
        (4, "E-mail"),
        (4, "Date de naissance"),
        (5, "E-mail"),
    }
    messages = " ".join(e.message for e in report.errors)
    assert "figure déjà ligne 2 du fichier" in messages
    assert "déjà le compte d'une autre personne (Administration)" in messages
    assert "n'est pas une date" in messages


def test_a_bad_row_in_the_middle_leaves_the_database_untouched():
    people_before, events_before = count(User), count(AuditEvent)
    lines = apprentices(5)
    lines[3] = "Durand;;sans-prenom@exemple.fr;;"
    report = importing("apprentices", csv_bytes(lines))
    assert not report.applied
    assert [(e.row, e.column) for e in report.errors] == [(4, "Prénom")]
    assert count(User) == people_before + 1 and count(AuditEvent) == events_before


def test_an_import_creates_every_row_audits_it_and_the_same_file_again_changes_nothing():
    admin = f.UserFactory.admin()
    data = csv_bytes(apprentices(4))
    report = importing("apprentices", data, "apprentis.csv", actor=admin)
    assert report.applied and report.counts["create"] == 4
    created = db.session.scalars(sa.select(User).where(User.email.like("elodie.%"))).all()
    assert len(created) == 4 and all(p.roles == {Role.APPRENTICE} and p.password_hash is None for p in created)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.entity == "import"))
    assert (event.actor_id, event.entity_id) == (admin.id, event.id)
    assert event.after == {"kind": "apprentices", "file": "apprentis.csv", "sha256": report.digest} | {
        "create": 4,
        "update": 0,
        "unchanged": 0,
    }
    assert count(AuditEvent) == 5
    again = importing("apprentices", data, "apprentis.csv", actor=admin)
    assert again.counts == {"create": 0, "update": 0, "unchanged": 4}
    assert count(User) == 5


def test_a_changed_cell_updates_the_person_found_by_their_email():
    person = f.UserFactory.apprentice(email="elodie.0@exemple.fr", phone=None)
    report = importing("apprentices", csv_bytes([APPRENTICE_HEADER, "Durand;Élodie;ELODIE.0@exemple.fr;0611;"]))
    assert report.counts["update"] == 1
    assert (person.phone, person.first_name) == ("0611", "Élodie")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("separator", [";", ","])
def test_csv_in_both_encodings_and_both_separators(encoding, separator):
    report = importing("apprentices", csv_bytes(apprentices(2), encoding, separator))
    assert report.ok and report.counts["create"] == 2
    person = db.session.scalar(sa.select(User).where(User.email == "elodie.1@exemple.fr"))
    assert (person.first_name, person.birth_date) == ("Élodie 1", date(2005, 3, 2))


def test_xlsx_with_typed_dates_and_numbers():
    siret = valid_siret(777)
    rows = [
        ["Raison sociale", "SIRET", "Type", "Code postal"],
        ["Ville de Vitré", int(siret), "Collectivité", 35500],
    ]
    report = importing("employers", xlsx_bytes(rows), "employeurs.xlsx")
    assert report.ok, report.errors
    employer = db.session.scalar(sa.select(Employer).where(Employer.siret == siret))
    assert (employer.name, employer.postcode, employer.kind.value) == ("Ville de Vitré", "35500", "city")


def test_employers_refuse_an_invalid_siret_and_an_unknown_type():
    lines = ["Raison sociale;SIRET;Type", "Mairie;123 456 789 00012;Collectivité", "Asso;" + valid_siret(5) + ";Club"]
    report = importing("employers", csv_bytes(lines))
    assert [(e.row, e.column) for e in report.errors] == [(2, "SIRET"), (3, "Type")]
    assert "clé de contrôle" in report.errors[0].message


def test_a_missing_column_is_reported_before_any_row():
    report = importing("apprentices", csv_bytes(["Nom;Prénom", "Durand;Léa"]))
    assert [(e.row, e.column) for e in report.errors] == [(1, "E-mail")]


def test_a_file_that_is_no_table_is_refused_in_french():
    with pytest.raises(ImportFileError, match="classeur XLSX"):
        importing("apprentices", b"PK\x03\x04 broken", "x.xlsx")


def test_tutors_belong_to_an_employer_known_by_its_siret():
    employer = f.EmployerFactory()
    other = f.UserFactory.tutor(email="autre@exemple.fr")
    lines = [
        "Nom;Prénom;E-mail;SIRET de l'employeur;Fonction",
        f"Petit;Anne;anne@exemple.fr;{employer.siret};Cheffe de service",
        f"Blanc;Marc;autre@exemple.fr;{employer.siret};",
        f"Noir;Yves;yves@exemple.fr;{valid_siret(999)};",
    ]
    report = importing("tutors", csv_bytes(lines), apply=False)
    assert [(e.row, e.column) for e in report.errors] == [(3, "SIRET de l'employeur"), (4, "SIRET de l'employeur")]
    assert other.employer_id != employer.id


def test_enrolments_check_the_cohort_the_tutor_and_the_dates():
    f.CohortFactory(name="MSADS Rennes")
    employer, other_employer = f.EmployerFactory(), f.EmployerFactory()
    f.UserFactory.tutor(email="tuteur@exemple.fr", employer=employer)
    f.UserFactory.tutor(email="ailleurs@exemple.fr", employer=other_employer)
    for n in range(4):
        f.UserFactory.apprentice(email=f"a{n}@exemple.fr")
    header = "E-mail de l'apprenti·e;Promotion;SIRET de l'employeur;E-mail du tuteur;Début du contrat;Fin du contrat"
    lines = [
        header,
        f"a0@exemple.fr;MSADS Rennes;{employer.siret};tuteur@exemple.fr;15/09/2025;14/08/2026",
        f"a1@exemple.fr;Promo inconnue;{employer.siret};tuteur@exemple.fr;15/09/2025;14/08/2026",
        f"a2@exemple.fr;MSADS Rennes;{employer.siret};ailleurs@exemple.fr;15/09/2025;14/08/2026",
        f"a3@exemple.fr;MSADS Rennes;{employer.siret};;01/09/2026;01/09/2027",
    ]
    report = importing("enrolments", csv_bytes(lines))
    assert [(e.row, e.column) for e in report.errors] == [
        (3, "Promotion"),
        (4, "E-mail du tuteur"),
        (5, "Début du contrat"),
    ]
    assert "n'appartient pas à l'employeur" in report.errors[1].message
    assert count(Enrolment) == 0
    good = csv_bytes(lines[:2])
    assert importing("enrolments", good).counts["create"] == 1
    assert importing("enrolments", good).counts["unchanged"] == 1
    assert db.session.scalar(sa.select(Enrolment.contract_end)) == date(2026, 8, 14)
    without_tutor = csv_bytes([header, "a0@exemple.fr;MSADS Rennes;;;15/09/2025;31/07/2026"])
    assert importing("enrolments", without_tutor).counts["update"] == 1
    enrolment = db.session.scalar(sa.select(Enrolment))
    assert (enrolment.contract_end, enrolment.tutor.email) == (date(2026, 7, 31), "tuteur@exemple.fr")


def test_trainees_are_registered_in_a_short_course_run_once():
    run = f.ShortCourseRunFactory(name="Socle mars", start_date=date(2099, 3, 2), end_date=date(2099, 3, 13))
    employer = f.EmployerFactory()
    lines = [
        "Nom;Prénom;E-mail;SIRET de l'employeur;Session",
        f"Leroy;Sami;;{employer.siret};Socle mars",
        "Faure;Lou;lou@exemple.fr;;Socle mars",
    ]
    data = csv_bytes(lines)
    assert importing("trainees", data).counts["create"] == 2
    assert importing("trainees", data).counts["unchanged"] == 2
    assert count(Enrolment) == 2
    assert {e.employer_id for e in run.enrolments} == {employer.id, None}


def test_the_command_tries_by_default_and_imports_with_apply(app, tmp_path):
    admin = f.UserFactory.admin(email="admin@exemple.fr")
    path = tmp_path / "apprentis.csv"
    path.write_bytes(csv_bytes(apprentices(3), "cp1252"))
    runner = app.test_cli_runner()
    tried = runner.invoke(args=["import-data", "apprentices", str(path), "--by", admin.email])
    assert tried.exit_code == 0 and "Essai : 3 lignes, 3 créations" in tried.output
    assert count(User) == 1
    done = runner.invoke(args=["import-data", "apprentices", str(path), "--by", admin.email, "--apply"])
    assert done.exit_code == 0 and "Importé : 3 lignes, 3 créations" in done.output
    assert count(User) == 4
    refused = runner.invoke(args=["import-data", "apprentices", str(path), "--by", "personne@exemple.fr"])
    assert refused.exit_code != 0 and "administrateur" in refused.output


def test_what_an_import_looks_up_is_loaded_once_whatever_the_number_of_rows(count_queries):
    admin = f.UserFactory.admin()
    sizes = {}
    for first, n in ((0, 10), (100, 60)):
        lines = [APPRENTICE_HEADER] + [f"Durand;Léa;lea.{first + i}@exemple.fr;;" for i in range(n)]
        with count_queries() as queries:
            assert importing("apprentices", csv_bytes(lines), actor=admin).counts["create"] == n
        sizes[n] = len([query for query in queries if query.lstrip().upper().startswith("SELECT")])
    assert sizes[60] == sizes[10], sizes


def test_the_file_name_kept_in_the_audit_trail_has_no_control_character():
    report = importing("apprentices", csv_bytes(apprentices(1)), "a\x00pprentis\n.csv")
    assert report.filename == "apprentis.csv"

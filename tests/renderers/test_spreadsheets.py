"""Lists as spreadsheets: typed cells, formulas kept as text, rows produced as they come."""

import csv
import io
from datetime import UTC, date, datetime

from openpyxl import load_workbook

from cfa.renderers import spreadsheets
from cfa.renderers.spreadsheets import Hours


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_a_text_a_spreadsheet_would_run_as_a_formula_is_kept_as_text():
    for dangerous in ("=1+2", "+33 6", "-2", "@SUM(A1)", "\tcmd", "\rcmd"):
        assert spreadsheets.neutralise(dangerous) == "'" + dangerous
    assert spreadsheets.neutralise("Brest") == "Brest"


def test_the_csv_writes_dates_and_hours_as_a_french_spreadsheet_reads_them():
    rows = [['=HYPERLINK("x")', date(2026, 9, 7), Hours.of(90), 3, None, True]]
    data = spreadsheets.csv_of(["Nom", "Le", "Heures", "Nombre", "Vide", "Actif"], rows)
    assert data.startswith("\ufeff".encode())
    assert read_csv(data) == [
        ["Nom", "Le", "Heures", "Nombre", "Vide", "Actif"],
        ['\'=HYPERLINK("x")', "07/09/2026", "1,50", "3", "", "oui"],
    ]


def test_the_xlsx_keeps_dates_as_dates_and_hours_as_numbers():
    moment = datetime(2026, 9, 7, 7, 5, tzinfo=UTC)
    rows = [["@cmd", date(2026, 9, 7), Hours.of(45), 12, moment]]
    book = load_workbook(io.BytesIO(spreadsheets.xlsx_of("Liste : essai", ["A", "B", "C", "D", "E"], rows)))
    sheet = book.active
    assert sheet.title == "Liste   essai"
    header, row = sheet.iter_rows(values_only=True)
    assert header == ("A", "B", "C", "D", "E")
    assert row[0] == "'@cmd"
    assert row[1] == datetime(2026, 9, 7)  # a date cell (openpyxl reads dates back as datetimes)
    assert sheet["B2"].is_date and sheet["B2"].number_format == "DD/MM/YYYY"
    assert row[2] == 0.75 and sheet["C2"].data_type == "n"
    assert row[3] == 12
    assert row[4] == datetime(2026, 9, 7, 9, 5)  # Paris time, as the app shows it


def test_the_csv_is_produced_in_chunks_as_rows_come():
    produced = []

    def rows():
        for n in range(spreadsheets.CHUNK_ROWS * 2 + 1):
            produced.append(n)
            yield [n]

    stream = spreadsheets.csv_stream(["N"], rows())
    first = next(stream)
    assert len(produced) == spreadsheets.CHUNK_ROWS  # the first chunk leaves before the other rows are read
    assert len(read_csv(first + b"".join(stream))) == 1 + spreadsheets.CHUNK_ROWS * 2 + 1


def test_a_long_list_is_written_without_holding_its_rows_in_memory():
    import tracemalloc

    def rows():
        for n in range(4_000):
            yield [f"Apprenti {n}", "x" * 1_000, date(2026, 9, 7), Hours.of(n), n]

    tracemalloc.start()
    try:
        with spreadsheets.csv_file(["A", "B", "C", "D", "E"], rows()) as target:
            assert target.seek(0, 2) > 4_000 * 1_000  # more than 4 MB written to disk
        with spreadsheets.xlsx_file("Long", ["A", "B", "C", "D", "E"], rows()) as target:
            assert target.seek(0, 2) > 100_000
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 3_000_000  # a few batches of rows, never the whole file

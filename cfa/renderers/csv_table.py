"""Lists as CSV files a spreadsheet opens in French: semicolons, UTF-8 with its byte-order mark."""

import csv
import io
from collections.abc import Iterable, Sequence


def csv_of(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(["" if value is None else value for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")

"""Files the app hands out (PDFs, ZIPs): one way to name them, accents included (RFC 6266 / 5987)."""

from io import BytesIO

from flask import Response, send_file


def attachment(data: bytes, filename: str, mimetype: str, inline: bool = False) -> Response:
    response = send_file(BytesIO(data), mimetype=mimetype, as_attachment=not inline, download_name=filename)
    response.headers["Cache-Control"] = "private, no-store"  # personal documents: never in a shared cache
    return response

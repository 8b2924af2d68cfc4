"""A form whose upload is over the size limit. Werkzeug refuses such a body before reading it, so the form's
text fields are read back here from the start of the body (a browser sends the fields in the form's order, the
file last): the page can show the form again with what was typed and the refusal beside the file field."""

from flask import Request
from werkzeug.datastructures import MultiDict
from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import Data, Field, File, MultipartDecoder, NeedData

HEAD_BYTES = 64 * 1024  # far more than the text fields of a form
# Read and dropped, so that the browser, still sending, receives the answer instead of a reset connection.
DRAIN_CEILING = 256 * 1024 * 1024
CHUNK = 1024 * 1024


def text_fields(request: Request) -> MultiDict:
    """The text fields sent before the first file of an oversized multipart body (an empty dict otherwise)."""
    stream = request.environ["wsgi.input"]
    length = request.content_length or 0
    head = stream.read(min(length, HEAD_BYTES)) if length else b""
    _drain(stream, min(length, DRAIN_CEILING) - len(head))
    mimetype, options = parse_options_header(request.headers.get("Content-Type", ""))
    if mimetype != "multipart/form-data" or not options.get("boundary"):
        return MultiDict()
    return _fields_before_first_file(options["boundary"].encode(), head)


def _drain(stream, remaining: int) -> None:
    while remaining > 0:
        chunk = stream.read(min(CHUNK, remaining))
        if not chunk:
            return
        remaining -= len(chunk)


def _fields_before_first_file(boundary: bytes, head: bytes) -> MultiDict:
    decoder = MultipartDecoder(boundary, max_form_memory_size=HEAD_BYTES)
    fields: MultiDict = MultiDict()
    name, value = None, b""
    try:
        decoder.receive_data(head)
        while True:
            event = decoder.next_event()
            if isinstance(event, Field):
                name, value = event.name, b""
            elif isinstance(event, Data) and name is not None:
                value += event.data
                if not event.more_data:
                    fields.add(name, value.decode("utf-8", "replace"))
                    name = None
            elif isinstance(event, (File, NeedData)):
                return fields
    except ValueError:  # a body cut short or malformed: what was read so far
        return fields

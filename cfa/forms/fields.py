"""Form fields shared by several areas."""

import re

from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.widgets import CheckboxInput, ListWidget

from cfa.formatting import euros, minutes_label

DURATION = re.compile(r"^\s*(\d{1,4})\s*(?:(?:h|:)\s*(\d{1,2})?\s*(?:min)?)?\s*$", re.IGNORECASE)
MINUTES_ONLY = re.compile(r"^\s*(\d{1,3})\s*min\s*$", re.IGNORECASE)


def parse_duration(text: str) -> int | None:
    """'441', '441 h', '3h30', '3:30', '45 min' -> minutes; None if unreadable."""
    if match := MINUTES_ONLY.match(text or ""):
        return int(match.group(1))
    match = DURATION.match(text or "")
    if not match:
        return None
    minutes = int(match.group(2) or 0)
    if minutes >= 60:
        return None
    return int(match.group(1)) * 60 + minutes


class DurationField(StringField):
    """A duration typed in hours ('441 h', '3 h 30'), stored as whole minutes."""

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return minutes_label(self.data) if self.data is not None else ""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        self.data = parse_duration(valuelist[0].replace(" ", ""))
        if self.data is None:
            raise ValueError("Durée illisible : écrivez par exemple « 441 h », « 3 h 30 » ou « 45 min ».")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def optional_int(value):
    """Coerce a select value where the empty choice means 'none'."""
    if value in (None, "", "None"):
        return None
    return int(value)


class OptionalSelectField(SelectField):
    """A select over rows of another table, with an empty first choice meaning 'none'."""

    def __init__(self, *args, empty_label="—", **kwargs):
        kwargs.setdefault("coerce", optional_int)
        super().__init__(*args, **kwargs)
        self.empty_label = empty_label

    def set_choices(self, pairs):
        self.choices = [("", self.empty_label)] + list(pairs)

    def pre_validate(self, form):
        if self.data is None:
            return
        super().pre_validate(form)


AMOUNT = re.compile(r"^(\d{1,7})(?:[,.](\d{1,2}))?$")


def parse_euros(value: str) -> int | None:
    """'1 800', '1800,5', '1 800,50 €' -> cents; None if unreadable."""
    cleaned = (value or "").replace("€", "").replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    match = AMOUNT.match(cleaned)
    if not match:
        return None
    return int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))


class EurosField(StringField):
    """A price typed in euros ('1 800,00'), stored as whole cents."""

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return euros(self.data).replace("\xa0€", "") if self.data is not None else ""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        self.data = parse_euros(valuelist[0])
        if self.data is None:
            raise ValueError("Montant illisible : écrivez par exemple « 1 800 » ou « 450,50 ».")

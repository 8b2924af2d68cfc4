"""French identifiers the CFA prints on its documents: SIRET and SIREN (INSEE), UAI (Éducation nationale).

SIRET and SIREN are checked by python-stdnum, which also knows La Poste's exception (its establishments share
one SIREN and use a digit sum instead of the Luhn key); this module only turns its verdicts into French
messages. The UAI has no maintained library: its key is a letter, the 7 digits modulo 23.
"""

from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError
from stdnum.fr import siren, siret
from stdnum.util import clean

# I, O and Q are left out of the UAI's key letters, so that they cannot be read as 1 or 0.
UAI_KEY_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def normalise(value: str | None) -> str:
    """The digits of a SIRET as people type them: spaces, dots and dashes are dropped."""
    return clean(value or "", " .-").strip()


def _error(number: str, checker, label: str, length: int) -> str | None:
    if not number:
        return f"Le {label} est obligatoire."
    try:
        checker.validate(number)
    except InvalidLength:  # a subclass of InvalidFormat: caught first
        return f"Le {label} compte {length} chiffres ({len(number)} saisis)."
    except InvalidFormat:
        return f"Le {label} ne doit contenir que des chiffres."
    except (InvalidChecksum, ValidationError):
        return f"Ce {label} n'est pas valide (clé de contrôle incorrecte) : vérifiez les chiffres."
    return None


def siren_error(value: str | None) -> str | None:
    """A French message saying what is wrong with the SIREN (the company), or None when it is valid."""
    return _error(normalise(value), siren, "SIREN", 9)


def siret_error(value: str | None) -> str | None:
    """A French message saying what is wrong with the SIRET (the establishment), or None when it is valid."""
    number = normalise(value)
    if len(number) == 14 and number.isdigit() and siren_error(number[:9]):
        # Say which part is wrong: the company's 9 digits, or the establishment's number after them.
        return "Le SIREN (9 premiers chiffres du SIRET) n'est pas valide (clé de contrôle incorrecte) : vérifiez-les."
    return _error(number, siret, "SIRET", 14)


def normalise_uai(value: str | None) -> str:
    return (value or "").replace(" ", "").strip().upper()


def uai_key(digits: str) -> str:
    """The key letter of a UAI's 7 digits."""
    return UAI_KEY_LETTERS[int(digits) % 23]


def uai_error(value: str | None) -> str | None:
    """A French message saying what is wrong with the UAI, or None when it is valid (or left empty)."""
    code = normalise_uai(value)
    if not code:
        return None
    if len(code) != 8 or not code[:7].isdigit() or not code[7].isalpha():
        return "Le code UAI compte 7 chiffres suivis d'une lettre (ex. 0352976V)."
    if uai_key(code[:7]) != code[7]:
        return "Ce code UAI n'est pas valide (lettre clé incorrecte) : vérifiez les chiffres et la lettre."
    return None


def checked_siret(value: str | None) -> str:
    """The SIRET as stored (14 digits), or ValueError with the French message: for models, whatever sets it."""
    if message := siret_error(value):
        raise ValueError(message)
    return normalise(value)


def checked_uai(value: str | None) -> str | None:
    """The UAI as stored (capitals, None when empty), or ValueError with the French message."""
    if message := uai_error(value):
        raise ValueError(message)
    return normalise_uai(value) or None

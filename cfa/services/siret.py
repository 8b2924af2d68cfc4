"""SIRET numbers: 14 digits whose Luhn checksum is valid (INSEE)."""

import re

# La Poste's establishments share one SIREN and use a different check: digit sum multiple of 5.
LA_POSTE_SIREN = "356000000"


def normalise(value: str | None) -> str:
    return re.sub(r"[\s.\-]", "", value or "")


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        n = int(char)
        if index % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def siret_error(value: str | None) -> str | None:
    """A French message saying what is wrong with the SIRET, or None when it is valid."""
    siret = normalise(value)
    if not siret:
        return "Le SIRET est obligatoire."
    if not siret.isdigit():
        return "Le SIRET ne doit contenir que des chiffres."
    if len(siret) != 14:
        return f"Le SIRET compte 14 chiffres ({len(siret)} saisis)."
    if siret.startswith(LA_POSTE_SIREN):
        valid = sum(int(c) for c in siret) % 5 == 0
    else:
        valid = luhn_valid(siret[:9]) and luhn_valid(siret)
    return None if valid else "Ce SIRET n'est pas valide (clé de contrôle incorrecte) : vérifiez les chiffres."


def with_check_digit(prefix13: str) -> str:
    """Complete 13 digits into a valid SIRET (used to generate demo employers)."""
    for last in "0123456789":
        if luhn_valid(prefix13 + last):
            return prefix13 + last
    raise AssertionError("unreachable: one digit always completes a Luhn number")

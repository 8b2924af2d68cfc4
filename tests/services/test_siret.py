import pytest

from cfa.services.siret import siret_error, with_check_digit


@pytest.mark.parametrize(
    "siret",
    [
        "73282932000074",  # a real, published SIRET
        "732 829 320 00074",  # spaces as printed on documents
        "35600000049837",  # La Poste: digit sum multiple of 5
        with_check_digit("7328293200007"),
    ],
)
def test_valid_sirets_are_accepted(siret):
    assert siret_error(siret) is None


@pytest.mark.parametrize(
    ("siret", "message"),
    [
        ("", "Le SIRET est obligatoire."),
        ("7328293200007", "Le SIRET compte 14 chiffres (13 saisis)."),
        ("7328293200007A", "Le SIRET ne doit contenir que des chiffres."),
        ("73282932000075", "clé de contrôle incorrecte"),  # last digit changed
        ("73282932100074", "clé de contrôle incorrecte"),  # one digit of the SIREN changed
        ("35600000049838", "clé de contrôle incorrecte"),
    ],
)
def test_invalid_sirets_are_refused_with_the_reason(siret, message):
    assert message in siret_error(siret)

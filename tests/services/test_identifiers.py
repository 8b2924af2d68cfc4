"""SIRET, SIREN and UAI: what the admin types is accepted only with a valid key, refused with the reason in French."""

import pytest

from cfa.models import Centre, Employer, Organisation
from cfa.services.identifiers import siren_error, siret_error, uai_error, uai_key


@pytest.mark.parametrize(
    "siret",
    [
        "73282932000074",  # a real, published SIRET
        "732 829 320 00074",  # spaces as printed on documents
        "732.829.320-00074",
        "35600000049837",  # La Poste: its establishments' digits add up to a multiple of 5, no Luhn key
        "35600000000048",  # La Poste's head office keeps the Luhn key
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
        ("73282932000075", "Ce SIRET n'est pas valide (clé de contrôle incorrecte) : vérifiez les chiffres."),
        ("35600000049838", "Ce SIRET n'est pas valide (clé de contrôle incorrecte)"),  # La Poste, sum not /5
        ("73282932100074", "Le SIREN (9 premiers chiffres du SIRET) n'est pas valide"),  # a SIREN digit changed
        ("73282932100080", "Le SIREN (9 premiers chiffres du SIRET) n'est pas valide"),  # whole SIRET Luhn-valid
    ],
)
def test_invalid_sirets_are_refused_with_the_reason(siret, message):
    assert message in siret_error(siret)


@pytest.mark.parametrize(
    ("siren", "message"),
    [
        ("732829320", None),
        ("732 829 320", None),
        ("356000000", None),  # La Poste
        ("732829321", "Ce SIREN n'est pas valide (clé de contrôle incorrecte)"),
        ("73282932", "Le SIREN compte 9 chiffres (8 saisis)."),
        ("73282932A", "Le SIREN ne doit contenir que des chiffres."),
    ],
)
def test_a_siren_is_checked_with_its_key(siren, message):
    error = siren_error(siren)
    assert error is None if message is None else message in error


@pytest.mark.parametrize(
    ("uai", "message"),
    [
        ("0750654D", None),  # lycée Henri-IV, Paris: 750654 = 23 × 32637 + 3, the fourth letter
        ("0750655E", None),  # lycée Louis-le-Grand
        ("0352976V", None),  # the demo CFA, Rennes
        (" 0442981b ", None),  # typed in lower case with spaces
        ("", None),  # left empty: whether it is required is the form's business
        ("0352976K", "lettre clé incorrecte"),  # the key letter of the demo's former, invalid code
        ("0750654C", "lettre clé incorrecte"),
        ("0750645D", "lettre clé incorrecte"),  # two digits swapped
        ("035297V", "7 chiffres suivis d'une lettre"),
        ("03529761", "7 chiffres suivis d'une lettre"),
        ("AB52976V", "7 chiffres suivis d'une lettre"),
    ],
)
def test_a_uai_is_checked_with_its_key_letter(uai, message):
    error = uai_error(uai)
    assert error is None if message is None else message in error


def test_the_uai_key_letters_skip_i_o_and_q():
    letters = {uai_key(f"{n:07d}") for n in range(23)}
    assert len(letters) == 23 and not letters & {"I", "O", "Q"}


@pytest.mark.parametrize("model", [Organisation, Centre])
def test_no_code_path_stores_an_invalid_uai(model):
    with pytest.raises(ValueError, match="lettre clé incorrecte"):
        model(uai="0352976K")
    assert model(uai=" 0352976v").uai == "0352976V"


@pytest.mark.parametrize("model", [Organisation, Employer])
def test_no_code_path_stores_an_invalid_siret(model):
    with pytest.raises(ValueError, match="clé de contrôle incorrecte"):
        model(siret="73282932000075")
    assert model(siret="732 829 320 00074").siret == "73282932000074"

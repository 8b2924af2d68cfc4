"""Certificates, convocations and the ZIP of certificates, parsed back."""

import io
import zipfile
from datetime import UTC, date, datetime

from pypdf import PdfReader

from cfa.models import AwardKind, Role
from cfa.renderers.certificates_zip import render_certificates_zip
from cfa.renderers.pdf.base import Identity
from cfa.renderers.pdf.certificate import certificate_filename, render_certificate
from cfa.renderers.pdf.convocation import convocation_filename, render_convocations
from cfa.services.juries import add_candidates
from tests.factories import (
    AwardFactory,
    CohortFactory,
    EnrolmentFactory,
    JurySessionFactory,
    MicroCertificationFactory,
    OrganisationFactory,
    ProgrammeFactory,
    SkillBlockFactory,
    UserFactory,
)


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def identity():
    return Identity.from_organisation(OrganisationFactory())


def test_micro_certification_certificate_states_who_what_when_and_the_code():
    learner = UserFactory(roles=[Role.LEARNER], first_name="Inès", last_name="Marchand")
    micro = MicroCertificationFactory(title="Les bases de la gestion de conflit")
    award = AwardFactory(
        learner=learner,
        micro_certification=micro,
        awarded_on=date(2026, 3, 12),
        assessor=UserFactory.trainer(first_name="Samia", last_name="Benali"),
    )
    data = render_certificate(award, identity(), f"https://cfa.test/verify/{award.verification_code}")
    content = pdf_text(data)
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    for expected in (
        "Inès Marchand",
        "Les bases de la gestion de conflit",
        award.verification_code,
        "12 mars 2026",
        "CFA Médiation sociale Ouest",
        "Hélène Le Goff",
        "Samia Benali",
        "Situer la médiation sociale dans son cadre",
        "14 h",
    ):
        assert expected in content, expected
    assert certificate_filename(award).startswith("certificat-ines_marchand-")


def test_certificate_names_the_awarding_body_and_its_country():
    """Two mandatory elements of an EU micro-credential."""
    award = AwardFactory(micro_certification=MicroCertificationFactory())
    content = pdf_text(render_certificate(award, identity(), "https://cfa.test/verify/X"))
    assert "Délivré par\nCFA Médiation sociale Ouest" in content
    assert "Pays de délivrance\nFrance" in content


def test_title_certificate_lists_the_ccps():
    programme = ProgrammeFactory(title="Médiateur social accès aux droits et services", rncp_code="RNCP36241")
    for i in range(3):
        SkillBlockFactory(programme=programme, position=i + 1, code=f"CCP{i + 1}", title=f"Bloc numéro {i + 1}")
    award = AwardFactory(kind=AwardKind.TITLE, micro_certification=None, programme=programme)
    content = pdf_text(render_certificate(award, identity(), "https://cfa.test/verify/X"))
    assert "titre professionnel" in content and "RNCP36241" in content and "CCP3 – Bloc numéro 3" in content


def test_convocations_one_page_per_candidate():
    programme = ProgrammeFactory(title="Agent de médiation, information, services")
    cohort = CohortFactory(programme=programme, name="AMIS Nantes 2025-2026")
    people = [EnrolmentFactory(cohort=cohort).apprentice for _ in range(2)]
    jury = JurySessionFactory(cohort=cohort, date=date(2026, 9, 8), start_time="09:00", place="CFA, Saint-Herblain")
    add_candidates(jury, now=datetime(2026, 8, 20, 8, 0, tzinfo=UTC))
    data = render_convocations(jury.candidates, identity())
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 2
    content = pdf_text(data)
    for person in people:
        assert person.full_name in content
    assert "mardi 8 septembre 2026 à 9 h 00" in content and "CFA, Saint-Herblain" in content
    assert "dossier professionnel" in content and "le 20 août 2026" in content
    assert convocation_filename(jury.candidates[0]).endswith("-2026-09-08.pdf")


def test_zip_holds_one_certificate_per_award():
    awards = [AwardFactory() for _ in range(3)]
    data = render_certificates_zip(awards, identity(), lambda a: f"https://cfa.test/verify/{a.verification_code}")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert len(names) == 3
        assert awards[0].verification_code in pdf_text(archive.read(certificate_filename(awards[0])))

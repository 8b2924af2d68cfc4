"""ZIP archives: every document given is there after unzipping, whatever the names."""

import io
import zipfile

from cfa.renderers.archive import zip_of


def test_two_trainees_with_the_same_name_each_keep_their_certificate():
    archive = zipfile.ZipFile(
        io.BytesIO(
            zip_of(
                [
                    ("certificat-MICHEL_Lucas.pdf", b"un"),
                    ("certificat-MICHEL_Lucas.pdf", b"deux"),
                    ("certificat-michel_lucas.pdf", b"trois"),
                    ("certificat-DURAND_Anne.pdf", b"quatre"),
                ]
            )
        )
    )
    assert archive.namelist() == [
        "certificat-MICHEL_Lucas.pdf",
        "certificat-MICHEL_Lucas (2).pdf",
        "certificat-michel_lucas (3).pdf",
        "certificat-DURAND_Anne.pdf",
    ]
    assert [archive.read(name) for name in archive.namelist()] == [b"un", b"deux", b"trois", b"quatre"]

"""Revocation of signed badges: the W3C Bitstring Status List, one bit per award, signed like the badges.

Each award's badge names a list and an index in it (`assessment_credentials.status_entry`); the list is served
at /credentials/status/<n> and a verifier reads the award's bit there.
"""

import gzip
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from jwt.utils import base64url_encode

from cfa.extensions import db
from cfa.models import Award
from cfa.services.assessment_credentials import (
    STATUS_LIST_SIZE,
    STATUS_LIST_TTL_SECONDS,
    issuer_id,
    load_private_key,
    registered_claims,
    sign_jwt,
    status_list_url,
    utc_text,
)


def revoked_indexes(number: int) -> list[int]:
    """Indexes of the revoked awards of one list, in one query on the primary key range."""
    low = number * STATUS_LIST_SIZE
    ids = db.session.scalars(
        sa.select(Award.id).where(Award.id >= low, Award.id < low + STATUS_LIST_SIZE, Award.revoked_at.is_not(None))
    )
    return [award_id - low for award_id in ids]


def status_list_exists(number: int) -> bool:
    """A list exists once an award has an index in it."""
    highest = db.session.scalar(sa.select(sa.func.max(Award.id)))
    return number >= 0 and highest is not None and number <= highest // STATUS_LIST_SIZE


def encode_bitstring(indexes: list[int], size: int = STATUS_LIST_SIZE) -> str:
    """Bitstring Status List encodedList: multibase base64url (prefix "u") of the GZIP'd bits, index 0 leftmost."""
    bits = bytearray(size // 8)
    for index in indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    return "u" + base64url_encode(gzip.compress(bytes(bits), mtime=0)).decode("ascii")


def build_status_list(number: int, base_url: str, now: datetime) -> dict:
    url = status_list_url(base_url, number)
    # A little in the past: a verifier whose clock runs late must not find the list "not yet valid".
    valid_from = now.replace(microsecond=0) - timedelta(minutes=5)
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id(base_url),
        "validFrom": utc_text(valid_from),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_bitstring(revoked_indexes(number)),
            "ttl": STATUS_LIST_TTL_SECONDS * 1000,
        },
    }


def sign_status_list(number: int, base_url: str, keys_dir, now: datetime | None = None) -> str:
    """The status list as a VC-JWT signed with the key that signs the badges."""
    key = load_private_key(keys_dir)
    return sign_jwt(registered_claims(build_status_list(number, base_url, now or datetime.now(UTC))), key, base_url)

"""Signed Open Badges 3.0 credentials (VC-JWT, EdDSA over Ed25519) and their verification.

The CFA's private key lives in KEYS_DIR, outside the repository, created by `flask create-signing-key`.
The JWT is built with `cryptography` alone (a runtime dependency); anyone can check it with any JOSE
library and the public key published at /.well-known/jwks.json (the tests use PyJWT for that).
The payload follows Open Badges 3.0 §8.2 (VC-JWT): the OpenBadgeCredential itself plus iss, jti, sub, nbf;
it carries the mandatory elements of the EU Council Recommendation of 16 June 2022 on micro-credentials.
"""

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from cfa.models import Award, AwardKind, Organisation
from cfa.services.assessment_awards import award_by_code, certified

KEY_FILE = "cfa-signing-ed25519.pem"
OB3_CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    # Our own terms for the EU micro-credential elements that Open Badges has no property for.
    {"euMicroCredential": "https://w3id.org/cadence/terms#euMicroCredential"},
]
ACHIEVEMENT_TYPES = {
    AwardKind.MICRO_CERTIFICATION: "MicroCredential",
    AwardKind.SKILL_BLOCK: "Competency",
    AwardKind.TITLE: "Certification",
}


class SigningKeyMissing(RuntimeError):
    """No key yet: run `flask create-signing-key`."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_path(keys_dir: str | os.PathLike) -> Path:
    return Path(keys_dir) / KEY_FILE


def create_signing_key(keys_dir: str | os.PathLike, *, replace: bool = False) -> tuple[Path, bool]:
    """Create the CFA's Ed25519 key if it does not exist (or replace it); returns (path, created)."""
    path = key_path(keys_dir)
    if path.exists() and not replace:
        return path, False
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # readable by the app's user only
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    tmp.replace(path)
    return path, True


def load_private_key(keys_dir) -> Ed25519PrivateKey:
    path = key_path(keys_dir)
    if not path.exists():
        raise SigningKeyMissing("Clé de signature absente : lancez « flask create-signing-key ».")
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyMissing("La clé de signature n'est pas une clé Ed25519.")
    return key


def public_jwk(public_key: Ed25519PublicKey) -> dict:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    jwk = {"crv": "Ed25519", "kty": "OKP", "x": _b64(raw)}
    # RFC 7638 thumbprint: the members in lexicographic order, no spaces.
    thumbprint = hashlib.sha256(json.dumps(jwk, separators=(",", ":"), sort_keys=True).encode()).digest()
    return dict(jwk, kid=_b64(thumbprint), alg="EdDSA", use="sig")


def jwks(keys_dir) -> dict:
    """The published key set; empty while no key exists."""
    try:
        key = load_private_key(keys_dir)
    except SigningKeyMissing:
        return {"keys": []}
    return {"keys": [public_jwk(key.public_key())]}


def issuer_id(base_url: str) -> str:
    return f"{base_url.rstrip('/')}/.well-known/issuer.json"


def issuer_profile(org: Organisation | None, base_url: str) -> dict:
    profile = {"id": issuer_id(base_url), "type": ["Profile"], "name": org.name if org else "Organisme de formation"}
    if org is not None:
        profile.update(
            url=org.website or base_url,
            address={
                "type": ["Address"],
                "addressCountry": "France",
                "addressCountryCode": "FR",
                "postalCode": org.postcode,
                "addressLocality": org.city,
                "streetAddress": org.address,
            },
            otherIdentifier=[
                {"type": "IdentifierEntry", "identifierType": "sisId", "identifier": f"SIRET {org.siret}"},
                {"type": "IdentifierEntry", "identifierType": "sisId", "identifier": f"UAI {org.uai}"},
            ],
        )
    return profile


def credential_url(base_url: str, award: Award) -> str:
    return f"{base_url.rstrip('/')}/verify/{award.verification_code}"


def build_credential(award: Award, org: Organisation | None, base_url: str) -> dict:
    """The OpenBadgeCredential of an award, with the EU micro-credential elements."""
    what = certified(award)
    issued_at = datetime.combine(award.awarded_on, time(12, 0), tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    base = base_url.rstrip("/")
    achievement_key = {
        AwardKind.MICRO_CERTIFICATION: award.micro_certification_id,
        AwardKind.SKILL_BLOCK: award.skill_block_id,
        AwardKind.TITLE: award.programme_id,
    }[award.kind]
    achievement = {
        "id": f"{base}/achievements/{award.kind.value}/{achievement_key}",
        "type": ["Achievement"],
        "achievementType": ACHIEVEMENT_TYPES[award.kind],
        "name": what.title,
        "description": what.description or what.title,
        "criteria": {"narrative": what.assessment},
        "inLanguage": "fr",
    }
    if what.reference:
        achievement["humanCode"] = what.reference
    learner = award.learner
    eu = {
        "learner": learner.full_name,
        "title": what.title,
        "country": "FR",
        "awardingBody": org.name if org else None,
        "dateOfIssue": award.awarded_on.isoformat(),
        "learningOutcomes": what.outcomes,
        "notionalWorkload": what.workload,
        "level": what.level,
        "typeOfAssessment": what.assessment,
        "formOfParticipation": what.participation,
        "typeOfQualityAssurance": what.quality_assurance,
    }
    if what.prerequisites:
        eu["prerequisites"] = what.prerequisites
    return {
        "@context": OB3_CONTEXT,
        "id": credential_url(base_url, award),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{what.kind_label} : {what.title}",
        "issuer": issuer_profile(org, base_url),
        "validFrom": issued_at,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": learner.full_name}
            ],
            "achievement": achievement,
        },
        "credentialStatus": {"id": f"{credential_url(base_url, award)}/status", "type": "CadenceRevocationStatus"},
        "euMicroCredential": {k: v for k, v in eu.items() if v not in (None, [])},
    }


def sign_credential(award: Award, org: Organisation | None, base_url: str, keys_dir) -> str:
    """The award's credential as a compact VC-JWT signed with the CFA's key (EdDSA)."""
    key = load_private_key(keys_dir)
    credential = build_credential(award, org, base_url)
    header = {"alg": "EdDSA", "typ": "JWT", "kid": public_jwk(key.public_key())["kid"]}
    payload = dict(
        credential,
        iss=credential["issuer"]["id"],
        jti=credential["id"],
        sub=f"urn:cadence:learner:{award.learner_id}",
        nbf=int(datetime.fromisoformat(credential["validFrom"].replace("Z", "+00:00")).timestamp()),
    )
    signing_input = ".".join(
        _b64(json.dumps(part, ensure_ascii=False, separators=(",", ":")).encode()) for part in (header, payload)
    )
    return f"{signing_input}.{_b64(key.sign(signing_input.encode('ascii')))}"


@dataclass(frozen=True)
class Verification:
    signature_valid: bool
    award: Award | None
    message: str

    @property
    def revoked(self) -> bool:
        return self.award is not None and self.award.is_revoked

    @property
    def valid(self) -> bool:
        return self.signature_valid and self.award is not None and not self.award.is_revoked


def verify_credential(token: str, keys_dir) -> Verification:
    """Check an uploaded VC-JWT: our signature, then the award it names and whether it was revoked."""
    token = "".join((token or "").split())
    if token.startswith("{"):  # a JSON wrapper {"jwt": "..."} or {"credential": "..."}
        try:
            wrapper = json.loads(token)
            token = wrapper.get("jwt") or wrapper.get("credential") or ""
            if not isinstance(token, str):
                raise ValueError(token)
        except (ValueError, AttributeError):
            return Verification(False, None, "Le fichier n'est pas un badge signé lisible.")
    parts = token.split(".")
    if len(parts) != 3:
        return Verification(False, None, "Le fichier n'est pas un badge signé (VC-JWT) lisible.")
    invalid = Verification(
        False, None, "Signature invalide : ce badge n'a pas été émis par cet organisme ou a été modifié."
    )
    try:
        header = json.loads(_unb64(parts[0]))
        signature = _unb64(parts[2])
    except (ValueError, UnicodeError):
        return invalid
    if not isinstance(header, dict) or header.get("alg") != "EdDSA":
        return Verification(False, None, "Algorithme de signature non reconnu : seul EdDSA (Ed25519) est accepté.")
    # The signature is checked before the payload is even read: any changed byte fails here.
    try:
        public_key = load_private_key(keys_dir).public_key()
        public_key.verify(signature, f"{parts[0]}.{parts[1]}".encode("ascii"))
        payload = json.loads(_unb64(parts[1]))
    except SigningKeyMissing:
        return Verification(False, None, "Aucune clé de signature n'est publiée par cet organisme.")
    except (InvalidSignature, ValueError, UnicodeError):
        return invalid
    if not isinstance(payload, dict):
        return invalid
    code = str(payload.get("jti") or "").rstrip("/").rsplit("/", 1)[-1]
    award = award_by_code(code)
    if award is None:
        return Verification(True, None, "Signature valide, mais cette certification est inconnue.")
    if award.is_revoked:
        return Verification(True, award, "Signature valide, mais cette certification a été révoquée.")
    return Verification(True, award, "Signature valide : cette certification est authentique et en vigueur.")

"""Signed Open Badges 3.0 credentials (VC-JWT, EdDSA over Ed25519), their revocation list, and their verification.

The CFA's private key lives in KEYS_DIR, outside the repository, created by `flask create-signing-key`.
The JWT is signed and checked with PyJWT over `cryptography`'s Ed25519 keys. Anyone can check it without us:
- the header's `kid` is a URL: the issuer's published key set (/.well-known/jwks.json) and the key's id in it;
- the payload follows Open Badges 3.0 §8.2 (VC-JWT): the OpenBadgeCredential itself plus iss, jti, sub, nbf,
  with `sub` equal to credentialSubject.id;
- `credentialStatus` is a W3C Bitstring Status List entry; the list is a VC-JWT signed with the same key,
  served at /credentials/status/<n>, where a revoked award's bit is set.
The credential carries the mandatory elements of the EU Council Recommendation of 16 June 2022 on micro-credentials.
"""

import hashlib
import json
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from jwt.utils import base64url_encode

from cfa.models import Award, AwardKind, Organisation, Programme, SkillBlock
from cfa.services.assessment_awards import COUNTRY_CODE, COUNTRY_NAME, award_by_code, certified

KEY_FILE = "cfa-signing-ed25519.pem"
OB3_CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    # Defines 1EdTechJsonSchemaValidator2019, the type of credentialSchema below.
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
    # Our own terms for the EU micro-credential elements that Open Badges has no property for.
    {"euMicroCredential": "https://w3id.org/cadence/terms#euMicroCredential"},
]
OB3_SCHEMA = {
    "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
    "type": "1EdTechJsonSchemaValidator2019",
}
ACHIEVEMENT_TYPES = {
    AwardKind.MICRO_CERTIFICATION: "MicroCredential",
    AwardKind.SKILL_BLOCK: "Competency",
    AwardKind.TITLE: "Certification",
}
# The paths the verify blueprint serves them at: the services build the same links without a request.
JWKS_PATH = "/.well-known/jwks.json"
ISSUER_PATH = "/.well-known/issuer.json"
STATUS_LIST_PATH = "/credentials/status/<int:number>"
# 16 KiB per list, the Bitstring Status List minimum: a list says little about any one of its holders.
STATUS_LIST_SIZE = 131_072
STATUS_LIST_TTL_SECONDS = 300
RNCP_URL = "https://www.francecompetences.fr/recherche/rncp/{number}/"
RNCP_FRAMEWORK = "Répertoire national des certifications professionnelles (RNCP)"
# Fixed forever: a learner's subject id must stay the same in every badge they receive.
SUBJECT_NAMESPACE = uuid.UUID("6f1d3c52-7f0e-4a8e-9a57-0c4f6f0c2b1d")
PARIS = ZoneInfo("Europe/Paris")


class SigningKeyMissing(RuntimeError):
    """No key yet: run `flask create-signing-key`."""


def _b64(data: bytes) -> str:
    return base64url_encode(data).decode("ascii")


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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


def jwks_url(base_url: str) -> str:
    return base_url.rstrip("/") + JWKS_PATH


def public_jwk(public_key: Ed25519PublicKey, base_url: str) -> dict:
    """The published key; its kid is a URL (the key set and the key's RFC 7638 thumbprint), so a verifier
    holding only the badge finds the key."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    jwk = {"crv": "Ed25519", "kty": "OKP", "x": _b64(raw)}
    # RFC 7638 thumbprint: the members in lexicographic order, no spaces.
    thumbprint = hashlib.sha256(json.dumps(jwk, separators=(",", ":"), sort_keys=True).encode()).digest()
    return dict(jwk, kid=f"{jwks_url(base_url)}#{_b64(thumbprint)}", alg="EdDSA", use="sig")


def jwks(keys_dir, base_url: str) -> dict:
    """The published key set; empty while no key exists."""
    try:
        key = load_private_key(keys_dir)
    except SigningKeyMissing:
        return {"keys": []}
    return {"keys": [public_jwk(key.public_key(), base_url)]}


def issuer_id(base_url: str) -> str:
    return base_url.rstrip("/") + ISSUER_PATH


def issuer_profile(org: Organisation | None, base_url: str) -> dict:
    profile = {"id": issuer_id(base_url), "type": ["Profile"], "name": org.name if org else "Organisme de formation"}
    if org is not None:
        profile.update(
            url=org.website or base_url,
            address={
                "type": ["Address"],
                "addressCountry": COUNTRY_NAME,
                "addressCountryCode": COUNTRY_CODE,
                "postalCode": org.postcode,
                "addressLocality": org.city,
                "streetAddress": org.address,
            },
            # "identifier" is the specification's generic type; the value names the French register.
            otherIdentifier=[
                {"type": "IdentifierEntry", "identifierType": "identifier", "identifier": f"SIRET {org.siret}"},
                {"type": "IdentifierEntry", "identifierType": "identifier", "identifier": f"UAI {org.uai}"},
            ],
        )
    return profile


def credential_url(base_url: str, award: Award) -> str:
    return f"{base_url.rstrip('/')}/verify/{award.verification_code}"


def subject_id(award: Award) -> str:
    """The learner's id in their badges: stable, and no e-mail or name in it."""
    return f"urn:uuid:{uuid.uuid5(SUBJECT_NAMESPACE, f'learner:{award.learner_id}')}"


def rncp_url(programme: Programme) -> str | None:
    digits = "".join(c for c in (programme.rncp_code or "") if c.isdigit())
    return RNCP_URL.format(number=digits) if digits else None


def _block_alignment(block: SkillBlock) -> dict | None:
    url = rncp_url(block.programme)
    if url is None:
        return None
    return {
        "type": ["Alignment"],
        "targetType": "ceasn:Competency",
        "targetName": f"{block.code} – {block.title}",
        "targetCode": block.code,
        "targetFramework": f"{RNCP_FRAMEWORK} : {block.programme.rncp_code} {block.programme.title}",
        "targetUrl": url,
    }


def alignments(award: Award) -> list[dict]:
    """The RNCP entries the badge certifies: the CCP blocks, and the title itself for a title."""
    if award.kind == AwardKind.MICRO_CERTIFICATION:
        blocks = award.micro_certification.skill_blocks
    elif award.kind == AwardKind.SKILL_BLOCK:
        blocks = [award.skill_block]
    else:
        blocks = award.programme.skill_blocks
    out = [a for a in (_block_alignment(b) for b in blocks) if a]
    if award.kind == AwardKind.TITLE and (url := rncp_url(award.programme)):
        out.insert(
            0,
            {
                "type": ["Alignment"],
                "targetType": "ceterms:Credential",
                "targetName": award.programme.title,
                "targetCode": award.programme.rncp_code,
                "targetFramework": RNCP_FRAMEWORK,
                "targetUrl": url,
            },
        )
    return out


def status_list_url(base_url: str, number: int) -> str:
    return base_url.rstrip("/") + STATUS_LIST_PATH.replace("<int:number>", str(number))


def status_position(award_id: int) -> tuple[int, int]:
    """(list number, index in the list) of an award: its id, so nothing has to be stored."""
    return divmod(award_id, STATUS_LIST_SIZE)


def status_entry(award: Award, base_url: str) -> dict:
    number, index = status_position(award.id)
    url = status_list_url(base_url, number)
    return {
        "id": f"{url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(index),
        "statusListCredential": url,
    }


def build_credential(award: Award, org: Organisation | None, base_url: str) -> dict:
    """The OpenBadgeCredential of an award, with the EU micro-credential elements."""
    what = certified(award)
    # The day of the award starts at midnight in Paris: a badge issued today is valid today, not from noon.
    issued_at = utc_text(datetime.combine(award.awarded_on, time(0, 0), tzinfo=PARIS))
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
    if aligned := alignments(award):
        achievement["alignment"] = aligned
    learner = award.learner
    eu = {
        "learner": learner.full_name,
        "title": what.title,
        "country": COUNTRY_CODE,
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
            "id": subject_id(award),
            "type": ["AchievementSubject"],
            "identifier": [
                {"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": learner.full_name}
            ],
            "achievement": achievement,
        },
        "credentialSchema": [OB3_SCHEMA],
        "credentialStatus": status_entry(award, base_url),
        "euMicroCredential": {k: v for k, v in eu.items() if v not in (None, [])},
    }


def sign_jwt(payload: dict, key: Ed25519PrivateKey, base_url: str) -> str:
    """A compact JWS (EdDSA) whose kid leads to the published key."""
    headers = {"typ": "JWT", "kid": public_jwk(key.public_key(), base_url)["kid"]}
    return jwt.encode(payload, key, algorithm="EdDSA", headers=headers)


def registered_claims(credential: dict) -> dict:
    """OB 3.0 §8.2.4.1: iss, jti, sub and nbf mirror the credential's own members."""
    return dict(
        credential,
        iss=credential["issuer"]["id"] if isinstance(credential["issuer"], dict) else credential["issuer"],
        jti=credential["id"],
        sub=credential["credentialSubject"]["id"],
        nbf=int(datetime.fromisoformat(credential["validFrom"].replace("Z", "+00:00")).timestamp()),
    )


def sign_credential(award: Award, org: Organisation | None, base_url: str, keys_dir) -> str:
    """The award's credential as a compact VC-JWT signed with the CFA's key (EdDSA)."""
    key = load_private_key(keys_dir)
    return sign_jwt(registered_claims(build_credential(award, org, base_url)), key, base_url)


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


def _unwrap(token: str | None) -> str | None:
    """The compact JWT, whitespace removed, from itself or a JSON wrapper {"jwt": ...} or {"credential": ...}."""
    token = "".join((token or "").split())
    if not token.startswith("{"):
        return token
    try:
        wrapper = json.loads(token)
        token = wrapper.get("jwt") or wrapper.get("credential") or ""
    except (ValueError, AttributeError):
        return None
    return token if isinstance(token, str) else None


def verify_credential(token: str, keys_dir) -> Verification:
    """Check an uploaded VC-JWT: our signature, then the award it names and whether it was revoked."""
    token = _unwrap(token)
    if token is None:
        return Verification(False, None, "Le fichier n'est pas un badge signé lisible.")
    if token.count(".") != 2:
        return Verification(False, None, "Le fichier n'est pas un badge signé (VC-JWT) lisible.")
    invalid = Verification(
        False, None, "Signature invalide : ce badge n'a pas été émis par cet organisme ou a été modifié."
    )
    try:
        header = jwt.get_unverified_header(token)
    except jwt.DecodeError:
        return invalid
    if header.get("alg") != "EdDSA":
        return Verification(False, None, "Algorithme de signature non reconnu : seul EdDSA (Ed25519) est accepté.")
    # The signature is checked before the payload is even read: any changed byte fails here.
    try:
        public_key = load_private_key(keys_dir).public_key()
        signed = jwt.api_jws.decode_complete(token, public_key, algorithms=["EdDSA"])
        payload = json.loads(signed["payload"])
    except SigningKeyMissing:
        return Verification(False, None, "Aucune clé de signature n'est publiée par cet organisme.")
    except (jwt.InvalidTokenError, ValueError, UnicodeError):
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

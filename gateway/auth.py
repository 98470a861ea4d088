"""Bearer JWT → ``Principal``. Every failure is an ``AuthError`` (HTTP 401, before GraphQL runs).

Tokens are verified for signature (asymmetric algorithms only; ``none`` and HMAC are never
accepted), issuer, audience, expiry and issued-at. Keys come from configured PEM files, a JWKS URL
(fetched at start-up and again, rate-limited, when a token names an unknown ``kid``), and — in dev
mode only — the demo signing key under ``var/``.

Claims (``spo_role`` chooses the principal):

- citizen: ``sub``, ``cpr``, ``name``
- relative: ``sub``, ``cpr`` (their own), ``name``, ``fuldmagt`` = ``{"patient_cpr", "valid_from",
  "valid_to"}`` (ISO dates; ``valid_to`` may be null)
- clinician: ``sub``, ``name``, ``authorisation_id``, ``role``, ``sor``, ``org_name``,
  ``patient_cpr`` (the patient in EPJ launch context)
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from domain.cpr import normalise_cpr
from domain.errors import AuthError, BadInputError
from domain.principals import AUTH_ID, SOR_ID, Citizen, Clinician, Principal, Relative
from domain.settings import AuthConfig
from domain.text import normalise, refusal

log = logging.getLogger(__name__)

DEV_KID = "spo-dev"
#: Longest accepted name claims: the columns that hold names (actor, clinician, entered-by) are 200.
NAME_MAX = 200
ROLE_MAX = 64


def _claim(claims: dict[str, Any], key: str) -> str:
    value = claims.get(key)
    if not isinstance(value, str) or not value.strip():
        raise AuthError(f"The token lacks the claim {key!r}.")
    return value


def _text_claim(claims: dict[str, Any], key: str, max_len: int) -> str:
    """A name-like claim under the one text rule (``domain/text.py``), normalised.

    Checked here, at the boundary, so that a token every database would not store alike is
    refused once with a clear 401 rather than failing each lookup's log entry later.
    """
    text = normalise(_claim(claims, key))
    problem = refusal(text, max_len)
    if problem is not None:
        raise AuthError(f"The token's claim {key!r} {problem}.")
    if not text:
        raise AuthError(f"The token lacks the claim {key!r}.")
    return text


def _cpr_claim(claims: dict[str, Any], key: str) -> str:
    try:
        return normalise_cpr(_claim(claims, key))
    except BadInputError as exc:
        raise AuthError(f"The token's claim {key!r} is not a CPR number.") from exc


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    """Build the principal a verified token describes."""
    role = claims.get("spo_role")
    if role == "citizen":
        return Citizen(_cpr_claim(claims, "cpr"), _text_claim(claims, "name", NAME_MAX))
    if role == "relative":
        fm = claims.get("fuldmagt")
        if not isinstance(fm, dict):
            raise AuthError("The token lacks the claim 'fuldmagt'.")
        try:
            valid_from = date.fromisoformat(_claim(fm, "valid_from"))
            valid_to = date.fromisoformat(fm["valid_to"]) if fm.get("valid_to") else None
        except (ValueError, TypeError) as exc:
            raise AuthError("The token's fuldmagt has malformed dates.") from exc
        return Relative(
            _cpr_claim(claims, "cpr"),
            _text_claim(claims, "name", NAME_MAX),
            _cpr_claim(fm, "patient_cpr"),
            valid_from,
            valid_to,
        )
    if role == "clinician":
        auth_id = _claim(claims, "authorisation_id").upper()
        if not AUTH_ID.fullmatch(auth_id):
            raise AuthError("The token's authorisation_id is not an authorisation id.")
        sor = _claim(claims, "sor")
        if not SOR_ID.fullmatch(sor):
            raise AuthError("The token's claim 'sor' is not a SOR id (11 to 18 digits).")
        return Clinician(
            _text_claim(claims, "name", NAME_MAX),
            auth_id,
            _text_claim(claims, "role", ROLE_MAX),
            sor,
            _text_claim(claims, "org_name", NAME_MAX),
            _cpr_claim(claims, "patient_cpr"),
        )
    raise AuthError("The token names no known role (spo_role).")


class TokenVerifier:
    """Verifies bearer tokens against the trusted keys; build with ``TokenVerifier.create``."""

    JWKS_REFRESH_S = 60.0

    def __init__(self, config: AuthConfig, keys: dict[str | None, Any]) -> None:
        self.config = config
        self.keys = keys
        self._jwks_fetched = 0.0

    @classmethod
    async def create(
        cls, config: AuthConfig, *, dev_mode: bool, session: aiohttp.ClientSession | None = None
    ) -> TokenVerifier:
        keys: dict[str | None, Any] = {}
        for n, path in enumerate(config.public_key_files):
            pem = Path(path).read_bytes()  # noqa: ASYNC240 - once, at start-up
            keys[f"file-{n}"] = serialization.load_pem_public_key(pem)
        if dev_mode:
            keys[DEV_KID] = load_or_create_dev_key(config.dev_key_file).public_key()
        verifier = cls(config, keys)
        verifier._session = session
        if config.jwks_url and session is not None:
            await verifier._refresh_jwks()
        return verifier

    _session: aiohttp.ClientSession | None = None

    async def _refresh_jwks(self) -> None:
        now = time.monotonic()
        if self._session is None or now - self._jwks_fetched < self.JWKS_REFRESH_S:
            return
        self._jwks_fetched = now
        try:
            timeout = aiohttp.ClientTimeout(total=2)
            async with self._session.get(self.config.jwks_url, timeout=timeout) as resp:
                resp.raise_for_status()
                doc = json.loads(await resp.read())
            for jwk in doc.get("keys", []):
                key = jwt.PyJWK(jwk)
                self.keys[key.key_id] = key.key
        except (aiohttp.ClientError, TimeoutError, ValueError, jwt.PyJWTError) as exc:
            log.warning("JWKS refresh from %s failed: %s", self.config.jwks_url, exc)

    async def verify(self, token: str) -> Principal:
        """Verify ``token`` and return its principal, or raise ``AuthError``."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise AuthError("The bearer token is malformed.") from exc
        alg = header.get("alg")
        if alg not in self.config.algorithms:
            raise AuthError(f"The token's algorithm {alg!r} is not accepted.")
        kid = header.get("kid")
        if kid not in self.keys and self.config.jwks_url:
            await self._refresh_jwks()
        candidates = [self.keys[kid]] if kid in self.keys else list(self.keys.values())
        if not candidates:
            raise AuthError("The token is signed with an unknown key.")
        last: jwt.PyJWTError | None = None
        for key in candidates:
            try:
                claims = jwt.decode(
                    token,
                    key,
                    algorithms=list(self.config.algorithms),
                    audience=self.config.audience,
                    issuer=self.config.issuer,
                    options={"require": ["exp", "iat", "iss", "aud", "sub"]},
                    leeway=30,
                )
                return principal_from_claims(claims)
            except jwt.ExpiredSignatureError as exc:
                raise AuthError("The token has expired.") from exc
            except (jwt.InvalidAudienceError, jwt.InvalidIssuerError) as exc:
                raise AuthError("The token is not meant for this service.") from exc
            except jwt.MissingRequiredClaimError as exc:
                raise AuthError(f"The token lacks the claim {exc.claim!r}.") from exc
            except jwt.PyJWTError as exc:
                last = exc
        raise AuthError("The token's signature is not valid.") from last


def load_or_create_dev_key(path: str | Path) -> ec.EllipticCurvePrivateKey:
    """The demo signing key (P-256), created on first use. Trusted only in dev mode."""
    file = Path(path)
    if file.exists():
        key = serialization.load_pem_private_key(file.read_bytes(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise AuthError(f"{file} is not an EC private key")
        return key
    file.parent.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    tmp = file.with_suffix(".tmp")
    tmp.write_bytes(pem)
    tmp.chmod(0o600)
    tmp.replace(file)
    return key


def mint_token(
    key: ec.EllipticCurvePrivateKey,
    config: AuthConfig,
    claims: dict[str, Any],
    *,
    lifetime: timedelta = timedelta(hours=12),
    kid: str = DEV_KID,
) -> str:
    """Sign a token for ``claims`` (the demo and ``spo token``; tests use their own keys)."""
    now = datetime.now(UTC)
    body = {
        "iss": config.issuer,
        "aud": config.audience,
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
        **claims,
    }
    return jwt.encode(body, key, algorithm="ES256", headers={"kid": kid})

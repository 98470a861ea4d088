"""Bearer JWT → ``Principal``. Every failure is an ``AuthError`` (HTTP 401, before GraphQL runs).

Tokens are verified for signature (asymmetric algorithms only; ``none`` and HMAC are never
accepted), issuer, audience, expiry and issued-at. Keys come from configured PEM files, a JWKS URL
(fetched at start-up and again, rate-limited, when a token names an unknown ``kid``), and — in dev
mode only — the demo signing key under ``var/`` (``gateway/tokens.py``). The claims become a
principal in ``gateway/claims.py``.

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
from pathlib import Path
from typing import Any

import aiohttp
import jwt
from cryptography.hazmat.primitives import serialization

from domain.errors import AuthError
from domain.principals import Principal
from domain.settings import AuthConfig
from gateway.claims import principal_from_claims
from gateway.tokens import DEV_KID, load_or_create_dev_key, mint_token

__all__ = [
    "DEV_KID",
    "TokenVerifier",
    "load_or_create_dev_key",
    "mint_token",
    "principal_from_claims",
]

log = logging.getLogger(__name__)


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

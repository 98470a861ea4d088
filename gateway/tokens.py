"""Signing tokens: the demo signing key (trusted in dev mode only) and ``mint_token``, for the
demo, ``spo token`` and the benchmarks.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from domain.errors import AuthError
from domain.settings import AuthConfig

DEV_KID = "spo-dev"


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

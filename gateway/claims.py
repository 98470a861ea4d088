"""A verified token's claims as a ``Principal``; every problem is an ``AuthError`` (401).

``spo_role`` chooses the principal (the claims per role are listed in ``gateway/auth.py``).
Name-like claims pass the one text rule (``domain/text.py``) here, at the boundary.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.cpr import normalise_cpr
from domain.errors import AuthError, BadInputError
from domain.principals import AUTH_ID, SOR_ID, Citizen, Clinician, Principal, Relative
from domain.text import normalise, refusal

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

"""``spo token``: a dev token for a demo persona, or for any principal the flags describe.

The claims are checked by building the principal they name before anything is signed, so a
token the gateway would refuse is never printed.
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from typing import Any

from domain.clock import SYSTEM_CLOCK, today
from domain.settings import Settings
from gateway.tokens import load_or_create_dev_key, mint_token


def add_parser(sub: Any) -> None:
    """Add the ``token`` subcommand and its flags to ``sub`` (``add_subparsers()``)."""
    tok = sub.add_parser(
        "token",
        help="a dev token: for a demo persona, or for any principal (--role and its fields)",
    )
    tok.add_argument("persona", nargs="?", help="a demo persona id, e.g. clinician-auh")
    tok.add_argument("--role", choices=["citizen", "relative", "clinician"], default="citizen")
    tok.add_argument("--name", default="Test Testesen")
    tok.add_argument("--cpr", help="citizen/relative: their own CPR number")
    tok.add_argument("--patient-cpr", help="relative: fuldmagt patient; clinician: EPJ context")
    tok.add_argument(
        "--valid-from", default=today(SYSTEM_CLOCK).isoformat(), help="relative: fuldmagt"
    )
    tok.add_argument("--valid-to", default=None, help="relative: fuldmagt end (ISO date)")
    tok.add_argument("--authorisation-id", help="clinician: e.g. 005ML")
    tok.add_argument("--clinician-role", default="physician")
    tok.add_argument("--sor", help="clinician: SOR id of their unit")
    tok.add_argument("--org-name", help="clinician: name of their unit")
    tok.add_argument("--hours", type=float, default=12.0, help="lifetime")


def _claims(args: argparse.Namespace) -> dict[str, object]:
    """Claims for a demo persona, or for any principal described by the flags."""
    from domain.errors import AuthError
    from gateway.claims import principal_from_claims
    from gateway.demo import claims_for
    from simulators.population import build_population

    if args.persona:
        try:
            return claims_for(build_population().persona(args.persona))
        except StopIteration:
            sys.exit(f"spo: no persona {args.persona!r}")
    claims: dict[str, object] = {
        "sub": f"{args.role}:cli",
        "spo_role": args.role,
        "name": args.name,
    }
    if args.role in ("citizen", "relative"):
        claims["cpr"] = args.cpr
    if args.role == "relative":
        claims["fuldmagt"] = {
            "patient_cpr": args.patient_cpr,
            "valid_from": args.valid_from,
            "valid_to": args.valid_to,
        }
    if args.role == "clinician":
        claims.update(
            authorisation_id=args.authorisation_id,
            role=args.clinician_role,
            sor=args.sor,
            org_name=args.org_name,
            patient_cpr=args.patient_cpr,
        )
    try:
        principal_from_claims(claims)
    except AuthError as exc:
        sys.exit(f"spo: {exc.message}")
    return claims


def run(args: argparse.Namespace, settings: Settings) -> None:
    """Print the token ``args`` ask for, signed with the dev key of ``settings``."""
    key = load_or_create_dev_key(settings.auth.dev_key_file)
    lifetime = timedelta(hours=args.hours)
    print(mint_token(key, settings.auth, _claims(args), lifetime=lifetime))

"""The exception tree: codes, and no CPR numbers in upstream details."""

from __future__ import annotations

from domain.errors import (
    CircuitOpen,
    GatewayError,
    UpstreamBadResponse,
    UpstreamError,
    UpstreamNotConsented,
    UpstreamTimeout,
    UpstreamUnavailable,
)


def test_upstream_details_never_hold_a_cpr_number() -> None:
    err = UpstreamBadResponse(
        "cpr", detail="HTTP 404 from http://h/cpr/person/0108589995 and 010858-9995"
    )
    assert "9995" not in err.detail
    assert err.detail == "HTTP 404 from http://h/cpr/person/010858-**** and 010858-****"
    sor = UpstreamBadResponse("stamdata", detail="no unit 265311000016006 at 20261126120000")
    assert sor.detail == "no unit 265311000016006 at 20261126120000"


def test_every_upstream_error_names_its_source_and_status() -> None:
    for cls, status in (
        (UpstreamTimeout, "TIMEOUT"),
        (UpstreamUnavailable, "UNAVAILABLE"),
        (CircuitOpen, "CIRCUIT_OPEN"),
        (UpstreamBadResponse, "BAD_RESPONSE"),
        (UpstreamNotConsented, "NOT_CONSENTED"),
    ):
        err = cls("rm")
        assert isinstance(err, UpstreamError)
        assert isinstance(err, GatewayError)
        assert err.status == status
        assert err.extensions == {"code": cls.code, "source": "rm"}

"""Start-up stops on a setting it cannot use, and the message names the setting.

Unknown tables and keys, values of the wrong type, timeouts of zero or less and URLs of a scheme
nothing here speaks, in the file and in the ``SPO_*`` variables (``gateway/configtables.py``,
``gateway/config.py``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from domain.settings import ConfigError
from gateway.config import parse_settings, read_toml, warnings_for

Edit = Callable[[dict[str, Any]], None]


def edited(edit: Edit) -> dict[str, Any]:
    raw = copy.deepcopy(read_toml())
    edit(raw)
    return raw


def test_the_embedded_default_parses() -> None:
    settings = parse_settings(read_toml())
    assert settings.port == 8000
    assert [s.id for s in settings.sources] == ["rm", "rn", "aarhus", "frederikshavn", "gp-jml"]


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        (lambda r: r.update(limts={"max_depth": 3}), r"unknown setting.*\['limts'\]"),
        (lambda r: r.update(databse_url="sqlite+aiosqlite:///x.db"), "databse_url"),
        (lambda r: r["limits"].update(max_dept=3), r"unknown setting limits\.max_dept"),
        (lambda r: r["auth"].update(jwks="https://x"), r"unknown setting auth\.jwks"),
        (lambda r: r["graphql"].update(graphiqel=True), "graphiqel"),
        (lambda r: r["resilience"].update(breaker=3), r"unknown setting resilience\.breaker"),
        (lambda r: r["cpr"].update(timeout=1), r"unknown setting cpr\.timeout"),
        (lambda r: r["sources"][2].update(timeout=1), r"unknown setting sources\[2\]\.timeout"),
        (
            lambda r: r["sources"][0]["appointments"].update(uri="/x"),
            r"unknown setting sources\[0\]\.appointments\.uri",
        ),
    ],
    ids=[
        "table",
        "top-level-key",
        "limits",
        "auth",
        "graphql",
        "resilience",
        "register",
        "source",
        "endpoint",
    ],
)
def test_an_unknown_table_or_key_stops_start_up_naming_it(edit: Edit, named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        parse_settings(edited(edit))


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        (lambda r: r["limits"].update(request_deadline_s=0), r"limits\.request_deadline_s"),
        (lambda r: r["limits"].update(database_timeout_s=-0.5), r"limits\.database_timeout_s"),
        (lambda r: r["resilience"].update(breaker_reset_s=0.0), r"resilience\.breaker_reset_s"),
        (lambda r: r["cpr"].update(timeout_s=-1), r"cpr\.timeout_s"),
        (lambda r: r["stamdata"].update(timeout_s=0), r"stamdata\.timeout_s"),
        (lambda r: r["sources"][1].update(timeout_s=0), r"sources\[1\]\.timeout_s"),
        (lambda r: r["sources"][1].update(cache_ttl_s=-30), r"sources\[1\]\.cache_ttl_s"),
        (lambda r: r["resilience"].update(retry_budget_ratio=1.5), "retry_budget_ratio"),
    ],
)
def test_a_timeout_of_zero_or_less_stops_start_up_naming_it(edit: Edit, named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        parse_settings(edited(edit))


def test_a_positive_timeout_is_kept() -> None:
    settings = parse_settings(edited(lambda r: r["sources"][1].update(timeout_s=0.25)))
    assert settings.sources[1].timeout_s == 0.25


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        (lambda r: r["limits"].update(max_depth="12"), r"limits\.max_depth.*valid integer"),
        (lambda r: r["limits"].update(max_depth=True), r"limits\.max_depth"),
        (lambda r: r.update(port="8000"), r"\bport\b"),
        (lambda r: r.update(dev_mode="yes"), r"\bdev_mode\b"),
        (lambda r: r["auth"].update(algorithms="ES256"), r"auth\.algorithms"),
        (lambda r: r["auth"].pop("issuer"), r"missing setting auth\.issuer"),
        (lambda r: r["sources"][0].update(requires_consent="no"), r"requires_consent"),
    ],
)
def test_a_value_of_the_wrong_type_stops_start_up_naming_it(edit: Edit, named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        parse_settings(edited(edit))


@pytest.mark.parametrize(
    ("edit", "env", "named"),
    [
        (lambda r: r.update(database_url="mysql://db/spo"), {}, r"database_url.*not mysql://"),
        (lambda r: None, {"SPO_DATABASE_URL": "postgres://u:pw@db/spo"}, "SPO_DATABASE_URL"),
        (lambda r: None, {"SPO_DATABASE_URL": "/var/spo.db"}, "SPO_DATABASE_URL.*no scheme"),
        (lambda r: r.update(cache_url="memcached://cache:11211"), {}, r"\bcache_url\b"),
        (lambda r: None, {"SPO_CACHE_URL": "redis+sentinel://s/0"}, "SPO_CACHE_URL"),
        (lambda r: r["cpr"].update(url="ftp://cpr.example.invalid/"), {}, r"cpr\.url"),
        (
            lambda r: r["sources"][3]["appointments"].update(url="file:///etc/passwd"),
            {},
            r"sources\[3\]\.appointments\.url",
        ),
        (lambda r: r.update(upstream_base="gopher://x"), {}, "upstream_base"),
        (lambda r: None, {"SPO_JWKS_URL": "ldap://idp/jwks"}, r"auth\.jwks_url"),
    ],
)
def test_an_unknown_url_scheme_stops_start_up_naming_it(
    edit: Edit, env: dict[str, str], named: str
) -> None:
    with pytest.raises(ConfigError, match=named):
        parse_settings(edited(edit), env)


def test_a_refused_url_is_not_repeated_in_the_message() -> None:
    # The URL may carry a password.
    with pytest.raises(ConfigError) as refused:
        parse_settings(read_toml(), {"SPO_DATABASE_URL": "mysql://spo:hunter2@db/spo"})
    assert "hunter2" not in str(refused.value)


@pytest.mark.parametrize(
    "url",
    [
        "sqlite+aiosqlite:///var/x.db",
        "postgresql+asyncpg://postgres@127.0.0.1:5432/test",
    ],
)
def test_the_database_schemes_the_store_speaks_are_accepted(url: str) -> None:
    assert parse_settings(read_toml(), {"SPO_DATABASE_URL": url}).database_url == url


@pytest.mark.parametrize("url", ["memory://", "redis://127.0.0.1:6379/5", "rediss://r:6380/0"])
def test_the_cache_schemes_the_cache_speaks_are_accepted(url: str) -> None:
    assert parse_settings(read_toml(), {"SPO_CACHE_URL": url}).cache_url == url


def test_the_environment_overrides_a_key_the_file_also_sets() -> None:
    # Both set: the environment wins, and the file's key still counts as known.
    settings = parse_settings(read_toml(), {"SPO_CACHE_URL": "redis://r:6379/1", "SPO_PORT": "9"})
    assert settings.cache_url == "redis://r:6379/1"
    assert settings.port == 9


def test_one_message_names_every_refused_setting() -> None:
    def two(raw: dict[str, Any]) -> None:
        raw["limits"].update(database_timeout_s=0, max_dept=1)

    with pytest.raises(ConfigError) as refused:
        parse_settings(edited(two))
    assert "limits.database_timeout_s" in str(refused.value)
    assert "limits.max_dept" in str(refused.value)


def test_no_trusted_key_outside_dev_mode_is_a_warning() -> None:
    production = parse_settings(read_toml(), {"SPO_DEV_MODE": "0"})
    assert production.auth.public_key_files == ()
    assert production.auth.jwks_url == ""
    (warning,) = warnings_for(production)
    assert "no key is trusted" in warning
    assert warnings_for(parse_settings(read_toml(), {"SPO_DEV_MODE": "1"})) == []
    with_jwks = replace(production, auth=replace(production.auth, jwks_url="https://idp/jwks"))
    assert warnings_for(with_jwks) == []
    with_file = replace(production, auth=replace(production.auth, public_key_files=("k.pem",)))
    assert warnings_for(with_file) == []

from __future__ import annotations

import asyncio
import dataclasses
import gc
import inspect
import logging
import os
import pickle
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
import redis.asyncio as redis
from hypothesis import given
from hypothesis import strategies as st
from prometheus_client import REGISTRY

from connectors import codec
from connectors.answer import Answer
from connectors.cache import Cached, RecordCache
from connectors.cachebackend import backend_key as _backend_key
from connectors.cachebackend import pack
from domain import records
from domain.errors import UpstreamTimeout, UpstreamUnavailable
from domain.records import (
    ActivityRecord,
    Address,
    AppointmentRecord,
    AppointmentStatus,
    GoalRecord,
    GoalTarget,
    GpPractice,
    OrgRef,
    OrgUnit,
    PersonRecord,
    PersonStatus,
    Place,
    PlanRecord,
    Quantity,
)

REDIS_URL = os.environ.get("SPO_TEST_REDIS_URL")
CET = timezone(timedelta(hours=1))

RECORD_TYPES = [
    cls
    for _, cls in inspect.getmembers(records, inspect.isclass)
    if dataclasses.is_dataclass(cls) and cls.__module__ == records.__name__
]

APPOINTMENT = AppointmentRecord(
    source="rm",
    id="appt-1",
    status=AppointmentStatus.BOOKED,
    start=datetime(2025, 3, 4, 9, 30, tzinfo=CET),
    end=datetime(2025, 3, 4, 10, 0, tzinfo=UTC),
    title="Kontrol, hjerteafdeling",
    organization=OrgRef("7654321000016", "Aarhus Universitetshospital"),
    place=Place(
        "Hjertesygdomme, ambulatorium",
        sor="123456789012",
        address=Address(("Palle Juul-Jensens Boulevard 99", "Indgang J"), "8200", "Aarhus N"),
        phone="+4578450000",
    ),
    performer=None,
    version="3",
    updated=datetime(2025, 2, 1, 12, 0, 0, 123456, tzinfo=UTC),
    based_on=("CarePlan/p1", "ServiceRequest/s9"),
)
PLAN = PlanRecord(
    source="aarhus",
    id="plan-1",
    title="Genoptræningsplan",
    category="rehab",
    status="active",
    intent="plan",
    period_start=datetime(2025, 1, 1, tzinfo=UTC),
    period_end=None,
    organization=None,
    activities=(
        ActivityRecord("Træning", "scheduled", datetime(2025, 1, 8, 10, tzinfo=UTC), None, ("a",)),
        ActivityRecord("Opfølgning", None),
    ),
    goal_ids=("g1",),
)
EXAMPLES: list[object] = [
    APPOINTMENT,
    PLAN,
    GoalRecord(
        "rm",
        "g1",
        "Gå 500 m",
        "active",
        None,
        date(2025, 1, 2),
        (
            GoalTarget("distance", "500 m", date(2025, 6, 1)),
            GoalTarget(None, None, None),
            GoalTarget("HbA1c", "< 53 mmol/mol", None, Quantity("53", "<", "mmol/mol", "mmol/mol")),
        ),
        OrgRef(None),
    ),
    PersonRecord(
        "0108589995",
        "Test",
        "Testesen",
        Address(("Testvej 1",), "8000", "Aarhus C", "751"),
        PersonStatus.ALIVE,
        protected=False,
        insurance_group=1,
        gp_ydernummer="012345",
        birth_date=date(2001, 1, 1),
    ),
    OrgUnit("123", "Afsnit", "unit", "122", None, "+4511223344"),
    GpPractice("012345", "Lægerne i Byen", None, None, None, ("Dr. A", "Dr. B")),
]


# --- codec -----------------------------------------------------------------------------------


@pytest.mark.parametrize("record", EXAMPLES, ids=lambda r: type(r).__name__)
def test_codec_round_trips_nested_records(record: object) -> None:
    assert codec.decode(codec.encode([record, record]), type(record)) == [record, record]


def _tags(data: Any) -> set[str]:
    if isinstance(data, list):
        return set().union(*(_tags(v) for v in data))
    if isinstance(data, dict):
        return {data[codec.TYPE_TAG], *_tags(list(data.values()))}
    return set()


def test_examples_cover_every_record_type() -> None:
    # Origin is computed by a property, never stored, so it never reaches the cache.
    expected = {cls.__name__ for cls in RECORD_TYPES} - {"Origin"}
    assert expected <= _tags(codec.dump(EXAMPLES))


# Records refuse naive times, so the generated ones carry an offset (fixed ones, which compare
# by instant just as the decoded ones do).
st.register_type_strategy(datetime, st.datetimes(timezones=st.sampled_from([UTC, CET])))


@pytest.mark.parametrize("record_type", RECORD_TYPES, ids=lambda t: t.__name__)
def test_codec_round_trips_generated_records(record_type: type[Any]) -> None:
    @given(st.lists(st.from_type(record_type), max_size=3))
    def round_trip(values: list[Any]) -> None:
        assert codec.decode(codec.encode(values), record_type) == values

    round_trip()


def test_codec_keeps_enums_and_time_zones() -> None:
    (back,) = codec.decode(codec.encode([APPOINTMENT]), AppointmentRecord)
    assert back.status is AppointmentStatus.BOOKED
    assert back.start is not None
    assert back.start.utcoffset() == timedelta(hours=1)
    assert back.updated is not None
    assert back.updated.utcoffset() == timedelta(0)  # records hold aware times only
    assert back.based_on == ("CarePlan/p1", "ServiceRequest/s9")


def _tampered(**changes: Any) -> str:
    import json

    (data,) = codec.dump([APPOINTMENT])
    data.update(changes)
    return json.dumps([data])


HOSTILE: dict[str, str | bytes] = {
    "not-json": "{nope",
    "nan": '[{"__type__": "AppointmentRecord", "x": NaN}]',
    "deep": "[" * 100_000 + "]" * 100_000,
    "not-a-list": '{"__type__": "AppointmentRecord"}',
    "pickle": pickle.dumps([APPOINTMENT]),
    "invalid-utf8": b'[{"source": "\xff"}]',
    "wrong-tag": _tampered(__type__="PlanRecord"),
    "code-path-tag": _tampered(__type__="os.system"),
    "no-tag": '[{"source": "rm"}]',
    "extra-field": _tampered(__class__="x"),
    "wrong-str-type": _tampered(title=42),
    "bool-for-str": _tampered(superseded="yes"),
    "unknown-enum": _tampered(status="teleported"),
    "date-for-datetime": _tampered(start="2025-03-04"),
    "bad-datetime": _tampered(start="2025-13-04T00:00"),
    "dict-for-tuple": _tampered(based_on={"a": 1}),
    "nested-wrong-tag": _tampered(organization={"__type__": "Place", "sor": None, "name": None}),
    "nested-missing": _tampered(organization={"__type__": "OrgRef", "sor": None}),
}


def _missing_field() -> str:
    import json

    (data,) = codec.dump([APPOINTMENT])
    del data["title"]
    return json.dumps([data])


HOSTILE["missing-field"] = _missing_field()


@pytest.mark.parametrize("payload", HOSTILE.values(), ids=HOSTILE.keys())
def test_codec_rejects_hostile_payloads(payload: str | bytes) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - every rejection is a plain ValueError
        codec.decode(payload, AppointmentRecord)


def test_codec_rejects_ints_posing_as_bools_and_vice_versa() -> None:
    person = EXAMPLES[3]
    (data,) = codec.dump([person])
    for field, bad in (("protected", 0), ("insurance_group", True)):
        with pytest.raises(ValueError, match="expected"):
            codec.load([data | {field: bad}], PersonRecord)


@pytest.mark.parametrize("value", [{1, 2}, object(), AppointmentRecord])
def test_codec_refuses_to_encode_what_it_cannot_decode(value: object) -> None:
    with pytest.raises(TypeError):
        codec.encode([dataclasses.replace(PLAN, goal_ids=(value,))])  # type: ignore[arg-type]


def test_codec_refuses_non_dataclass_records() -> None:
    with pytest.raises(TypeError):
        codec.encode([{"source": "rm"}])


# --- RecordCache -----------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Loader:
    """A ``load`` callable that counts its calls and answers from a script."""

    def __init__(self, *results: list[Any] | Exception, delay: float = 0.0) -> None:
        self.results = list(results)
        self.calls = 0
        self.delay = delay

    async def __call__(self) -> list[Any]:
        result = self.results[min(self.calls, len(self.results) - 1)]
        self.calls += 1
        await asyncio.sleep(self.delay)
        if isinstance(result, Exception):
            raise result
        return result


async def _purge(url: str, namespace: str) -> None:
    client = redis.from_url(url)
    try:
        keys = [k async for k in client.scan_iter(match=f"{namespace}:*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


CacheFactory = Callable[..., Awaitable[RecordCache]]


@pytest.fixture(
    params=[
        "memory://",
        pytest.param(
            "redis",
            marks=[
                pytest.mark.redis,
                pytest.mark.skipif(not REDIS_URL, reason="SPO_TEST_REDIS_URL is not set"),
            ],
        ),
    ]
)
async def make_cache(request: pytest.FixtureRequest) -> AsyncIterator[CacheFactory]:
    url = REDIS_URL if request.param == "redis" else request.param
    assert url is not None
    namespace = f"spo-test-{uuid.uuid4().hex}"
    opened: list[RecordCache] = []

    async def factory(**kwargs: Any) -> RecordCache:
        cache = RecordCache(url, namespace=namespace, **kwargs)
        opened.append(cache)
        return cache

    yield factory
    for cache in opened:
        await cache.close()
    if url.startswith("redis"):
        await _purge(url, namespace)


KEY = "rm:appointments:0108589995:2025-01-01:2025-12-31"


async def test_miss_loads_and_hit_does_not(make_cache: CacheFactory) -> None:
    cache = await make_cache()
    load = Loader([APPOINTMENT])
    first = await cache.fetch(KEY, AppointmentRecord, 30, 600, load)
    second = await cache.fetch(KEY, AppointmentRecord, 30, 600, load)
    assert first.records == second.records == [APPOINTMENT]
    assert not first.stale
    assert first.error is None
    assert second.fetched_at == first.fetched_at
    assert first.fetched_at.tzinfo is not None
    assert load.calls == 1


async def test_keys_are_separate(make_cache: CacheFactory) -> None:
    cache = await make_cache()
    await cache.fetch(KEY, AppointmentRecord, 30, 600, Loader([APPOINTMENT]))
    other = await cache.fetch(KEY + "x", AppointmentRecord, 30, 600, Loader([]))
    assert other.records == []


async def test_concurrent_fetches_share_one_load(make_cache: CacheFactory) -> None:
    cache = await make_cache()
    load = Loader([APPOINTMENT], delay=0.05)
    results = await asyncio.gather(
        *(cache.fetch(KEY, AppointmentRecord, 30, 600, load) for _ in range(20))
    )
    assert load.calls == 1
    assert all(r is results[0] for r in results)


async def test_concurrent_fetches_share_one_failure(make_cache: CacheFactory) -> None:
    cache = await make_cache()
    load = Loader(UpstreamTimeout("rm"), delay=0.05)
    results = await asyncio.gather(
        *(cache.fetch(KEY, AppointmentRecord, 30, 600, load) for _ in range(20)),
        return_exceptions=True,
    )
    assert load.calls == 1
    assert all(isinstance(r, UpstreamTimeout) for r in results)
    assert len({id(r) for r in results}) == 1


async def test_a_caller_giving_up_does_not_cancel_the_others(make_cache: CacheFactory) -> None:
    cache = await make_cache()
    load = Loader([APPOINTMENT], delay=0.1)
    quitter = asyncio.create_task(cache.fetch(KEY, AppointmentRecord, 30, 600, load))
    stayer = asyncio.create_task(cache.fetch(KEY, AppointmentRecord, 30, 600, load))
    await asyncio.sleep(0.02)
    quitter.cancel()
    assert (await stayer).records == [APPOINTMENT]
    assert quitter.cancelled()
    assert load.calls == 1


async def test_abandoned_failure_is_not_reported_as_unretrieved(make_cache: CacheFactory) -> None:
    reported: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda _, context: reported.append(context))
    try:
        cache = await make_cache()
        load = Loader(UpstreamTimeout("rm"), delay=0.05)
        task = asyncio.create_task(cache.fetch(KEY, AppointmentRecord, 30, 600, load))
        await asyncio.sleep(0.01)
        task.cancel()
        await asyncio.sleep(0.1)  # the shared load fails with nobody left to see it
        gc.collect()
    finally:
        loop.set_exception_handler(None)
    assert load.calls == 1
    assert reported == []


async def test_ttl_expiry_reloads(make_cache: CacheFactory) -> None:
    clock = FakeClock()
    cache = await make_cache(clock=clock)
    load = Loader([APPOINTMENT], [PLAN])
    await cache.fetch(KEY, AppointmentRecord, 30, 600, load)
    clock.advance(29)
    assert (await cache.fetch(KEY, AppointmentRecord, 30, 600, load)).records == [APPOINTMENT]
    clock.advance(1)
    reloaded = await cache.fetch(KEY, PlanRecord, 30, 600, load)
    assert reloaded.records == [PLAN]
    assert reloaded.fetched_at == clock.now
    assert load.calls == 2


async def test_stale_if_error(make_cache: CacheFactory) -> None:
    clock = FakeClock()
    cache = await make_cache(clock=clock)
    await cache.fetch(KEY, AppointmentRecord, 30, 600, Loader([APPOINTMENT]))
    stored_at = clock.now
    clock.advance(300)
    failure = UpstreamUnavailable("rm")
    got: Cached[AppointmentRecord] = await cache.fetch(
        KEY, AppointmentRecord, 30, 600, Loader(failure)
    )
    assert got.stale
    assert got.error is failure
    assert got.records == [APPOINTMENT]
    assert got.fetched_at == stored_at
    clock.advance(300)  # now 600 s old: too old even to fall back on
    with pytest.raises(UpstreamUnavailable):
        await cache.fetch(KEY, AppointmentRecord, 30, 600, Loader(failure))


async def test_failure_with_nothing_stored_raises(make_cache: CacheFactory) -> None:
    cache = await make_cache()
    with pytest.raises(UpstreamTimeout):
        await cache.fetch(KEY, AppointmentRecord, 30, 600, Loader(UpstreamTimeout("rm")))


async def test_other_exceptions_are_not_swallowed(make_cache: CacheFactory) -> None:
    cache = await make_cache()
    await cache.fetch(KEY, AppointmentRecord, 0, 600, Loader([APPOINTMENT]))
    with pytest.raises(ZeroDivisionError):
        await cache.fetch(KEY, AppointmentRecord, 0, 600, Loader(ZeroDivisionError()))


async def test_entries_expire_after_ttl_plus_stale(make_cache: CacheFactory) -> None:
    cache = await make_cache()
    await cache.fetch(KEY, AppointmentRecord, 0.05, 0.1, Loader([APPOINTMENT]))
    await asyncio.sleep(0.3)
    with pytest.raises(UpstreamTimeout):
        await cache.fetch(KEY, AppointmentRecord, 0.05, 0.1, Loader(UpstreamTimeout("rm")))


@pytest.mark.parametrize(
    "payload", [pickle.dumps([APPOINTMENT]), "garbage", '{"v": 1}', HOSTILE["wrong-tag"]]
)
async def test_hostile_cached_value_is_a_miss(
    make_cache: CacheFactory, payload: str | bytes
) -> None:
    cache = await make_cache()
    await cache._backend.set(_backend_key(KEY), payload)
    load = Loader([APPOINTMENT])
    assert (await cache.fetch(KEY, AppointmentRecord, 30, 600, load)).records == [APPOINTMENT]
    assert load.calls == 1


async def test_wrong_record_type_is_a_miss(make_cache: CacheFactory) -> None:
    cache = await make_cache()
    await cache.fetch(KEY, AppointmentRecord, 30, 600, Loader([APPOINTMENT]))
    load = Loader([PLAN])
    assert (await cache.fetch(KEY, PlanRecord, 30, 600, load)).records == [PLAN]
    assert load.calls == 1


@pytest.mark.redis
@pytest.mark.skipif(not REDIS_URL, reason="SPO_TEST_REDIS_URL is not set")
async def test_redis_keys_are_namespaced_and_hashed() -> None:
    assert REDIS_URL is not None
    namespace = f"spo-test-{uuid.uuid4().hex}"
    cache = RecordCache(REDIS_URL, namespace=namespace)
    try:
        await cache.fetch(KEY, AppointmentRecord, 30, 600, Loader([APPOINTMENT]))
        await cache.flush()  # the write happens off the response path
        client = redis.from_url(REDIS_URL)
        try:
            keys = [k async for k in client.scan_iter(match=f"{namespace}:*")]
            assert keys == [f"{namespace}:{_backend_key(KEY)}".encode()]
            assert b"0108589995" not in keys[0]
            ttl = await client.pttl(keys[0])
            assert 600_000 < ttl <= 630_000
        finally:
            await client.aclose()
    finally:
        await cache.close()
        await _purge(REDIS_URL, namespace)


async def test_unreachable_redis_falls_back_to_load() -> None:
    cache = RecordCache("redis://127.0.0.1:1/0", op_timeout_s=0.2)
    try:
        load = Loader([APPOINTMENT])
        started = time.monotonic()
        for _ in range(2):
            got = await cache.fetch(KEY, AppointmentRecord, 30, 600, load)
            assert got.records == [APPOINTMENT]
            assert not got.stale
        assert load.calls == 2
        assert time.monotonic() - started < 2.0
    finally:
        await cache.close()


async def test_unreachable_redis_still_raises_upstream_errors() -> None:
    cache = RecordCache("redis://127.0.0.1:1/0", op_timeout_s=0.2)
    try:
        with pytest.raises(UpstreamUnavailable):
            await cache.fetch(KEY, AppointmentRecord, 30, 600, Loader(UpstreamUnavailable("rm")))
    finally:
        await cache.close()


@pytest.mark.parametrize("url", ["memcached://x", "redis://h/db0", "file:///tmp/x"])
def test_bad_cache_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="cache URL"):
        RecordCache(url)


# --- the lean paths: age from the header, writes off the response path, hits without tasks ---


def _envelope(at: datetime, payload: str) -> str:
    """A stored value fetched ``at`` whose payload is ``payload`` (however broken)."""
    header, _, _ = pack(Answer([APPOINTMENT]), at).partition("\n")
    return f"{header}\n{payload}"


async def test_an_expired_value_is_not_decoded(
    make_cache: CacheFactory, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock()
    cache = await make_cache(clock=clock)
    # Its header says it is a minute old (expired at a 30 s TTL); its payload would not decode.
    await cache._backend.set(_backend_key(KEY), _envelope(clock.now - timedelta(seconds=60), "{"))
    load = Loader([APPOINTMENT])
    with caplog.at_level(logging.WARNING, logger="connectors.cache"):
        got = await cache.fetch(KEY, AppointmentRecord, 30, 600, load)
    assert got.records == [APPOINTMENT]
    assert load.calls == 1
    assert "rejected" not in caplog.text


async def test_a_fresh_value_that_does_not_decode_is_a_logged_miss(
    make_cache: CacheFactory, caplog: pytest.LogCaptureFixture
) -> None:
    # The counterpart of the test above: the same payload under a fresh header IS decoded.
    clock = FakeClock()
    cache = await make_cache(clock=clock)
    await cache._backend.set(_backend_key(KEY), _envelope(clock.now, "{"))
    load = Loader([APPOINTMENT])
    with caplog.at_level(logging.WARNING, logger="connectors.cache"):
        got = await cache.fetch(KEY, AppointmentRecord, 30, 600, load)
    assert got.records == [APPOINTMENT]
    assert load.calls == 1
    assert "rejected" in caplog.text


async def test_an_expired_value_is_decoded_when_served_stale(make_cache: CacheFactory) -> None:
    clock = FakeClock()
    cache = await make_cache(clock=clock)
    stored_at = clock.now - timedelta(seconds=60)
    await cache._backend.set(_backend_key(KEY), pack(Answer([APPOINTMENT]), stored_at))
    failure = UpstreamUnavailable("rm")
    got = await cache.fetch(KEY, AppointmentRecord, 30, 600, Loader(failure))
    assert got.stale
    assert got.records == [APPOINTMENT]
    assert got.fetched_at == stored_at


class Gate:
    """Holds the backend's writes until opened; counts those that completed."""

    def __init__(self, cache: RecordCache, fail: bool = False) -> None:
        self.opened = asyncio.Event()
        self.started = 0
        self.completed = 0
        self.fail = fail
        real = cache._backend.set

        async def set_(*args: Any, **kwargs: Any) -> Any:
            self.started += 1
            await self.opened.wait()
            if self.fail:
                raise ConnectionError("the cache is gone")
            done = await real(*args, **kwargs)
            self.completed += 1
            return done

        cache._backend.set = set_


async def test_fetch_returns_before_the_write_and_a_later_fetch_hits(
    make_cache: CacheFactory,
) -> None:
    cache = await make_cache()
    gate = Gate(cache)
    load = Loader([APPOINTMENT])
    got = await cache.fetch(KEY, AppointmentRecord, 30, 600, load)
    assert got.records == [APPOINTMENT]
    await asyncio.sleep(0.01)
    assert (gate.started, gate.completed) == (1, 0)  # the write waits; the caller did not
    assert await cache._backend.get(_backend_key(KEY)) is None
    again = await cache.fetch(KEY, AppointmentRecord, 30, 600, load)
    assert again.records == [APPOINTMENT]
    assert load.calls == 1
    gate.opened.set()
    await cache.flush()
    assert gate.completed == 1
    assert await cache._backend.get(_backend_key(KEY)) is not None
    if getattr(cache._backend, "client", None) is None:
        return  # a memory backend is its process's own
    # Another process (a replica) on the same Redis now hits too.
    other = await make_cache()
    third = await other.fetch(KEY, AppointmentRecord, 30, 600, load)
    assert third.records == [APPOINTMENT]
    assert third.fetched_at == got.fetched_at
    assert load.calls == 1


async def test_close_drains_the_writes(make_cache: CacheFactory) -> None:
    cache = await make_cache()
    gate = Gate(cache)
    await cache.fetch(KEY, AppointmentRecord, 30, 600, Loader([APPOINTMENT]))
    closing = asyncio.create_task(cache.close())
    await asyncio.sleep(0.01)
    assert not closing.done()  # waiting for the write
    gate.opened.set()
    await closing
    assert gate.completed == 1


async def test_a_failed_write_is_counted_and_a_miss_next_time(
    make_cache: CacheFactory, caplog: pytest.LogCaptureFixture
) -> None:
    cache = await make_cache()
    gate = Gate(cache, fail=True)
    gate.opened.set()
    load = Loader([APPOINTMENT])
    failed = _sample("spo_cache_errors_total", op="write")
    with caplog.at_level(logging.DEBUG, logger="connectors.cache"):
        first = await cache.fetch(KEY, AppointmentRecord, 30, 600, load)
        await cache.flush()
    assert first.records == [APPOINTMENT]
    assert _sample("spo_cache_errors_total", op="write") == failed + 1
    # One failure is no change of the cache's state: a debug line, no warning.
    ours = [r.levelno for r in caplog.records if r.name == "connectors.cache"]
    assert ours == [logging.DEBUG]
    assert "ConnectionError" in caplog.text
    again = await cache.fetch(KEY, AppointmentRecord, 30, 600, load)
    assert again.records == [APPOINTMENT]
    assert load.calls == 2


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_concurrent_misses_still_share_one_load_and_one_write(
    make_cache: CacheFactory,
) -> None:
    cache = await make_cache()
    gate = Gate(cache)
    gate.opened.set()
    load = Loader([APPOINTMENT], delay=0.05)
    results = await asyncio.gather(
        *(cache.fetch(KEY, AppointmentRecord, 30, 600, load) for _ in range(10))
    )
    await cache.flush()
    assert load.calls == 1
    assert gate.completed == 1
    assert all(r.records == [APPOINTMENT] for r in results)


async def test_a_fresh_hit_answers_without_waiting_on_anything(make_cache: CacheFactory) -> None:
    cache = await make_cache()
    await cache.fetch(KEY, AppointmentRecord, 30, 600, Loader([APPOINTMENT]))
    # Driven by hand: a hit that created (and awaited) a task, or read the backend, would suspend.
    tasks_before = len(asyncio.all_tasks())
    coro = cache.fetch(KEY, AppointmentRecord, 30, 600, Loader(UpstreamTimeout("rm")))
    with pytest.raises(StopIteration) as done:
        coro.send(None)
    got: Cached[AppointmentRecord] = done.value.value
    assert got.records == [APPOINTMENT]
    assert len(asyncio.all_tasks()) == tasks_before


async def test_a_hit_hands_out_its_own_list(make_cache: CacheFactory) -> None:
    cache = await make_cache()
    first = await cache.fetch(KEY, AppointmentRecord, 30, 600, Loader([APPOINTMENT]))
    first.records.clear()
    again = await cache.fetch(KEY, AppointmentRecord, 30, 600, Loader([PLAN]))
    assert again.records == [APPOINTMENT]


async def test_held_is_the_fresh_value_this_process_holds(make_cache: CacheFactory) -> None:
    clock = FakeClock()
    cache = await make_cache(clock=clock)
    assert cache.held(KEY, AppointmentRecord, 30) is None
    fetched = await cache.fetch(KEY, AppointmentRecord, 30, 600, Loader([APPOINTMENT]))
    held = cache.held(KEY, AppointmentRecord, 30)
    assert held is not None
    assert (held.records, held.fetched_at, held.stale) == ([APPOINTMENT], fetched.fetched_at, False)
    assert held.origin is fetched.origin is not None  # one stored value, one identity
    assert cache.held(KEY, PlanRecord, 30) is None
    clock.advance(30)
    assert cache.held(KEY, AppointmentRecord, 30) is None

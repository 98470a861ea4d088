from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, cast

import icalendar
import pytest

from domain.records import Address, AppointmentRecord, AppointmentStatus, OrgRef, Place
from gateway.ical import render_calendar
from resolvers.calendar import TZ

NOW = datetime(2026, 5, 1, 8, 15, 30, tzinfo=UTC)
AUH = Place(
    "Aarhus Universitetshospital, Øjensygdomme",
    sor="265311000016005",
    address=Address(("Palle Juul-Jensens Boulevard 99",), "8200", "Aarhus N"),
)
SECRET_REASON = "Hemmelig årsag: kontrol af depression"

Factory = Callable[..., AppointmentRecord]


@pytest.fixture
def appointment() -> Factory:
    def make(**overrides: Any) -> AppointmentRecord:
        fields: dict[str, Any] = {
            "source": "rm-fhir",
            "id": "apt-1",
            "status": AppointmentStatus.BOOKED,
            "start": datetime(2026, 6, 15, 9, 30, tzinfo=TZ),
            "end": datetime(2026, 6, 15, 10, 15, tzinfo=TZ),
            "title": "Kontrol af grå stær",
            "organization": OrgRef("265311000016005", "Aarhus Universitetshospital"),
            "place": AUH,
            "reason": SECRET_REASON,
            "version": "2",
        }
        fields.update(overrides)
        return AppointmentRecord(**fields)

    return make


def render(*records: AppointmentRecord, name: str = "Mine aftaler") -> bytes:
    return render_calendar(records, calendar_name=name, now=NOW)


def parse(data: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(data)


def events(data: bytes) -> list[icalendar.Event]:
    return parse(data).events


def test_calendar_header(appointment: Factory) -> None:
    cal = parse(render(appointment(), name="Aftaler for Nancy Ann Berggren"))
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["PRODID"]).startswith("-//")
    assert str(cal["CALSCALE"]) == "GREGORIAN"
    assert str(cal["X-WR-CALNAME"]) == "Aftaler for Nancy Ann Berggren"
    assert str(cal["X-WR-TIMEZONE"]) == "Europe/Copenhagen"


def test_one_vtimezone_with_eu_rules(appointment: Factory) -> None:
    data = render(appointment(), appointment(id="apt-2"))
    assert data.count(b"BEGIN:VTIMEZONE\r\n") == 1
    (vtimezone,) = parse(data).timezones
    assert str(vtimezone["TZID"]) == "Europe/Copenhagen"
    rules = {sub.name: sub for sub in vtimezone.subcomponents}
    assert sorted(rules) == ["DAYLIGHT", "STANDARD"]
    # Two yearly rules (last Sunday of March and of October), not a list of dates that ends.
    for name, month in (("DAYLIGHT", 3), ("STANDARD", 10)):
        rrule = cast(icalendar.vRecur, rules[name]["RRULE"])
        assert rrule["FREQ"] == ["YEARLY"]
        assert rrule["BYMONTH"] == [month]
        assert rrule["BYDAY"] == ["-1SU"]
        assert "RDATE" not in rules[name]
    zone = vtimezone.to_tz()
    for instant in (
        datetime(2026, 1, 10, 12, tzinfo=UTC),
        datetime(2026, 3, 29, 0, 59, tzinfo=UTC),
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        datetime(2026, 7, 10, 12, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 59, tzinfo=UTC),
        datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
    ):
        assert instant.astimezone(zone).utcoffset() == instant.astimezone(TZ).utcoffset()


def test_events_count_and_uids(appointment: Factory) -> None:
    data = render(
        appointment(id="apt-1"),
        appointment(source="aarhus-apd", id="2.16.840.1.113883.3.4208.100.6"),
        appointment(id="no-start", start=None, end=None),
        appointment(id="old", superseded=True),
    )
    assert [str(ev["UID"]) for ev in events(data)] == [
        "rm-fhir-apt-1@spo.invalid",
        "aarhus-apd-2.16.840.1.113883.3.4208.100.6@spo.invalid",
    ]


def test_uid_is_stable_across_versions_and_newest_wins(appointment: Factory) -> None:
    v1 = appointment(version="1", title="Forundersøgelse")
    v2 = appointment(
        version="2", title="Forundersøgelse (flyttet)", start=datetime(2026, 6, 16, 9, tzinfo=TZ)
    )
    uid1 = str(events(render(v1))[0]["UID"])
    uid2 = str(events(render(v2))[0]["UID"])
    assert uid1 == uid2
    both = events(render(v2, v1))
    assert len(both) == 1
    assert str(both[0]["SUMMARY"]) == "Forundersøgelse (flyttet)"
    assert both[0].decoded("SEQUENCE") == 2


def test_newest_by_updated_when_versions_are_not_numeric(appointment: Factory) -> None:
    old = appointment(version="W/a", updated=datetime(2026, 5, 1, tzinfo=UTC), title="Gammel")
    new = appointment(version="W/b", updated=datetime(2026, 5, 2, tzinfo=UTC), title="Ny")
    (event,) = events(render(new, old))
    assert str(event["SUMMARY"]) == "Ny"
    assert "SEQUENCE" not in event
    assert event.decoded("LAST-MODIFIED") == datetime(2026, 5, 2, tzinfo=UTC)


@pytest.mark.parametrize(
    "start",
    [
        datetime(2026, 6, 15, 9, 30, tzinfo=TZ),  # summer
        datetime(2026, 12, 1, 9, 30, tzinfo=TZ),  # winter
        datetime(2026, 3, 29, 3, 0, tzinfo=TZ),  # first hour of summer time
        datetime(2026, 10, 25, 2, 30, tzinfo=TZ),  # repeated hour, first time (CEST)
        datetime(2026, 6, 15, 9, 30, tzinfo=timezone(timedelta(hours=2))),  # FHIR +02:00
        datetime(2026, 6, 15, 7, 30, tzinfo=UTC),  # APD/MedCom all-Z
    ],
)
def test_times_are_copenhagen_local_with_tzid(appointment: Factory, start: datetime) -> None:
    data = render(appointment(start=start, end=start + timedelta(minutes=45)))
    (event,) = events(data)
    assert event["DTSTART"].params["TZID"] == "Europe/Copenhagen"
    assert event["DTEND"].params["TZID"] == "Europe/Copenhagen"
    assert event.decoded("DTSTART") == start
    assert event.decoded("DTEND") == start + timedelta(minutes=45)
    local = start.astimezone(TZ).strftime("%Y%m%dT%H%M%S")
    assert f"DTSTART;TZID=Europe/Copenhagen:{local}\r\n".encode() in data


def test_second_pass_of_repeated_hour_is_written_in_utc(appointment: Factory) -> None:
    # 02:30 CET on 25 Oct 2026; written as local 02:30 it would read as 02:30 CEST.
    start = datetime(2026, 10, 25, 2, 30, tzinfo=TZ, fold=1)
    data = render(appointment(start=start, end=start + timedelta(minutes=30)))
    assert b"DTSTART:20261025T013000Z\r\n" in data
    (event,) = events(data)
    assert event.decoded("DTSTART") == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2026, 10, 25, 2, 0, tzinfo=UTC)


def test_end_in_the_repeated_hour_is_compared_as_an_instant(appointment: Factory) -> None:
    # 02:30 CEST to 02:15 CET: earlier on the wall clock, 45 minutes later in fact.
    start = datetime(2026, 10, 25, 2, 30, tzinfo=TZ)
    end = datetime(2026, 10, 25, 2, 15, tzinfo=TZ, fold=1)
    (event,) = events(render(appointment(start=start, end=end)))
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=45)


def test_dtstamp_is_utc_now(appointment: Factory) -> None:
    data = render(appointment())
    assert b"DTSTAMP:20260501T081530Z\r\n" in data
    assert events(data)[0].decoded("DTSTAMP") == NOW


@pytest.mark.parametrize(
    "end",
    [None, datetime(2026, 6, 15, 9, 30, tzinfo=TZ), datetime(2026, 6, 15, 9, tzinfo=TZ)],
    ids=["unknown", "equal-to-start", "before-start"],
)
def test_no_dtend_without_a_usable_end(appointment: Factory, end: datetime | None) -> None:
    (event,) = events(render(appointment(end=end)))
    assert "DTEND" not in event
    assert "DURATION" not in event


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (AppointmentStatus.CANCELLED, "CANCELLED"),
        (AppointmentStatus.ENTERED_IN_ERROR, "CANCELLED"),
        (AppointmentStatus.BOOKED, "CONFIRMED"),
        (AppointmentStatus.ARRIVED, "CONFIRMED"),
        (AppointmentStatus.CHECKED_IN, "CONFIRMED"),
        (AppointmentStatus.FULFILLED, "CONFIRMED"),
        (AppointmentStatus.NOSHOW, "CONFIRMED"),
        (AppointmentStatus.PROPOSED, "TENTATIVE"),
        (AppointmentStatus.PENDING, "TENTATIVE"),
        (AppointmentStatus.WAITLIST, "TENTATIVE"),
    ],
)
def test_status(appointment: Factory, status: AppointmentStatus, expected: str) -> None:
    (event,) = events(render(appointment(status=status)))
    assert str(event["STATUS"]) == expected


def test_every_status_is_mapped(appointment: Factory) -> None:
    records = [appointment(id=s.value, status=s) for s in AppointmentStatus]
    assert len(events(render(*records))) == len(AppointmentStatus)


@pytest.mark.parametrize(
    ("version", "sequence"),
    [("7", 7), ("0", 0), (None, None), ('W/"3"', None), ("1.2", None), ("²", None)],
)
def test_sequence_only_for_numeric_versions(
    appointment: Factory, version: str | None, sequence: int | None
) -> None:
    (event,) = events(render(appointment(version=version)))
    assert event.decoded("SEQUENCE", None) == sequence


def test_location_from_place(appointment: Factory) -> None:
    (event,) = events(render(appointment()))
    assert str(event["LOCATION"]) == (
        "Aarhus Universitetshospital, Øjensygdomme, Palle Juul-Jensens Boulevard 99, 8200 Aarhus N"
    )


def test_home_visit_does_not_export_the_home_address(appointment: Factory) -> None:
    home = Place(
        "Borgers Hjemmeadresse",
        address=Address(("Testvej 12, 2. tv.",), "9900", "Frederikshavn"),
        is_home=True,
    )
    data = render(appointment(place=home), appointment(id="2", place=Place(None, is_home=True)))
    assert [str(ev["LOCATION"]) for ev in events(data)] == ["Borgers Hjemmeadresse", "Hjemme"]
    assert b"Testvej" not in data


def test_no_location_without_place(appointment: Factory) -> None:
    (event,) = events(render(appointment(place=None)))
    assert "LOCATION" not in event


def test_reason_never_leaks(appointment: Factory) -> None:
    gp = appointment(
        source="gp-larsen",
        title="Aftale hos praktiserende læge",
        reason=SECRET_REASON,
        status=AppointmentStatus.CANCELLED,
    )
    data = render(appointment(), gp, appointment(id="x", end=None))
    text = data.replace(b"\r\n ", b"").decode()
    assert "Hemmelig" not in text
    assert "depression" not in text
    assert icalendar.vText(SECRET_REASON).to_ical().decode() not in text
    assert "REASON" not in text
    assert "DESCRIPTION" not in text


def test_crlf_line_endings(appointment: Factory) -> None:
    data = render(appointment(title="Linje 1\nLinje 2\r\nLinje 3"))
    assert data.endswith(b"END:VCALENDAR\r\n")
    assert data.count(b"\n") == data.count(b"\r\n")
    assert b"\r" not in data.replace(b"\r\n", b"")


LONG_TITLE = (
    "Opfølgende samtale på Øre-, Næse- og Halskirurgisk Afdeling vedrørende høreapparat; "
    "mød op i Forhal Æ, Skødstrup. Husk sygesikringsbevis og medicinliste — tandlæge 🦷 følger"
)


@pytest.mark.parametrize(
    "title",
    [LONG_TITLE, "æ" * 200, "ø" + "a" * 73 + "å" * 10, "a" * 74 + "🦷" * 30],
    ids=["danish", "all-two-byte", "boundary", "four-byte"],
)
def test_folding_at_75_octets_never_splits_a_character(appointment: Factory, title: str) -> None:
    data = render(appointment(title=title))
    physical = data.split(b"\r\n")
    assert physical[-1] == b""
    for line in physical[:-1]:
        assert len(line) <= 75
        line.decode("utf-8")  # each physical line on its own is whole UTF-8
    assert any(line.startswith(b" ") for line in physical)
    (event,) = events(data)
    assert str(event["SUMMARY"]) == title


def test_short_lines_are_not_folded(appointment: Factory) -> None:
    data = render(appointment(title="Kort"))
    assert b"SUMMARY:Kort\r\n" in data


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("Kontrol; blodprøve, EKG", "Kontrol\\; blodprøve\\, EKG"),
        ("C:\\sti\\til", "C:\\\\sti\\\\til"),
        ("Linje 1\nLinje 2", "Linje 1\\nLinje 2"),
        ("Linje 1\r\nLinje 2\rLinje 3", "Linje 1\\nLinje 2\\nLinje 3"),
        ("Klokke\x07 og\x00 nul", "Klokke  og  nul"),
        ("Tabulator\tbevares", "Tabulator\tbevares"),
        ('Citat "Dr. Ærø": kl. 10', 'Citat "Dr. Ærø": kl. 10'),
    ],
)
def test_text_is_escaped(appointment: Factory, raw: str, escaped: str) -> None:
    data = render(appointment(title=raw))
    assert f"SUMMARY:{escaped}\r\n".encode() in data.replace(b"\r\n ", b"")


def test_escaping_round_trips_through_a_real_parser(appointment: Factory) -> None:
    title = 'Samtale; "pårørende", mor\\far\nMødested: Indgang C, 1. sal'
    data = render(appointment(title=title), name="Aftaler; Anne, Test\\Berggren")
    assert b'SUMMARY:Samtale\\; "p' in data
    (event,) = events(data)
    assert str(event["SUMMARY"]) == title
    # icalendar leaves X- properties as written; X-WR-CALNAME is TEXT to the apps that read it.
    assert b"X-WR-CALNAME:Aftaler\\; Anne\\, Test\\\\Berggren\r\n" in data


def test_empty_calendar_is_valid() -> None:
    cal = parse(render())
    assert cal.events == []
    assert len(cal.timezones) == 1


def test_naive_times_are_refused(appointment: Factory) -> None:
    with pytest.raises(ValueError, match="aware"):
        render_calendar([appointment()], calendar_name="x", now=datetime(2026, 5, 1))
    with pytest.raises(ValueError, match="no time zone"):
        render(appointment(start=datetime(2026, 6, 15, 9, 30)))
    with pytest.raises(ValueError, match="no time zone"):
        render(appointment(end=datetime(2026, 6, 15, 10, 30)))


def test_both_passes_of_the_repeated_autumn_hour_stay_two_instants(appointment: Factory) -> None:
    # 2026-10-25 02:30 happens twice in Copenhagen: at 00:30 UTC (CEST) and at 01:30 UTC (CET).
    first = datetime(2026, 10, 25, 2, 30, tzinfo=TZ)
    second = datetime(2026, 10, 25, 2, 30, tzinfo=TZ, fold=1)
    assert first.astimezone(UTC) != second.astimezone(UTC)

    def later(start: datetime) -> datetime:  # wall-clock arithmetic would drop ``fold``
        return (start.astimezone(UTC) + timedelta(minutes=20)).astimezone(TZ)

    data = render(
        appointment(id="first", start=first, end=later(first)),
        appointment(id="second", start=second, end=later(second)),
    )
    assert b"DTSTART;TZID=Europe/Copenhagen:20261025T023000\r\n" in data
    assert b"DTSTART:20261025T013000Z\r\n" in data
    got = {str(ev["UID"]): ev for ev in events(data)}
    # Compared as instants: Python compares two times of one zone object by their wall clock.
    assert got["rm-fhir-first@spo.invalid"].decoded("DTSTART").astimezone(UTC) == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )
    assert got["rm-fhir-second@spo.invalid"].decoded("DTSTART").astimezone(UTC) == datetime(
        2026, 10, 25, 1, 30, tzinfo=UTC
    )
    # Each lasts its 20 minutes, read back through the feed's own VTIMEZONE as well.
    zone = parse(data).timezones[0].to_tz()
    for event in got.values():
        start, end = (event.decoded(name).astimezone(UTC) for name in ("DTSTART", "DTEND"))
        assert end - start == timedelta(minutes=20)
        assert start.astimezone(zone).utcoffset() == start.astimezone(TZ).utcoffset()


def test_an_appointment_across_the_repeated_hour_keeps_its_length(appointment: Factory) -> None:
    # 01:30 CEST to 03:30 CET is three hours, though the wall clock says two.
    start = datetime(2026, 10, 25, 1, 30, tzinfo=TZ)
    end = datetime(2026, 10, 25, 3, 30, tzinfo=TZ)
    (event,) = events(render(appointment(start=start, end=end)))
    span = event.decoded("DTEND").astimezone(UTC) - event.decoded("DTSTART").astimezone(UTC)
    assert span == timedelta(hours=3)


def test_all_day_on_the_autumn_change_is_one_date(appointment: Factory) -> None:
    day = datetime(2026, 10, 25, tzinfo=TZ)
    data = render(appointment(start=day, end=datetime(2026, 10, 26, tzinfo=TZ), all_day=True))
    assert b"DTSTART;VALUE=DATE:20261025\r\n" in data
    assert b"DTEND;VALUE=DATE:20261026\r\n" in data

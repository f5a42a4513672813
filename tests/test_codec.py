"""Decoding stored records, and upcasting a real schema change (v1 date string -> v2 When)."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest

import timeline
from timeline import InvalidRecord, MemoryStore, RecordType, Upcaster, When
from timeline._codec import RecordCodec, encode_line
from timeline._records import chain_hash


def v1_line(seq: int = 1, previous: str = "0" * 64, date: str = "early December 2025") -> bytes:
    # Schema 1 stored the event date as a plain string under "date".
    payload = msgspec.json.encode(
        {
            "event": {
                "id": "e1",
                "kind": "treaty.signed",
                "date": date,
                "title": "Old",
                "actors": [{"country": "RUS"}],
            },
        }
    )
    if date == "early December 2025":
        payload = payload.replace(b'"early December 2025"', b'"2025-12"')
    at = "2020-01-01T00:00:00.000000Z"
    digest = chain_hash(previous, seq, "e1", 1, "recorded", at, 1, payload)
    return encode_line(seq, "e1", 1, "recorded", at, 1, payload, digest)


class TestUpcasting:
    def test_v1_record_reads_as_v2(self) -> None:
        """A schema-1 record (date as a plain string) decodes into a full When."""
        record = RecordCodec().decode_line(v1_line())
        assert 1 == record.schema
        assert record.event is not None
        assert When.parse("2025-12") == record.event.when

    def test_v1_log_opens_and_verifies(self) -> None:
        """A timeline over a log with old records replays them and the chain still verifies."""
        store = MemoryStore()
        store.backend._lines.append(v1_line())
        store.backend._hashes.append(msgspec.json.decode(v1_line())["hash"])
        store.backend._times.append("2020-01-01T00:00:00.000000Z")
        store.backend._streams["e1"] = [1]
        tl = timeline.Timeline(store)
        assert "2025-12" == tl.get("e1").when.edtf
        assert tl.verify().ok
        amended = tl.amend("e1", when="2025-12-02", reason="confirmed")
        assert 2 == tl.version("e1")
        assert "2025-12-02" == amended.when.edtf

    def test_missing_upcaster(self) -> None:
        """Without an upcaster for an old schema, reading names the type and schema."""
        codec = RecordCodec(upcasters=())
        with pytest.raises(InvalidRecord, match="recorded schema 1"):
            codec.decode_line(v1_line())

    def test_newer_schema_refused(self) -> None:
        """A record from a newer library version is refused with a clear reason."""
        with pytest.raises(InvalidRecord, match="newer geotimeline"):
            RecordCodec().upcast("recorded", 9, {})

    def test_custom_upcaster_chain(self) -> None:
        """Registered upcasters run in order; registering two for one step is refused."""
        calls: list[int] = []

        def step(payload: dict[str, object]) -> dict[str, object]:
            calls.append(1)
            return payload

        codec = RecordCodec(upcasters=())
        up = Upcaster(record_type="retracted", from_schema=0, function=step)
        codec.add(up)
        assert {"reason": "x"} == codec.upcast("retracted", 0, {"reason": "x"})
        assert [1] == calls
        with pytest.raises(InvalidRecord, match="registered already"):
            codec.add(Upcaster(record_type="retracted", from_schema=0, function=step))

    def test_garbage_line(self) -> None:
        """A line that is not a record raises InvalidRecord naming the place."""
        with pytest.raises(InvalidRecord, match=r"log\.jsonl:7"):
            RecordCodec().decode_line(b'{"nope": 1}', "log.jsonl:7")


def test_record_types_have_schemas() -> None:
    """Every record type has a current schema version."""
    assert {t.value for t in RecordType} == set(timeline._records.CURRENT_SCHEMA)


def test_timestamps_round_trip() -> None:
    """recorded_at is stored with microseconds in UTC and read back equal."""
    moment = dt.datetime(2025, 12, 2, 10, 30, 1, 123456, tzinfo=dt.timezone.utc)
    tl = timeline.Timeline(MemoryStore(), clock=lambda: moment)
    event = tl.record(kind="treaty.signed", when="2025-02-18", title="x")
    assert moment == tl.history(event.id)[0].recorded_at

"""Walking the hash chain: is the stored log exactly what was appended?"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import attrs
import msgspec

from ._clustered import place_key, unpack_event
from ._errors import InvalidRecord, TimelineError
from ._projection import CurrentState
from ._records import GENESIS_HASH, Payload, RawRecord, chain_hash
from ._snapshot import HEADER_SIZE, SnapshotHeader, read_header
from ._store import Store

__all__ = ["LogHead", "VerifyProgress", "VerifyReport", "verify_store"]

_HEAD = re.compile(r"^(\d+):([0-9a-f]{64})$")


@attrs.frozen
class LogHead:
    """The last record of a log: its seq and hash, in a form to publish or commit.

    Anyone holding a published head can later check that the log still contains
    that record unchanged (``verify(expect=head)``): a log cut back, or with its
    last records rewritten and re-hashed, no longer does. ``str(head)`` is
    ``SEQ:HASH``; ``LogHead.parse`` reads it back.
    """

    seq: int
    """The seq of the last record (0 for an empty log)."""
    hash: str
    """That record's hash (hex SHA-256; 64 zeros for an empty log)."""

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"

    @classmethod
    def parse(cls, text: str) -> LogHead:
        """Read a head written as ``SEQ:HASH``.

        Raises:
            InvalidRecord: the text is not a seq, a colon and 64 lowercase hex digits.
        """
        found = _HEAD.match(text.strip()) if isinstance(text, str) else None
        if found is None:
            raise InvalidRecord(
                f"log head {text!r}", "expected SEQ:HASH (a seq, ':' and 64 lowercase hex digits)"
            )
        return cls(int(found[1]), found[2])

    @classmethod
    def coerce(cls, value: LogHead | str) -> LogHead:
        """Return ``value`` as a LogHead, parsing a ``SEQ:HASH`` string.

        Raises:
            InvalidRecord: a string that is not a head.
        """
        return value if isinstance(value, LogHead) else cls.parse(value)


@attrs.frozen(kw_only=True)
class VerifyReport:
    """The result of ``Timeline.verify()``; true when the log is intact."""

    ok: bool
    """Whether every record is present, in order, and unchanged."""
    checked: int
    """How many records were checked (up to the first bad one)."""
    first_bad_seq: int | None = None
    """The seq of the first bad record (or where the first missing one should be)."""
    reason: str | None = None
    """Why it is bad: payload changed, record missing, order broken, unreadable, truncated."""
    head_hash: str = GENESIS_HASH
    """The hash of the last good record: publish it to let others check your log."""
    repairs: tuple[str, ...] = ()
    """Notes of the store opened for this check: what opening the log would repair."""

    @property
    def head(self) -> LogHead:
        """The last good record's seq and hash (``SEQ:HASH`` to publish)."""
        return LogHead(self.checked, self.head_hash)

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        if self.ok:
            return f"ok: {self.checked} records, head hash {self.head_hash}"
        return f"bad record at seq {self.first_bad_seq}: {self.reason}"


#: Wraps what a check walks, given how many records the log holds, and yields the same
#: items (the CLI's progress bar): ``progress(rows, count)``.
VerifyProgress = Callable[[Iterator[Any], int], Iterable[Any]]


def verify_store(
    store: Store, expect: LogHead | str | None = None, progress: VerifyProgress | None = None
) -> VerifyReport:
    """Check a store's records: gap-free seq, per-stream versions and the hash chain.

    Args:
        store: the log to check.
        expect: a head published earlier (``SEQ:HASH``): the log must still hold
            that record with that hash, else it was truncated or rewritten.
        progress: wraps the records as they are checked (``VerifyProgress``).

    Raises:
        InvalidRecord: ``expect`` is not a head.
    """
    expected_head = None if expect is None else LogHead.coerce(expect)
    snapshot = _snapshot_header(store)
    snapshot_hash: str | None = None
    previous = GENESIS_HASH
    expected_seq = 1
    versions: dict[str, int] = {}
    checked = 0
    # The seq of the last record of the append being walked, while inside one.
    batch_end: int | None = None
    # A clustered copy the walks read (SQLite's, opt-in): checked against the log after it,
    # from each live event's current seq (0 for a retracted one).
    clustered = store.backend.clustered_rows()
    current: dict[str, int] | None = None if clustered is None else {}
    head_before = store.head() if clustered is not None else 0

    def bad(seq: int | None, reason: str) -> VerifyReport:
        return VerifyReport(
            ok=False, checked=checked, first_bad_seq=seq, reason=reason, head_hash=previous
        )

    try:
        rows: Iterable[tuple[RawRecord, Payload | Exception]] = store.verify_rows()
        if progress is not None:
            rows = progress(iter(rows), store.head())
        for raw, decoded in rows:
            if raw.seq > expected_seq:
                return bad(
                    expected_seq, f"record missing: expected seq {expected_seq}, found {raw.seq}"
                )
            if raw.seq < expected_seq:
                return bad(
                    expected_seq, f"order broken: seq {raw.seq} where seq {expected_seq} was due"
                )
            version = versions.get(raw.stream, 0) + 1
            if raw.version != version:
                return bad(
                    raw.seq,
                    f"order broken: event {raw.stream} version {raw.version} "
                    f"where version {version} was due",
                )
            payload = bytes(raw.payload)
            digest = chain_hash(
                previous,
                raw.seq,
                raw.stream,
                raw.version,
                raw.type,
                raw.recorded_at,
                raw.schema,
                payload,
                raw.batch_end,
            )
            if digest != raw.hash:
                return bad(
                    raw.seq, "payload changed: the stored hash does not match the record's contents"
                )
            # A record whose chain holds but that does not decode (a newer schema, a bad
            # payload written by a buggy tool) stops replay too.
            if isinstance(decoded, TimelineError):
                return bad(raw.seq, f"unreadable: {decoded}")
            if isinstance(decoded, Exception):
                return bad(raw.seq, f"unreadable: the payload does not decode ({decoded})")
            problem = _batch_problem(raw.seq, raw.batch_end, batch_end)
            if problem:
                return bad(raw.seq, problem)
            batch_end = None if raw.batch_end in (None, raw.seq) else raw.batch_end
            if (
                expected_head is not None
                and raw.seq == expected_head.seq
                and digest != expected_head.hash
            ):
                return bad(
                    raw.seq,
                    f"rewritten: the record at seq {raw.seq} is not the one of the "
                    f"expected head {expected_head} (its hash is {digest})",
                )
            if snapshot is not None and raw.seq == snapshot.seq:
                snapshot_hash = digest
            versions[raw.stream] = version
            if current is not None:
                current[raw.stream] = 0 if raw.type == "retracted" else raw.seq
            previous = digest
            expected_seq += 1
            checked += 1
    except TimelineError as exc:
        return bad(expected_seq, f"unreadable: {exc}")
    if batch_end is not None:
        return bad(
            expected_seq,
            f"unfinished append: the log ends inside the append that ends at seq {batch_end} "
            "(cut back, or a crash not yet repaired)",
        )
    if expected_head is not None and expected_head.seq > checked:
        return bad(
            checked + 1,
            f"truncated: the log ends at seq {checked}, before the expected head {expected_head}",
        )
    if snapshot is not None and snapshot.seq > checked:
        return bad(
            checked + 1,
            f"truncated: the log ends at seq {checked}, but its snapshot was taken at seq "
            f"{snapshot.seq}: records {checked + 1}-{snapshot.seq} are missing",
        )
    if snapshot is not None and snapshot.seq and snapshot_hash != snapshot.head_hash:
        return bad(
            snapshot.seq,
            f"rewritten: the record at seq {snapshot.seq} is not the one the snapshot was "
            "taken at (or the snapshot is damaged)",
        )
    # Checked when no append came in meanwhile (the copy would then be of a later state).
    if clustered is not None and current is not None and store.head() == head_before:
        try:
            copy_problem = _clustered_problem(store, clustered, current)
        except TimelineError as exc:
            copy_problem = (checked, f"unreadable: {exc}")
        if copy_problem is not None:
            return bad(copy_problem[0], f"clustered copy: {copy_problem[1]}")
    return VerifyReport(ok=True, checked=checked, head_hash=previous)


def _clustered_problem(
    store: Store, rows: Iterator[list[tuple[bytes, str, int, bytes]]], current: dict[str, int]
) -> tuple[int, str] | None:
    """Say where and how a clustered copy disagrees with the log, given each event's current seq.

    Every row must be a live event's current record, keyed by its place in timeline
    order, its packed event (when it has one) equal to the record's; and every live
    event must have its row.
    """
    found = 0
    for batch in rows:
        for (key, stream, seq, packed), record in zip(
            batch, store.records_at([row[2] for row in batch]), strict=True
        ):
            event = record.payload.event
            if current.get(stream) != seq or event is None or event.id != stream:
                return seq, f"its row of event {stream!r} is not that event's current record"
            if key != place_key(event.when, event.id):
                return seq, f"event {stream!r} is not at its place in timeline order"
            try:
                same = not packed or unpack_event(packed) == event
            except msgspec.DecodeError:
                same = False
            if not same:
                return seq, f"its copy of event {stream!r} differs from the record"
            found += 1
    live = sum(1 for seq in current.values() if seq)
    if found != live:
        return max(current.values(), default=0), f"it holds {found} events, the log {live}"
    return None


def _snapshot_header(store: Store) -> SnapshotHeader | None:
    """Return the header of the current state's saved snapshot, if there is a readable one."""
    saved = store.load_snapshot(CurrentState.name, CurrentState.version, limit=HEADER_SIZE)
    if saved is None:
        return None
    try:
        return read_header(saved[1])
    except ValueError:
        return None


def _batch_problem(seq: int, marked: int | None, open_batch: int | None) -> str | None:
    """Say what is wrong with a record's batch mark, given the append being walked."""
    if open_batch is not None:
        if marked != open_batch:
            return (
                f"append broken: seq {seq} is marked {marked!r} inside the append that "
                f"ends at seq {open_batch}"
            )
        return None
    if marked is not None and marked <= seq:
        return f"append broken: seq {seq} starts an append marked to end at seq {marked}"
    return None

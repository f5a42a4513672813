"""Walking the hash chain: is the stored log exactly what was appended?"""

from __future__ import annotations

import attrs

from ._errors import TimelineError
from ._records import GENESIS_HASH, chain_hash
from ._store import Store

__all__ = ["VerifyReport", "verify_store"]


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
    """Why it is bad: payload changed, record missing, order broken, unreadable."""
    head_hash: str = GENESIS_HASH
    """The hash of the last good record: publish it to let others check your log."""

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        if self.ok:
            return f"ok: {self.checked} records, head hash {self.head_hash}"
        return f"bad record at seq {self.first_bad_seq}: {self.reason}"


def verify_store(store: Store) -> VerifyReport:
    """Check a store's records: gap-free seq, per-stream versions and the hash chain."""
    previous = GENESIS_HASH
    expected_seq = 1
    versions: dict[str, int] = {}
    checked = 0

    def bad(seq: int, reason: str) -> VerifyReport:
        return VerifyReport(
            ok=False, checked=checked, first_bad_seq=seq, reason=reason, head_hash=previous
        )

    try:
        for raw in store.read_raw():
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
            )
            if digest != raw.hash:
                return bad(
                    raw.seq, "payload changed: the stored hash does not match the record's contents"
                )
            versions[raw.stream] = version
            previous = digest
            expected_seq += 1
            checked += 1
    except TimelineError as exc:
        return bad(expected_seq, f"unreadable: {exc}")
    return VerifyReport(ok=True, checked=checked, head_hash=previous)

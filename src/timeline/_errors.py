"""The exception hierarchy: every error the library raises on purpose."""

from __future__ import annotations

import difflib
from typing import Any

__all__ = [
    "ConcurrencyError",
    "CorruptLog",
    "EventRetracted",
    "ImportFailed",
    "InvalidDate",
    "InvalidEvent",
    "InvalidEventDate",
    "InvalidOption",
    "InvalidRecord",
    "LogTruncated",
    "MissingDependency",
    "PluginError",
    "ReadOnlyTimeline",
    "StoreBusy",
    "StoreUnavailable",
    "TimelineError",
    "UnknownEvent",
    "UnknownKind",
    "UnknownPlugin",
]


class TimelineError(Exception):
    """Base class of every error geotimeline raises for bad input or state."""


class InvalidDate(TimelineError, ValueError):
    """A date or date phrase could not be understood.

    Args:
        text: the input as given.
        reason: why it was refused.
    """

    def __init__(self, text: object, reason: str) -> None:
        self.text = text
        self.reason = reason
        super().__init__(f"invalid date {text!r}: {reason}")


class InvalidEvent(TimelineError, ValueError):
    """A field of an event has a bad value.

    Args:
        field: the field's name (dotted for nested values, e.g. ``actors[1].country``).
        value: the value given.
        expected: what was expected instead.
    """

    def __init__(self, field: str, value: object, expected: str) -> None:
        self.field = field
        self.value = value
        self.expected = expected
        super().__init__(f"invalid event field {field!r}: got {value!r}, expected {expected}")


class UnknownKind(InvalidEvent):
    """An event kind is not registered; the message names the closest known kinds."""

    def __init__(self, kind: str, suggestions: list[str]) -> None:
        hint = (
            f"a registered kind (did you mean {', '.join(suggestions)}?)"
            if suggestions
            else ("a registered kind (see timeline.kinds())")
        )
        super().__init__("kind", kind, hint)
        self.suggestions = suggestions


class InvalidEventDate(InvalidEvent, InvalidDate):
    """An event's ``when`` could not be understood: both an InvalidEvent and an InvalidDate."""

    def __init__(self, value: object, reason: str) -> None:
        # Both parents' __init__ chain to super(): set their fields here instead.
        self.field, self.value, self.expected = "when", value, f"a date ({reason})"
        self.text, self.reason = value, reason
        TimelineError.__init__(
            self, f"invalid event field 'when': got {value!r}, expected a date ({reason})"
        )


class InvalidOption(TimelineError, ValueError):
    """An exporter, importer or analysis was given an unknown or ill-typed option.

    Args:
        owner: what takes the option (``exporter 'csv'``).
        option: the option's name.
        value: the value given.
        expected: what was expected instead.
    """

    def __init__(self, owner: str, option: str, value: object, expected: str) -> None:
        self.owner = owner
        self.option = option
        self.value = value
        self.expected = expected
        super().__init__(f"{owner}: option {option!r}: got {value!r}, expected {expected}")


class InvalidRecord(TimelineError, ValueError):
    """A stored or imported record could not be read.

    Args:
        where: the place (file and line, or seq).
        reason: why it was refused.
    """

    def __init__(self, where: str, reason: str) -> None:
        self.where = where
        self.reason = reason
        super().__init__(f"{where}: {reason}")


class UnknownEvent(TimelineError, KeyError):
    """No event with this id is in the timeline."""

    def __init__(self, event_id: str) -> None:
        self.event_id = event_id
        super().__init__(event_id)

    def __str__(self) -> str:
        return f"no event with id {self.event_id!r} in this timeline"


class EventRetracted(TimelineError):
    """The event was retracted and can no longer be amended or retracted."""

    def __init__(self, event_id: str) -> None:
        self.event_id = event_id
        super().__init__(f"event {event_id!r} was retracted; record a new event instead")


class EventNotRetracted(TimelineError):
    """The event is not retracted, so there is no retraction to undo (``Timeline.restore``)."""

    def __init__(self, event_id: str) -> None:
        self.event_id = event_id
        super().__init__(f"event {event_id!r} is not retracted: there is nothing to restore")


class ConcurrencyError(TimelineError):
    """An append expected a version that is no longer the latest."""

    def __init__(self, event_id: str, expected: int, actual: int) -> None:
        self.event_id = event_id
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"event {event_id!r} is at version {actual}, not the expected version {expected}; "
            "reload it and try again"
        )


class CorruptLog(TimelineError):
    """The stored log cannot be read (not a timeline log, or damaged beyond repair)."""


class LogTruncated(CorruptLog):
    """The log ends before a seq it once held: a snapshot (or a head) shows records it lost.

    Args:
        location: where the log lives.
        seen: the seq the evidence shows the log once reached.
        head: the log's last seq now.
    """

    def __init__(self, location: str, seen: int, head: int) -> None:
        self.location, self.seen, self.head = location, seen, head
        super().__init__(
            f"{location}: the log ends at seq {head}, but its snapshot was taken at seq {seen}: "
            f"records {head + 1}-{seen} are missing (possible truncation, or a copy restored "
            "from an older backup); restore them, or run `timeline verify` for details"
        )


class StoreBusy(TimelineError):
    """Another writer held the log's append lock longer than this store waits for it.

    Args:
        location: the log (its URL without a password).
        waited: how many seconds the append waited.
    """

    def __init__(self, location: str, waited: float) -> None:
        self.location = location
        self.waited = waited
        super().__init__(
            f"{location}: another writer held the append lock for more than {waited:g} s; "
            "nothing was written, try again"
        )


class StoreUnavailable(TimelineError):
    """The store could not be reached (connection refused, bad password, no such database).

    Args:
        location: the log (its URL without a password).
        reason: what the server or the client library said, on one line.
    """

    def __init__(self, location: str, reason: str) -> None:
        self.location = location
        self.reason = reason
        super().__init__(f"cannot open {location}: {reason}")


class ReadOnlyTimeline(TimelineError, AttributeError):
    """A write was attempted on a read-only view (``as_of``) of a timeline.

    An ``AttributeError`` too: a view has no ``record``, so ``hasattr(view, "record")``
    is false (and ``isinstance(view, TimelineWriter)`` too).
    """


class MissingDependency(TimelineError, ImportError):
    """An optional feature needs a package that is not installed.

    Args:
        package: the missing import (``pyarrow``).
        extra: the geotimeline extra that installs it (``arrow``).
        feature: what needs it, for the message.
    """

    def __init__(self, package: str, extra: str, feature: str) -> None:
        self.package = package
        self.extra = extra
        super().__init__(
            f"{feature} needs {package}, which is not installed: pip install 'geotimeline[{extra}]'"
        )


class PluginError(TimelineError):
    """A plugin failed to load or to register, or registered something invalid."""


class UnknownPlugin(TimelineError, LookupError):
    """No exporter, importer or analysis is registered under this name."""

    def __init__(self, what: str, name: str, known: list[str]) -> None:
        self.what = what
        self.name = name
        self.known = known
        #: Up to three registered names close to ``name`` (a typo's likely intent).
        self.suggestions = difflib.get_close_matches(str(name), known, n=3, cutoff=0.6)
        listing = ", ".join(sorted(known)) or "none"
        hint = f"did you mean {' or '.join(self.suggestions)}? " if self.suggestions else ""
        super().__init__(f"unknown {what} {name!r}; {hint}registered: {listing}")


class ImportFailed(TimelineError):
    """An import found bad rows; nothing was recorded (unless invalid rows were skipped).

    Args:
        source: the file imported.
        problems: every bad row, as ``ImportProblem`` values (line, field, reason).
    """

    def __init__(self, source: str, problems: list[Any]) -> None:
        self.source = source
        self.problems = problems
        first = problems[0] if problems else None
        more = f" (and {len(problems) - 1} more bad rows)" if len(problems) > 1 else ""
        super().__init__(f"{source}: {first}{more}; nothing was recorded")

"""What an export did: how many events it wrote, which it left out and why."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection

import attrs

from ._calendar import SpanKind, calendar_span
from ._errors import TimelineError
from ._model import Event, Modality

__all__ = ["ExportReport", "NothingToExport", "SkipTally", "Skipped", "as_export_report"]


@attrs.frozen(kw_only=True)
class Skipped:
    """Some matching events an export left out, for one reason."""

    reason: str
    """Why, as a phrase that follows the count: ``"with fuzzy dates"``, ``"planned"``."""
    count: int
    """How many events."""
    option: tuple[str, str] | None = None
    """The option and value that would include them (``("fuzzy", "span")``), if any."""

    def describe(self, flags: bool = False) -> str:
        """Say it in words: ``5 with fuzzy dates (fuzzy='span' to include)``.

        Args:
            flags: name the option as a command-line flag (``--fuzzy span``).
        """
        text = f"{self.count} {self.reason}"
        if self.option is None:
            return text
        name, value = self.option
        how = f"--{name.replace('_', '-')} {value}" if flags else f"{name}={value!r}"
        return f"{text} ({how} to include)"


@attrs.frozen(kw_only=True)
class ExportReport:
    """What ``Timeline.export`` did: the events written and those left out, with why."""

    written: int
    """How many events the output holds."""
    matched: int
    """How many events the filters matched (written plus skipped)."""
    skipped: tuple[Skipped, ...] = ()
    """The matching events left out, grouped by reason, most first."""

    def describe(self, flags: bool = False, dest: str | None = None) -> str:
        """Say it in one line: ``exported 12 of 19 events; skipped 5 with fuzzy dates (...)``.

        With nothing left out it is ``exported 19 events``.

        Args:
            flags: name options as command-line flags (``--fuzzy span``), as the CLI does.
            dest: where the events went, said after the count (``to relos.ics``).
        """
        noun = "event" if self.matched == 1 else "events"
        of = "" if self.written == self.matched else f" of {self.matched}"
        text = f"exported {self.written}{of} {noun}"
        if dest is not None:
            text += f" to {dest}"
        if self.skipped:
            text += "; skipped " + ", ".join(s.describe(flags) for s in self.skipped)
        return text

    def __str__(self) -> str:
        return self.describe()


def as_export_report(done: int | ExportReport) -> ExportReport:
    """Return what an exporter's ``write`` returned as an ``ExportReport``.

    A plain count ``n`` means the exporter wrote every match:
    ``ExportReport(written=n, matched=n)``.
    """
    if isinstance(done, ExportReport):
        return done
    count = int(done)
    return ExportReport(written=count, matched=count)


class NothingToExport(TimelineError):
    """An export would hold no event, and its format cannot be empty (an ICS calendar).

    Args:
        what: the exporter, for the message (``exporter 'ics'``).
        report: what the export found; ``report.skipped`` says why nothing is left.
    """

    def __init__(self, what: str, report: ExportReport) -> None:
        self.what = what
        self.report = report
        super().__init__(self.describe())

    def describe(self, flags: bool = False) -> str:
        """Say why, naming options as command-line flags when ``flags`` (as the CLI does)."""
        report = self.report
        if report.matched == 0:
            why = "no event matches the filters"
        else:
            why = "; ".join(s.describe(flags) for s in report.skipped)
            why = f"all {report.matched} matching events were left out: {why}"
        return f"{self.what}: nothing to export, {why}"


class SkipTally:
    """Counts what an exporter writes and leaves out while it walks the records.

    Exporters call ``written()`` for each event they write and ``skip(reason,
    option)`` for each they leave out, then ``report()``.
    """

    def __init__(self) -> None:
        self._written = 0
        self._skipped: Counter[tuple[str, tuple[str, str] | None]] = Counter()

    def written(self) -> None:
        """Count one written event."""
        self._written += 1

    def skip(self, reason: str, option: tuple[str, str] | None = None) -> None:
        """Count one event left out for ``reason`` (which ``option`` would include)."""
        self._skipped[(reason, option)] += 1

    @property
    def count(self) -> int:
        """How many events were written so far."""
        return self._written

    def report(self) -> ExportReport:
        """Return the report of everything counted."""
        skipped = tuple(
            Skipped(reason=reason, count=n, option=option)
            for (reason, option), n in sorted(
                self._skipped.items(), key=lambda item: (-item[1], item[0][0])
            )
        )
        matched = self._written + sum(s.count for s in skipped)
        return ExportReport(written=self._written, matched=matched, skipped=skipped)


def calendar_skip(
    event: Event, keep: Collection[Modality], span_fuzzy: bool
) -> tuple[str, tuple[str, str] | None] | None:
    """Say why a calendar export leaves ``event`` out, or None when it is written.

    One rule for the ICS and calendar CSV exporters, first reason first: a date
    beyond the years 0001-9999 or an open-ended one (a calendar has no span for
    them, whatever the options), a
    modality not kept (with the ``modalities`` value that would keep it: ``all``,
    or ``hypothetical``, which ``all`` leaves out on calendars), or a fuzzy date
    unless fuzzy spans are asked for.

    Args:
        event: the event.
        keep: the modalities kept.
        span_fuzzy: whether fuzzy dates are drawn as spans.

    Returns:
        ``(reason, option)`` for ``SkipTally.skip``, or None.
    """
    span = calendar_span(event.when)
    if span is None and event.when.beyond_date_range:  # first: no option would draw these
        return "outside the years 0001-9999 (a calendar cannot write them)", None
    if span is None:
        return "open-ended (a calendar cannot draw them)", None
    if event.modality not in keep:
        hypothetical = event.modality is Modality.HYPOTHETICAL
        return event.modality.value, ("modalities", "hypothetical" if hypothetical else "all")
    if span.kind is SpanKind.FUZZY and not span_fuzzy:
        return "with fuzzy dates", ("fuzzy", "span")
    return None

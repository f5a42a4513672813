"""The ``lifecycle`` analysis: agreements' steps, parties' status, the time between steps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import attrs
import msgspec

import timeline

from ._common import Span, TableResult, counted_events, fields_of, row_of

__all__ = ["Agreement", "Claim", "Lifecycle", "LifecycleResult", "PartyStatus", "Step"]

# Life-cycle stages in order, with the kinds that mark them (domain.md 2.4).
_STAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("negotiation", ("treaty.negotiation", "treaty.adopted", "treaty.initialled")),
    ("draft_approved", ("treaty.draft_approved",)),
    ("signed", ("treaty.signed",)),
    ("submitted", ("treaty.submitted",)),
    ("domestic_approval", ("treaty.domestic_approval",)),
    ("ratified", ("treaty.ratified", "treaty.accepted", "treaty.approved", "treaty.acceded")),
    ("entered_into_force", ("treaty.entered_into_force",)),
    (
        "withdrawn",
        (
            "treaty.withdrawn",
            "treaty.withdrawal_effective",
            "treaty.denounced",
            "treaty.terminated",
        ),
    ),
)
_STAGE_OF = {kind: stage for stage, kinds in _STAGES for kind in kinds}
_RANK = {stage: rank for rank, (stage, _) in enumerate(_STAGES)}
#: Other ``treaty.*`` kinds (provisional application, suspension, ...) are shown as "other".
OTHER = "other"
# Steps one party takes at home: without actor roles, the first actor is the one acting.
_ONE_PARTY = frozenset({"draft_approved", "submitted", "domestic_approval", "withdrawn"})
_HOME_STEPS = frozenset({"draft_approved", "submitted", "domestic_approval"})
_ACTING = frozenset({timeline.ActorRole.ACTOR, timeline.ActorRole.PARTY})
# Statuses in the order a party moves through them (derived, never stored).
_STATUS_RANK = {"negotiating": 0, "signatory": 1, "contracting": 2, "party": 3, "withdrawn": 4}
_HAPPENED = frozenset({timeline.Modality.ACTUAL, timeline.Modality.REPORTED})


@attrs.frozen(kw_only=True)
class Claim:
    """One date a step is given by some of its sources, when sources disagree."""

    date: str
    """The date as claimed (``2025-12-08``)."""
    earliest: dt.date | None
    """First day of the claimed date (``None`` if it could not be read)."""
    latest: dt.date | None
    """Last day of the claimed date (``None`` if it could not be read)."""
    sources: tuple[str, ...]
    """The URLs of the sources making this claim."""
    publishers: tuple[str, ...]
    """Their publishers, when the event's sources name them."""


@attrs.frozen(kw_only=True)
class Step:
    """One life-cycle step of an agreement (one event)."""

    event_id: str
    """The event's id."""
    kind: str
    """The event's kind (``treaty.domestic_approval``)."""
    stage: str
    """``negotiation``, ``draft_approved``, ``signed``, ``submitted``, ``domestic_approval``,
    ``ratified``, ``entered_into_force``, ``withdrawn`` or ``other``."""
    title: str
    """The event's title."""
    date: str
    """The date as recorded (phrase or EDTF)."""
    earliest: dt.date
    """First possible day, counting every disputed claim."""
    latest: dt.date
    """Last possible day, counting every disputed claim."""
    exact: bool
    """Whether the step is known to one day (no span, no qualifier, no dispute)."""
    parties: tuple[str, ...]
    """The countries taking the step: actors with role actor/party, or ``attributes["party"]``."""
    chamber: str | None
    """For domestic steps: ``attributes["chamber"]``, else the acting body's name or sector."""
    body: str | None
    """For domestic steps: the acting actor's name (``State Duma``), if given."""
    modality: str
    """``actual``, ``reported`` or ``planned``; only the first two change a party's status."""
    sources: tuple[str, ...]
    """The URLs of the event's sources."""
    disputed: bool
    """Whether sources disagree on the date (``attributes["disputed"]`` or differing claims)."""
    claims: tuple[Claim, ...]
    """The dates each source gives (``attributes["claims"]``), earliest first."""
    since_previous: Span | None
    """Days since the step before (``None`` for the first step or an open-ended date)."""
    since_signature: Span | None
    """Days since the agreement's first signature (``None`` up to and including it)."""


@attrs.frozen(kw_only=True)
class PartyStatus:
    """Where one party stands, derived from its steps in order."""

    party: str
    """The country code."""
    status: str
    """``negotiating``, ``signatory``, ``contracting`` (consented), ``party`` (consented and
    in force for it) or ``withdrawn``."""
    since: str
    """The date of the step that gave it this status."""
    event_id: str
    """That step's event id."""
    last_step: str
    """The stage of its latest step, with the chamber for domestic steps."""
    last_date: str
    """The date of its latest step."""


@attrs.frozen(kw_only=True)
class Agreement:
    """One agreement (the events sharing a ``treaty``)."""

    treaty: str
    """The agreement's name as recorded in ``Event.treaty``."""
    steps: tuple[Step, ...]
    """Its steps in life-cycle order: by earliest day, then stage, then latest day."""
    parties: tuple[PartyStatus, ...]
    """Every party's current status, by country code."""
    in_force: bool
    """Whether an entry into force has happened (actual or reported)."""
    related: tuple[str, ...]
    """Ids of events of other kinds sharing the treaty (visits, exercises...)."""


@attrs.frozen(kw_only=True)
class LifecycleResult(TableResult):
    """What ``lifecycle`` returns; ``to_arrow()`` / ``to_pandas()`` give one row per step."""

    agreements: tuple[Agreement, ...]
    """Every agreement among the filtered events, by name."""

    def table_rows(self) -> tuple[list[str], list[dict[str, Any]]]:
        """Return the columns and rows of ``to_arrow``: one per step, durations as structs."""
        rows = [row_of(s, treaty=a.treaty) for a in self.agreements for s in a.steps]
        return ["treaty", *fields_of(Step)], rows

    def agreement(self, treaty: str) -> Agreement:
        """Return the agreement called ``treaty``.

        Raises:
            KeyError: no agreement of that name is in the result.

        """
        for agreement in self.agreements:
            if agreement.treaty == treaty:
                return agreement
        raise KeyError(treaty)

    def _repr_html_(self) -> str | None:
        """Draw the steps as a timeline in Jupyter, one row per agreement (``timeline_html``)."""
        try:
            from timeline_html import notebook_html
        except ImportError:  # the html plugin is not installed: Jupyter shows the repr
            return None
        return notebook_html(self)


def _unique(items: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _parties(event: timeline.Event, stage: str) -> tuple[str, ...]:
    explicit = event.attributes.get("party")
    if isinstance(explicit, str):
        return (explicit.upper(),)
    if isinstance(explicit, list) and all(isinstance(p, str) for p in explicit):
        return _unique([p.upper() for p in explicit])
    acting = [a.country for a in event.actors if a.role in _ACTING]
    if acting:
        return _unique(acting)
    if any(a.role is not None for a in event.actors) or stage in _ONE_PARTY:
        # Only recipients, hosts or visitors: the first actor is the one acting.
        return event.countries[:1]
    return event.countries


def _chamber(event: timeline.Event, parties: tuple[str, ...]) -> tuple[str | None, str | None]:
    actor = next((a for a in event.actors if a.country in parties), None)
    body = None if actor is None else actor.name
    chamber = event.attributes.get("chamber")
    if isinstance(chamber, str) and chamber:
        return chamber, body
    return body or (None if actor is None else actor.sector), body


def _claims(event: timeline.Event) -> tuple[Claim, ...]:
    raw = event.attributes.get("claims")
    if not isinstance(raw, list):
        return ()
    publisher = {s.url: s.publisher for s in event.sources}
    by_date: dict[str, list[str]] = {}
    for claim in raw:
        if isinstance(claim, dict) and isinstance(claim.get("date"), str):
            source = claim.get("source")
            by_date.setdefault(claim["date"], []).extend(
                [source] if isinstance(source, str) else []
            )
    claims = []
    for text, urls in by_date.items():
        try:
            when: timeline.When | None = timeline.When.parse(text)
        except timeline.InvalidDate:
            when = None
        claims.append(
            Claim(
                date=text,
                earliest=None if when is None else when.earliest,
                latest=None if when is None else when.latest,
                sources=tuple(urls),
                publishers=tuple(p for p in (publisher.get(u) for u in urls) if p is not None),
            )
        )
    return tuple(sorted(claims, key=lambda c: (c.earliest or dt.date.max, c.date)))


def _step(event: timeline.Event) -> Step:
    stage = _STAGE_OF.get(event.kind, OTHER)
    parties = _parties(event, stage)
    chamber, body = _chamber(event, parties) if stage in _HOME_STEPS else (None, None)
    claims = _claims(event)
    disputed = bool(event.attributes.get("disputed")) or len(claims) > 1
    # A disputed step may fall on any day any source gives.
    earliest = min([event.when.earliest, *(c.earliest for c in claims if c.earliest)])
    latest = max([event.when.latest, *(c.latest for c in claims if c.latest)])
    return Step(
        event_id=event.id,
        kind=event.kind,
        stage=stage,
        title=event.title,
        date=event.when.display,
        earliest=earliest,
        latest=latest,
        exact=event.when.is_exact and not disputed and earliest == latest,
        parties=parties,
        chamber=chamber,
        body=body,
        modality=event.modality.value,
        sources=tuple(s.reference for s in event.sources),
        disputed=disputed,
        claims=claims,
        since_previous=None,
        since_signature=None,
    )


def _open(step: Step) -> bool:
    return step.earliest == dt.date.min or step.latest == dt.date.max


def _reach(step: Step, when: timeline.When) -> timeline.When:
    """Return the date a step may fall on: its event's, widened to every claimed date."""
    if (step.earliest, step.latest) == (when.earliest, when.latest):
        return when
    return timeline.When.parse(f"{step.earliest.isoformat()}/{step.latest.isoformat()}")


def _between(first: Step | None, second: Step, whens: dict[str, timeline.When]) -> Span | None:
    if first is None or _open(first) or _open(second):
        return None
    start = _reach(first, whens[first.event_id])
    if first.stage == "negotiation" and first.latest >= second.earliest:
        # Talks still under way at the next step (they often end with the signature):
        # count from when they began, not from their end.
        start = timeline.When.from_bounds(first.earliest, first.earliest)
    low, high = timeline.days_between(start, _reach(second, whens[second.event_id]))
    return Span(min_days=low, max_days=high, exact=first.exact and second.exact)


def _with_spans(steps: list[Step], whens: dict[str, timeline.When]) -> tuple[Step, ...]:
    signature = next(
        (s for s in steps if s.stage == "signed" and s.modality in {m.value for m in _HAPPENED}),
        None,
    )
    out: list[Step] = []
    after_signature = False
    for i, step in enumerate(steps):
        out.append(
            attrs.evolve(
                step,
                since_previous=_between(steps[i - 1] if i else None, step, whens),
                since_signature=_between(signature, step, whens) if after_signature else None,
            )
        )
        after_signature = after_signature or step is signature
    return tuple(out)


def _statuses(steps: Sequence[Step]) -> tuple[tuple[PartyStatus, ...], bool]:
    status: dict[str, PartyStatus] = {}
    last: dict[str, Step] = {}
    in_force = False
    for step in steps:
        if step.modality not in {m.value for m in _HAPPENED}:
            continue  # a planned step changes nobody's status
        if step.stage == "entered_into_force":
            in_force = True
        for party in step.parties:
            last[party] = step
            new = {
                "signed": "signatory",
                "ratified": "party" if in_force else "contracting",
                "entered_into_force": "party",
                "withdrawn": "withdrawn",
            }.get(step.stage, "negotiating")
            current = status.get(party)
            if current is None or _STATUS_RANK[new] > _STATUS_RANK[current.status]:
                status[party] = PartyStatus(
                    party=party,
                    status=new,
                    since=step.date,
                    event_id=step.event_id,
                    last_step="",
                    last_date="",
                )
    parties = tuple(
        attrs.evolve(
            s,
            last_date=last[p].date,
            last_step=last[p].stage + (f" ({last[p].chamber})" if last[p].chamber else ""),
        )
        for p, s in sorted(status.items())
    )
    return parties, in_force


@attrs.define
class _Gathered:
    """What lifecycle keeps of one agreement's events while it reads them (never the events)."""

    steps: list[Step] = attrs.Factory(list)
    """A step per ``treaty.*`` event, in timeline order."""
    whens: dict[str, timeline.When] = attrs.Factory(dict)
    """Each step's date, by event id."""
    related: list[str] = attrs.Factory(list)
    """Ids of its other events, in timeline order."""


def _agreement(treaty: str, gathered: _Gathered) -> Agreement:
    steps = sorted(
        gathered.steps,
        key=lambda s: (s.earliest, _RANK.get(s.stage, len(_RANK)), s.latest, s.event_id),
    )
    parties, in_force = _statuses(steps)
    return Agreement(
        treaty=treaty,
        steps=_with_spans(steps, gathered.whens),
        parties=parties,
        in_force=in_force,
        related=tuple(gathered.related),
    )


def _lifecycle(events: Iterable[timeline.Event]) -> LifecycleResult:
    by_treaty: dict[str, _Gathered] = {}
    for event in events:
        if event.treaty is None:
            continue
        gathered = by_treaty.get(event.treaty)
        if gathered is None:
            gathered = by_treaty[event.treaty] = _Gathered()
        if event.kind.startswith("treaty."):
            gathered.steps.append(_step(event))
            gathered.whens[event.id] = event.when
        else:
            gathered.related.append(event.id)
    return LifecycleResult(
        agreements=tuple(_agreement(t, by_treaty[t]) for t in sorted(by_treaty)),
    )


def _note(step: Step) -> str:
    notes = [] if step.modality == "actual" else [step.modality]
    if step.disputed:
        claims = "; ".join(
            f"{c.date} ({', '.join(c.publishers or c.sources)})" for c in step.claims
        )
        notes.append(f"disputed: {claims}" if claims else "disputed")
    return "; ".join(notes)


@attrs.frozen(kw_only=True)
class Lifecycle(timeline.Analysis):
    """Each agreement's life-cycle steps, each party's status, and the time between steps."""

    name: str = "lifecycle"
    description: str = "Treaty life cycles: steps in order, party status, days between steps"
    options: tuple[timeline.Option, ...] = ()

    def run(
        self, view: timeline.TimelineReader, where: timeline.EventFilter, **options: Any
    ) -> LifecycleResult:
        """Group the filtered events by ``treaty`` and derive each agreement's life cycle.

        Pick one agreement with the common ``treaty`` filter (``treaty="RELOS"``);
        without it, every agreement among the filtered events is analysed.

        Args:
            view: the timeline or an ``as_of`` view.
            where: the validated common filters.
            **options: none beyond the filters.

        Returns:
            A ``LifecycleResult``.

        """
        # Only events of some agreement take part: without a treaty filter, ask for any
        # agreement ("*"), which the read model's columns answer (a 1M-event log's
        # lifecycle decoded every event before, 18-33 s, to keep the few with a treaty).
        if where.treaty is None:
            where = msgspec.structs.replace(where, treaty="*")
        return _lifecycle(counted_events(view, where))

    def table(self, result: LifecycleResult) -> tuple[list[str], list[list[Any]]]:
        """Return one row per step, then one per party status (step column ``status``)."""
        header = [
            "treaty",
            "date",
            "step",
            "parties",
            "chamber",
            "title",
            "since previous",
            "since signature",
            "note",
        ]
        rows: list[list[Any]] = []
        for agreement in result.agreements:
            for s in agreement.steps:
                chamber = s.chamber or ""
                if s.body and s.body != s.chamber:
                    chamber = f"{chamber} ({s.body})"
                rows.append(
                    [
                        agreement.treaty,
                        s.date,
                        s.stage,
                        " ".join(s.parties),
                        chamber,
                        s.title,
                        "" if s.since_previous is None else str(s.since_previous),
                        "" if s.since_signature is None else str(s.since_signature),
                        _note(s),
                    ]
                )
            for p in agreement.parties:
                rows.append(
                    [
                        agreement.treaty,
                        p.since,
                        "status",
                        p.party,
                        "",
                        p.status,
                        "",
                        "",
                        f"last step: {p.last_step}, {p.last_date}",
                    ]
                )
        return header, rows

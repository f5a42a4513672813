"""Event kinds: a controlled, open vocabulary with CAMEO and PLOVER codes."""

from __future__ import annotations

import difflib
import fnmatch
import re
from collections.abc import Iterable, Iterator

import attrs

from ._errors import InvalidEvent, UnknownKind

__all__ = ["BUILTIN_KINDS", "PLOVER_CONTEXTS", "PLOVER_EVENTS", "Kind", "KindRegistry"]

# The family starts with a letter; later segments may be codes (``cameo.010``).
_KIND_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9][a-z0-9_]*)+$")


def _check_name(_: object, __: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not _KIND_NAME.match(value):
        raise InvalidEvent(
            "kind",
            value,
            "a dotted lower-case name such as 'treaty.signed' or 'cameo.010' "
            "(the first part starts with a letter)",
        )


#: PLOVER event types (manual v2.0, plus the four the older README still lists).
PLOVER_EVENTS: frozenset[str] = frozenset(
    {
        "AGREE",
        "CONSULT",
        "SUPPORT",
        "CONCEDE",
        "COOPERATE",
        "AID",
        "RETREAT",
        "REQUEST",
        "ACCUSE",
        "REJECT",
        "THREATEN",
        "PROTEST",
        "SANCTION",
        "MOBILIZE",
        "COERCE",
        "ASSAULT",
        "DEMAND",
        "DISAPPROVE",
        "INVESTIGATE",
        "CRIME",
    }
)

#: PLOVER contexts (any event type, several at once).
PLOVER_CONTEXTS: frozenset[str] = frozenset(
    [
        "military",
        "intelligence",
        "executive",
        "legislative",
        "election",
        "political_institutions",
        "pro_democracy",
        "pro_autocracy",
        "economic",
        "legal",
        "human_rights",
        "rights_freedoms",
        "repression",
        "human_security",
        "lgbt",
        "religion_ethnicity",
        "inequality",
        "diplomatic",
        "territory",
        "health",
        "asylum",
        "migration",
        "disasters",
        "natural_resource",
        "environment",
        "technology",
        "terrorism",
        "cbrn",
        "cyber",
        "misinformation",
        "crime",
        "corruption",
        "illegal_drugs",
        "trafficking",
    ]
)


def _pairs(value: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple((context, code) for context, code in value)


def _names(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


_CAMEO_CODE = re.compile(r"^[0-2][0-9]{1,3}$")


def _check_cameo(_: object, attribute: attrs.Attribute[str | None], value: str | None) -> None:
    if value is not None and not (isinstance(value, str) and _CAMEO_CODE.match(value)):
        raise InvalidEvent(
            attribute.name, value, "a CAMEO code as a string of 2-4 digits, leading zero kept"
        )


def _check_plover(_: object, __: attrs.Attribute[str | None], value: str | None) -> None:
    if value is not None and value not in PLOVER_EVENTS:
        raise InvalidEvent(
            "plover", value, f"a PLOVER event type: {', '.join(sorted(PLOVER_EVENTS))}"
        )


def _check_contexts(
    _: object, __: attrs.Attribute[tuple[str, ...]], value: tuple[str, ...]
) -> None:
    for context in value:
        if context not in PLOVER_CONTEXTS:
            raise InvalidEvent("plover_context", context, "a PLOVER context such as 'military'")


def _check_in_context(
    kind: Kind, __: attrs.Attribute[tuple[tuple[str, str], ...]], value: tuple[tuple[str, str], ...]
) -> None:
    for context, code in value:
        _check_contexts(kind, __, (context,))  # type: ignore[arg-type]
        _check_cameo(kind, attrs.fields(Kind).cameo, code)


@attrs.frozen(kw_only=True)
class Kind:
    """One kind of event, with its codes in the standard event ontologies (CAMEO, PLOVER)."""

    name: str = attrs.field(validator=_check_name)
    """Dotted name, family first (``treaty.signed``)."""
    description: str
    """One line saying what an event of this kind is."""
    cameo: str | None = attrs.field(default=None, validator=_check_cameo)
    """CAMEO event code as a string, leading zeros kept (``"057"``), if one fits.

    For a visit this is the visitor's side (042, "Make a visit")."""
    cameo_host: str | None = attrs.field(default=None, validator=_check_cameo)
    """CAMEO code of the host's side, for kinds CAMEO codes as two dyadic events
    (a visit: 043, "Host a visit"); ``None`` otherwise."""
    cameo_in_context: tuple[tuple[str, str], ...] = attrs.field(
        default=(), converter=_pairs, validator=_check_in_context
    )
    """Finer CAMEO codes by PLOVER context, first match wins: a draft approval is
    031 in general and 0312 only in a military context (``(("military", "0312"),)``)."""
    plover: str | None = attrs.field(default=None, validator=_check_plover)
    """PLOVER event type (``"SUPPORT"``), if one fits."""
    plover_mode: str | None = None
    """PLOVER mode of the event type (``"visit"`` for CONSULT), if one fits."""
    plover_context: tuple[str, ...] = attrs.field(
        default=(), converter=_names, validator=_check_contexts
    )
    """PLOVER contexts every event of this kind has (``("legislative",)``)."""

    @property
    def family(self) -> str:
        """The part before the first dot (``treaty`` for ``treaty.signed``)."""
        return self.name.split(".", 1)[0]

    def cameo_for(self, contexts: Iterable[str] = ()) -> str | None:
        """Return the CAMEO code for an event in ``contexts`` (PLOVER context names or tags).

        The first of ``cameo_in_context`` whose context is given wins; else ``cameo``.
        """
        given = set(contexts) | set(self.plover_context)
        for context, code in self.cameo_in_context:
            if context in given:
                return code
        return self.cameo


BUILTIN_KINDS: tuple[Kind, ...] = (
    Kind(
        name="treaty.negotiation",
        description="Negotiation rounds or talks on an agreement",
        cameo="046",
        plover="CONSULT",
    ),
    Kind(
        name="treaty.draft_approved",
        description="A government approves a draft agreement and authorises signature",
        cameo="031",
        cameo_in_context=(("military", "0312"), ("economic", "0311")),
        plover="AGREE",
    ),
    Kind(name="treaty.signed", description="An agreement is signed", cameo="057", plover="SUPPORT"),
    Kind(
        name="treaty.submitted",
        description="An agreement is submitted to a parliament",
        plover="SUPPORT",
        plover_context=("legislative",),
    ),
    Kind(
        name="treaty.domestic_approval",
        description="A domestic approval step: a chamber's vote or the head of state's signature",
        plover="SUPPORT",
        plover_context=("legislative",),
    ),
    Kind(
        name="treaty.ratified",
        description="The international act of consent: instruments exchanged or deposited",
        cameo="057",
        plover="SUPPORT",
    ),
    Kind(name="treaty.entered_into_force", description="An agreement enters into force"),
    Kind(
        name="treaty.withdrawn",
        description="A party withdraws from or denounces an agreement",
        cameo="166",
        plover="SANCTION",
        plover_mode="withdraw",
    ),
    Kind(
        name="visit.state",
        description="A state or official visit",
        cameo="042",
        cameo_host="043",
        plover="CONSULT",
        plover_mode="visit",
        plover_context=("diplomatic",),
    ),
    Kind(
        name="meeting.summit",
        description="A summit or high-level meeting",
        cameo="044",
        plover="CONSULT",
        plover_context=("diplomatic",),
    ),
    Kind(
        name="exercise.joint",
        description="A joint military exercise",
        cameo="062",
        plover="COOPERATE",
        plover_context=("military",),
    ),
    Kind(
        name="document.published",
        description="A strategy, white paper or doctrine is published",
        cameo="010",
    ),
    Kind(
        name="plan.proposed",
        description="A peace plan or framework is put forward",
        cameo="037",
        plover="AGREE",
    ),
    Kind(
        name="statement.joint",
        description="A joint declaration or pledge (no agreement signed)",
        cameo="050",
        plover="SUPPORT",
        plover_context=("diplomatic",),
    ),
    Kind(
        name="office.assumed",
        description="A leader takes office",
        plover_context=("executive",),
    ),
    Kind(
        name="relations.improved",
        description="Relations between actors improve (often a fuzzy trend)",
        cameo="050",
        plover_context=("diplomatic",),
    ),
    Kind(
        name="relations.deteriorated",
        description="Relations between actors deteriorate (often a fuzzy trend)",
        cameo="160",
        plover_context=("diplomatic",),
    ),
    Kind(
        name="policy.pursued",
        description="An actor pursues a stated line of policy over a period",
        plover_context=("diplomatic",),
    ),
    Kind(
        name="influence.shift",
        description="An actor or faction gains or loses influence (often a fuzzy trend)",
        plover_context=("political_institutions",),
    ),
    Kind(
        name="military.presence",
        description="Armed forces are present in or transit a region (deployments, port calls)",
        plover_context=("military",),
    ),
    Kind(
        name="relations.shift",
        description="Relations between actors change, the direction unstated (see "
        "relations.improved and relations.deteriorated)",
        plover_context=("diplomatic",),
    ),
)


class KindRegistry:
    """The kinds a timeline accepts: the built-ins plus those plugins register.

    Args:
        kinds: initial kinds; the built-ins when omitted.
    """

    def __init__(self, kinds: Iterable[Kind] = BUILTIN_KINDS) -> None:
        self._kinds: dict[str, Kind] = {}
        for kind in kinds:
            self.add(kind)

    def add(self, kind: Kind) -> None:
        """Register a kind; registering an identical kind twice is harmless.

        Raises:
            InvalidEvent: a different kind with the same name is already registered.
        """
        known = self._kinds.get(kind.name)
        if known is not None and known != kind:
            raise InvalidEvent("kind", kind.name, "a name not already registered differently")
        self._kinds[kind.name] = kind

    def __contains__(self, name: object) -> bool:
        return name in self._kinds

    def __iter__(self) -> Iterator[Kind]:
        return iter(sorted(self._kinds.values(), key=lambda k: k.name))

    def __len__(self) -> int:
        return len(self._kinds)

    def get(self, name: str) -> Kind:
        """Return the kind called ``name``.

        Raises:
            UnknownKind: no such kind; the error names the closest known kinds.
        """
        try:
            return self._kinds[name]
        except KeyError:
            raise UnknownKind(name, self.suggest(name)) from None

    def suggest(self, name: str) -> list[str]:
        """Return up to three registered kind names close to ``name``."""
        names = list(self._kinds)
        close = difflib.get_close_matches(str(name), names, n=3, cutoff=0.5)
        if not close and isinstance(name, str):
            # A bare action ("signed") is a common slip: match it on the part after the dot.
            tails = {n.split(".", 1)[1]: n for n in names}
            close = [tails[t] for t in difflib.get_close_matches(name, list(tails), n=3)]
        return close

    def matching(self, pattern: str) -> list[str]:
        """Return the registered names matching a ``*`` wildcard pattern (``treaty.*``)."""
        return sorted(n for n in self._kinds if fnmatch.fnmatchcase(n, pattern))

"""Event kinds: a controlled, open vocabulary with CAMEO and PLOVER codes."""

from __future__ import annotations

import difflib
import fnmatch
import re
from collections.abc import Iterable, Iterator

import attrs

from ._errors import InvalidEvent, UnknownKind

__all__ = ["BUILTIN_KINDS", "Kind", "KindRegistry"]

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


@attrs.frozen(kw_only=True)
class Kind:
    """One kind of event, with its codes in the standard event ontologies."""

    name: str = attrs.field(validator=_check_name)
    """Dotted name, family first (``treaty.signed``)."""
    description: str
    """One line saying what an event of this kind is."""
    cameo: str | None = None
    """CAMEO event code as a string, leading zeros kept (``"057"``), if one fits."""
    plover: str | None = None
    """PLOVER event type (``"SUPPORT"``), if one fits."""

    @property
    def family(self) -> str:
        """The part before the first dot (``treaty`` for ``treaty.signed``)."""
        return self.name.split(".", 1)[0]


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
        cameo="0312",
        plover="AGREE",
    ),
    Kind(name="treaty.signed", description="An agreement is signed", cameo="057", plover="SUPPORT"),
    Kind(
        name="treaty.submitted",
        description="An agreement is submitted to a parliament",
        plover="SUPPORT",
    ),
    Kind(
        name="treaty.domestic_approval",
        description="A domestic approval step: a chamber's vote or the head of state's signature",
        plover="SUPPORT",
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
    ),
    Kind(
        name="visit.state", description="A state or official visit", cameo="042", plover="CONSULT"
    ),
    Kind(
        name="meeting.summit",
        description="A summit or high-level meeting",
        cameo="044",
        plover="CONSULT",
    ),
    Kind(
        name="exercise.joint",
        description="A joint military exercise",
        cameo="062",
        plover="COOPERATE",
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
        description="A joint declaration or pledge",
        cameo="057",
        plover="SUPPORT",
    ),
    Kind(name="office.assumed", description="A leader takes office"),
    Kind(
        name="relations.shift",
        description="Relations between actors improve or deteriorate (often a fuzzy trend)",
        cameo="16",
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

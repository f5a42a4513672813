"""CAMEO and PLOVER codes, and the table that turns them into geotimeline kinds.

The CAMEO labels are the code list of the CAMEO codebook (Schrodt, v1.1b3),
vendored as ``cameo_codes.csv`` beside this module. A code with an entry in
``CAMEO_KINDS`` becomes that kind; every other code becomes ``cameo.<code>``
(``cameo.010``), registered like any other kind. PLOVER types and modes work
the same way through ``PLOVER_KINDS`` and ``plover.<type>[.<mode>]``.
"""

from __future__ import annotations

import functools
import importlib.resources
import re
from typing import Final

import timeline

__all__ = [
    "CAMEO_KINDS",
    "EXTRA_KINDS",
    "PLOVER_KINDS",
    "PLOVER_MODES",
    "QUAD_CLASSES",
    "cameo_kind",
    "cameo_label",
    "cameo_labels",
    "plover_kind",
    "registered_kinds",
]

#: CAMEO event code -> geotimeline kind, for the codes with a kind of their own.
#: Codes are strings: ``"010"`` is not ``"10"``.
CAMEO_KINDS: Final[dict[str, str]] = {
    "036": "visit.announced",
    "0312": "defence.intent",
    "042": "visit.state",
    "043": "visit.state",
    "044": "meeting.summit",
    "046": "treaty.negotiation",
    "057": "treaty.signed",
    "062": "military.cooperation",
}

#: (PLOVER type, mode) -> geotimeline kind; a mode of ``""`` stands for any mode.
PLOVER_KINDS: Final[dict[tuple[str, str], str]] = {
    ("consult", "visit"): "visit.state",
    ("consult", "multilateral"): "meeting.summit",
}

#: The kinds ``CAMEO_KINDS`` and ``PLOVER_KINDS`` use that are not built in.
EXTRA_KINDS: Final[tuple[timeline.Kind, ...]] = (
    timeline.Kind(
        name="visit.announced",
        description="A visit, meeting or talks announced for later",
        cameo="036",
        plover="AGREE",
    ),
    timeline.Kind(
        name="defence.intent",
        description="An intent to cooperate militarily is expressed",
        cameo="0312",
        plover="AGREE",
    ),
    timeline.Kind(
        name="military.cooperation",
        description="Military cooperation: exercises, deployments, arms, training",
        cameo="062",
        plover="COOPERATE",
    ),
)

#: GDELT/ICEWS ``QuadClass`` -> the tag word (``quad:verbal_cooperation``).
QUAD_CLASSES: Final[dict[str, str]] = {
    "1": "verbal_cooperation",
    "2": "material_cooperation",
    "3": "verbal_conflict",
    "4": "material_conflict",
}

#: PLOVER event types (manual v2.0 and the older README's) -> their modes.
PLOVER_MODES: Final[dict[str, tuple[str, ...]]] = {
    "agree": (),
    "consult": ("visit", "third_party", "multilateral", "phone"),
    "support": (),
    "concede": (),
    "cooperate": (),
    "aid": (),
    "retreat": ("withdraw", "release", "disarm", "ceasefire", "access", "resign"),
    "request": ("assist", "change", "yield", "meet"),
    "accuse": ("disapprove", "investigate", "allege"),
    "reject": ("assist", "change", "yield", "meet"),
    "threaten": ("restrict", "arrest", "relations", "expel", "territory", "violence"),
    "protest": ("demo", "riot", "strike", "hunger", "boycott", "obstruct"),
    "sanction": ("convict", "expel", "withdraw", "discontinue"),
    "mobilize": ("troops", "weapons", "police", "militia"),
    "coerce": (),
    "assault": (),
    "demand": (),
    "disapprove": (),
    "investigate": (),
    "crime": (),
}

_CODE: Final = re.compile(r"^[0-9]{2,4}$")
_WORD: Final = re.compile(r"[^a-z0-9]+")


@functools.cache
def cameo_labels() -> dict[str, str]:
    """Return every CAMEO event code with its label (``"042": "Make a visit"``)."""
    text = importlib.resources.files(__package__).joinpath("cameo_codes.csv").read_text("utf-8")
    # One "code,label" per line; labels may hold commas (split at the first only).
    pairs = (line.split(",", 1) for line in text.splitlines() if line.strip())
    return dict(pairs)


def cameo_label(code: str) -> str | None:
    """Return a CAMEO code's label, or None for a code the codebook lacks."""
    return cameo_labels().get(code)


def cameo_kind(code: str) -> str | None:
    """Return the kind for a CAMEO event code, or None when the codebook lacks the code."""
    kind = CAMEO_KINDS.get(code)
    if kind is not None:
        return kind
    return f"cameo.{code}" if code in cameo_labels() else None


def plover_word(text: str) -> str:
    """Return a PLOVER type or mode as a kind segment (``"third-party"`` -> ``third_party``)."""
    return _WORD.sub("_", text.strip().lower()).strip("_")


def plover_kind(event_type: str, mode: str) -> str | None:
    """Return the kind for a PLOVER type and mode, or None for an unknown type.

    An unknown mode of a known type gives the type's kind (``plover.consult``).
    """
    kind_type, kind_mode = plover_word(event_type), plover_word(mode)
    modes = PLOVER_MODES.get(kind_type)
    if modes is None:
        return None
    mapped = PLOVER_KINDS.get((kind_type, kind_mode)) or PLOVER_KINDS.get((kind_type, ""))
    if mapped is not None:
        return mapped
    if kind_mode in modes:
        return f"plover.{kind_type}.{kind_mode}"
    return f"plover.{kind_type}"


@functools.cache
def registered_kinds() -> tuple[timeline.Kind, ...]:
    """Return every kind this plugin registers: the extra kinds, ``cameo.*`` and ``plover.*``.

    Built once per process (kinds are immutable): every plugin host registers the same ones.
    """
    kinds = list(EXTRA_KINDS)
    for code, label in cameo_labels().items():
        kinds.append(
            timeline.Kind(name=f"cameo.{code}", description=f"CAMEO {code}: {label}", cameo=code)
        )
    for kind_type, modes in PLOVER_MODES.items():
        plover = kind_type.upper()
        kinds.append(
            timeline.Kind(name=f"plover.{kind_type}", description=f"PLOVER {plover}", plover=plover)
        )
        kinds.extend(
            timeline.Kind(
                name=f"plover.{kind_type}.{mode}",
                description=f"PLOVER {plover}, mode {mode}",
                plover=plover,
            )
            for mode in modes
        )
    return tuple(kinds)


def is_cameo_code(text: str) -> bool:
    """Return whether ``text`` looks like a CAMEO code (2 to 4 digits, as a string)."""
    return bool(_CODE.match(text))

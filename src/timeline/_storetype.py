"""What a store plugin registers: a kind of store and the locations it opens."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import attrs

from ._backend import Backend
from ._store import Store

__all__ = ["StoreType"]

_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*\Z")
_SUFFIX = re.compile(r"\.[a-z0-9]+\Z")


def _strings(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


@attrs.frozen
class StoreType:
    """A kind of store and the locations it opens, as registered by a plugin.

    ``StoreType("postgresql", PostgresStore, schemes=("postgresql", "postgres"))``
    makes ``timeline.open("postgresql://...")`` call ``PostgresStore("postgresql://...")``.
    A factory may return a ``Backend`` alone: the record layer (``Store``) is put over it.
    """

    name: str
    """A short lower-case name (``"sqlite"``), shown in error messages."""
    factory: Callable[[str], Store | Backend]
    """Opens (or creates) the store at a location (the URL or path as given): a ``Store``,
    or just a ``Backend``, which ``timeline.open`` puts the record layer over."""
    schemes: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    """URL schemes it opens (``"postgresql"`` for ``postgresql://...``), lower case."""
    suffixes: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    """File suffixes it opens (``".db"``), lower case with the dot."""
    names: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    """Exact locations it opens (``":memory:"``)."""

    def problem(self) -> str | None:
        """Return why this registration is invalid, or None."""
        if not re.fullmatch(r"[a-z][a-z0-9_]*", str(self.name)):
            return f"store name {self.name!r} is not a lower-case word such as 'sqlite'"
        factory: object = self.factory  # plugins are not type-checked
        if not callable(factory):
            return f"store {self.name!r}: factory {factory!r} is not callable"
        bad = [s for s in self.schemes if not _SCHEME.match(s)]
        bad += [s for s in self.suffixes if not _SUFFIX.match(s)]
        if bad:
            return f"store {self.name!r}: {bad[0]!r} is not a lower-case scheme or '.suffix'"
        if not (self.schemes or self.suffixes or self.names):
            return f"store {self.name!r} opens no scheme, suffix or name"
        return None

    def claims(self) -> list[str]:
        """Return the locations it claims, as ``scheme://``, ``.suffix`` and names."""
        return [*(f"{s}://" for s in self.schemes), *self.suffixes, *self.names]

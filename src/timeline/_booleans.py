"""The one reading of "true" and "false" words: options, CLI values and environment switches."""

from __future__ import annotations

__all__ = ["FALSE_WORDS", "TRUE_WORDS", "parse_bool"]

#: Words read as true (any case, surrounding blanks ignored).
TRUE_WORDS: frozenset[str] = frozenset({"1", "true", "yes", "on", "y"})
#: Words read as false.
FALSE_WORDS: frozenset[str] = frozenset({"0", "false", "no", "off", "n"})


def parse_bool(value: object) -> bool | None:
    """Return ``value`` as a boolean, or None when it is neither a bool nor a boolean word.

    Takes ``True``/``False`` and the words of ``TRUE_WORDS`` and ``FALSE_WORDS``
    (``yes``, ``on``, ``1``, ``false``, ``off``, ...; any case). The caller
    raises its own error on None, naming its input and place.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    return None

"""The vocabulary of the hot columns: terms read on first use, members found in C."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from timeline._columns import Vocabulary
from timeline._sqlite import SqliteBackend

#: Values made of members that may hold regex characters, separators, line breaks.
_MEMBERS = st.text(alphabet="AB.*\n |\x1f", min_size=1, max_size=4)


@given(
    values=st.lists(st.lists(_MEMBERS, max_size=4), max_size=12),
    member=_MEMBERS,
    separator=st.sampled_from([" ", "\x1f", "|"]),
)
def test_holding_is_a_membership_test(values: list[list[str]], member: str, separator: str) -> None:
    """``holding`` finds exactly the terms whose split value has the member."""
    vocabulary = Vocabulary()
    for at, members in enumerate(values):
        vocabulary.id("actors" if at % 3 else "tags", separator.join(members))
    for field in ("actors", "tags"):
        expected = vocabulary.matching(field, lambda v: member in v.split(separator))
        assert expected == vocabulary.holding(field, member, separator)


def test_holding_sees_terms_added_after_it_was_asked() -> None:
    """The joined lines are built again when the vocabulary grew."""
    vocabulary = Vocabulary()
    first = vocabulary.id("actors", "RUS IND")
    assert {first} == vocabulary.holding("actors", "IND", " ")
    second = vocabulary.id("actors", "IND")
    assert {first, second} == vocabulary.holding("actors", "IND", " ")
    assert set() == vocabulary.holding("actors", "IN", " ")
    assert set() == vocabulary.holding("tags", "IND", " ")


def test_a_store_numbered_vocabulary_reads_its_terms_on_first_use() -> None:
    """Marked stale, the vocabulary asks its store only when a term is needed."""
    table = [("kind", "treaty.signed"), ("actors", "RUS")]
    calls: list[int] = []
    vocabulary: Vocabulary

    def refresh() -> None:
        calls.append(len(vocabulary))
        vocabulary.extend(len(vocabulary), table[len(vocabulary) - 1 :])

    vocabulary = Vocabulary(refresh=refresh, local=False)
    vocabulary.stale()
    assert ([], 1) == (calls, len(vocabulary))
    assert "RUS" == vocabulary.value(2)
    assert [1] == calls
    assert 1 == vocabulary.find("kind", "treaty.signed")  # known now: no second read
    assert [1] == calls


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.lists(_MEMBERS, max_size=4), max_size=12),
    member=_MEMBERS,
    separator=st.sampled_from([" ", "\x1f", "|"]),
)
def test_sqlite_finds_the_members_holding_finds(
    values: list[list[str]], member: str, separator: str
) -> None:
    """SQLite's own search of its terms (``terms_holding``) is ``holding``'s membership test."""
    with tempfile.TemporaryDirectory() as tmp:
        backend = SqliteBackend(Path(tmp) / "log.db")
        try:
            local = Vocabulary()
            for at, members in enumerate(values):
                field, value = "actors" if at % 3 else "tags", separator.join(members)
                if local.find(field, value) is None:
                    stored = backend._db.execute(
                        "INSERT INTO terms (field, value) VALUES (?, ?)", (field, value)
                    ).lastrowid
                    assert local.id(field, value) == stored
            for field in ("actors", "tags"):
                expected = local.holding(field, member, separator)
                if separator not in member:
                    assert expected == backend.terms_holding(field, member, separator)
                vocabulary = backend.vocabulary()
                vocabulary.stale()  # nothing read: the store is asked
                assert expected == vocabulary.holding(field, member, separator)
        finally:
            backend.close()

"""The ids of a read model's rows (``_rowids``): a list, or a snapshot's block searched as bytes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.strategies import event_ids

from timeline._rowids import IdsRebuilt, RowIds


def _restored(ids: list[str], extra: list[str]) -> RowIds:
    block = "\n".join(ids).encode()
    row_ids = RowIds(lambda: block, len(ids))
    row_ids.extend(extra, len(ids))
    return row_ids


@given(
    st.lists(event_ids(), unique=True, max_size=30).flatmap(
        lambda ids: st.tuples(st.just(ids), st.integers(0, len(ids)))
    ),
    st.text("0123456789abcdef", min_size=1, max_size=4),
)
def test_a_restored_block_answers_as_the_list(drawn: tuple[list[str], int], text: str) -> None:
    """Finding a row, ids by prefix or suffix, the section: the same from bytes as from a list."""
    every, cut = drawn
    restored = _restored(every[:cut], every[cut:])
    listed = RowIds()
    listed.extend(every, 0)
    probes = [*every, "not-an-id", *(i[:-1] for i in every if len(i) > 1)]
    for row_ids in (restored, listed):
        assert [row_ids.find(i) for i in probes] == [
            every.index(i) if i in every else None for i in probes
        ]
        expected = sorted(i for i in every if i.startswith(text) or i.endswith(text))
        assert sorted(row_ids.matching(text)) == expected
        assert row_ids.section() == "\n".join(every).encode()
    if cut:  # the block was searched: no map of every id was built
        assert not restored.mapped
    assert restored.all() == every == listed.all()
    assert restored.listed
    assert restored.row_of() == {i: row for row, i in enumerate(every)}


def test_a_damaged_block_says_so() -> None:
    """A section that fails its hash (read_section gives None) raises IdsRebuilt, every time."""
    row_ids = RowIds(lambda: None, 3)
    for call in (row_ids.all, row_ids.section, lambda: row_ids.find("a"), row_ids.row_of):
        with pytest.raises(IdsRebuilt):
            call()


def test_an_id_with_a_newline_is_not_searched_in_the_block() -> None:
    """A text holding the block's separator cannot be one id: it is looked up in the map."""
    row_ids = _restored(["a", "b"], [])
    assert row_ids.find("a\nb") is None
    assert row_ids.mapped

"""The id index (``timeline._idindex``): counts by start and end, and the short forms."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from tests.strategies import event_ids

from timeline._idindex import GENERATED_ID, WIDTH, IdIndex, short_forms


class TestIdIndex:
    @given(st.lists(event_ids(), max_size=40, unique=True), st.lists(event_ids(), max_size=5))
    def test_counts_equal_a_scan(self, ids: list[str], extra: list[str]) -> None:
        """starting/ending count what a scan counts, for every text up to the key width."""
        extra = [i for i in extra if i not in ids]
        index = IdIndex.of(ids)
        index.add(extra)
        every = ids + extra
        texts = {i[:k] for i in every for k in range(1, 10)} | {
            i[-k:] for i in every for k in range(1, 10)
        }
        for text in texts:
            fits = len(text.encode()) <= WIDTH
            assert (sum(i.startswith(text) for i in every) if fits else None) == index.starting(
                text
            )
            assert (sum(i.endswith(text) for i in every) if fits else None) == index.ending(text)

    @given(st.lists(event_ids(), max_size=40, unique=True))
    def test_saved_index_reads_back(self, ids: list[str]) -> None:
        """tobytes/frombytes keep every count (extra ids merged in)."""
        index = IdIndex.of(ids[1:])
        index.add(ids[:1])
        again = IdIndex.frombytes(*index.tobytes())
        assert len(index) == len(again)
        for i in ids:
            assert index.starting(i[:5]) == again.starting(i[:5])
            assert index.ending(i[-5:]) == again.ending(i[-5:])

    @given(st.lists(event_ids(), min_size=1, max_size=40, unique=True))
    def test_short_forms_are_the_shortest_unique_tails(self, ids: list[str]) -> None:
        """A generated id's form is its shortest tail (6+) no other id starts or ends with."""
        forms = short_forms(ids, IdIndex.of(ids), lambda: ids)
        for full, form in forms.items():
            others = {i for i in ids if i != full}
            if not GENERATED_ID.fullmatch(full):
                assert full == form
                continue
            assert full.endswith(form)
            assert len(form) >= 6
            assert all(not (i.endswith(form) or i.startswith(form)) for i in others)
            shorter = form[1:]
            if len(shorter) >= 6:
                assert any(i.endswith(shorter) or i.startswith(shorter) for i in others)

    def test_a_tail_past_the_key_width_is_found_by_a_scan(self) -> None:
        """Ids sharing their last eight characters get longer forms, found exactly."""
        a = "0192a3b4c5d670a18000000012345678"
        b = "0192a3b4c5d670a18000000912345678"
        forms = short_forms([a, b], IdIndex.of([a, b]), lambda: [a, b])
        assert {a: "012345678", b: "912345678"} == forms

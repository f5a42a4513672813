"""The sample dataset: the seed articles' dated events, recorded through the public API."""

from __future__ import annotations

import datetime as dt

import pytest

import timeline
from timeline import RecordType, UnknownPlugin


@pytest.fixture(scope="module")
def tl() -> timeline.Timeline:
    return timeline.datasets.load("relos")


class TestRelos:
    def test_names(self) -> None:
        """names() lists the datasets; an unknown one is a clear error."""
        assert ["relos"] == timeline.datasets.names()
        with pytest.raises(UnknownPlugin, match="relos"):
            timeline.datasets.load("nope")

    def test_relos_life_cycle(self, tl: timeline.Timeline) -> None:
        """The RELOS steps carry the confirmed dates of domain.md section 6.3."""
        dates = {e.id: e.when.edtf for e in tl.events(treaty="RELOS")}
        assert "2024-06-21" == dates["relos-draft-approved"]
        assert "2025-02-18" == dates["relos-signed"]
        assert "2025-11-28" == dates["relos-submitted"]
        assert "2025-12-02" == dates["relos-duma"]
        assert "2025-12-15" == dates["relos-law-signed"]

    def test_federation_council_sources_disagree(self, tl: timeline.Timeline) -> None:
        """Both disagreeing sources and their dates are kept; the date is uncertain."""
        step = tl.get("relos-federation-council")
        assert 2 == len(step.sources)
        assert ["2025-12-08", "2025-12-10"] == [c["date"] for c in step.attributes["claims"]]
        assert step.when.is_fuzzy
        assert (dt.date(2025, 12, 8), dt.date(2025, 12, 10)) == (
            step.when.earliest,
            step.when.latest,
        )

    def test_other_seed_events(self, tl: timeline.Timeline) -> None:
        """The visit, the June 2024 moves, the NSS and the 28-point plan are there."""
        assert "2025-12-04/2025-12-05" == tl.get("putin-india-visit-2025").when.edtf
        assert "2024-06-19" == tl.get("rus-prk-treaty-signed").when.edtf
        assert "2024-06-20" == tl.get("rus-vnm-joint-statement").when.edtf
        assert "2025-12-04" == tl.get("us-nss-2025").when.edtf
        assert "2025-11-18" == tl.get("peace-plan-28-points").when.edtf

    def test_modi_history_shows_both_dates(self, tl: timeline.Timeline) -> None:
        """Modi's premiership: recorded as "May 2014", amended to the oath date."""
        history = tl.history("modi-premiership")
        assert [RecordType.RECORDED, RecordType.AMENDED] == [r.type for r in history]
        assert ["2014-05", "2014-05-26"] == [r.event.when.edtf for r in history]  # type: ignore[union-attr]
        assert 2 == len(history[1].event.sources)  # type: ignore[union-attr]

    def test_fuzzy_phrases_keep_phrase_and_anchor(self, tl: timeline.Timeline) -> None:
        """Relative phrases keep their words and the anchor they were resolved against."""
        summer = tl.get("us-russia-summer-2025").when
        assert ("over the summer", "2025-22", dt.date(2025, 12, 5)) == (
            summer.phrase,
            summer.edtf,
            summer.anchor,
        )
        years = tl.get("relos-negotiation").when
        assert ("for the past few years", dt.date(2024, 6, 24)) == (years.phrase, years.anchor)
        assert "2022/.." == tl.get("us-policy-since-2022").when.edtf
        first = tl.history("relos-duma")[0].event
        assert first is not None
        assert "2025-12-01/2025-12-10" == first.when.edtf

    def test_hypothetical_kept_with_modality(self, tl: timeline.Timeline) -> None:
        """ "could begin drilling in the Arctic" is kept, as hypothetical."""
        assert timeline.Modality.HYPOTHETICAL == tl.get("arctic-drills-hypothetical").modality

    def test_load_into_existing_and_deterministic(self, tmp_path: object) -> None:
        """load(into=tl) records into a given timeline; two loads give the same hashes."""
        target = timeline.Timeline(timeline.MemoryStore(), clock=timeline.datasets.sample_clock())
        assert target is timeline.datasets.load("relos", into=target)
        again = timeline.datasets.load("relos")
        assert target.verify().head_hash == again.verify().head_hash
        assert 19 == len(target)

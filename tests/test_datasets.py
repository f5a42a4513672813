"""The sample dataset: the seed articles' dated events, recorded through the public API."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

import timeline
from timeline import RecordType, UnknownPlugin
from timeline.datasets import _relos as relos

SEEDS = Path("/work/shared/seeds")


def _hypotheticals(tl: timeline.Timeline) -> list[timeline.Event]:
    return [e for e in tl.events() if e.modality is timeline.Modality.HYPOTHETICAL]


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

    def test_federation_council_is_one_of_two_days(self, tl: timeline.Timeline) -> None:
        """ "8 or 10 December": an EDTF set of the two candidates, never 9 December."""
        when = tl.get("relos-federation-council").when
        assert ("[2025-12-08,2025-12-10]", True, False) == (
            when.edtf,
            when.is_one_of,
            when.is_exact,
        )
        assert ["2025-12-08", "2025-12-10"] == [m.edtf for m in when.members]
        assert not when.overlaps("2025-12-09", "2025-12-09")
        on_the_9th = {e.id for e in tl.events(between=("2025-12-09", "2025-12-09"))}
        on_the_10th = {e.id for e in tl.events(between=("2025-12-10", "2025-12-10"))}
        assert (
            "relos-federation-council" in on_the_9th,
            "relos-federation-council" in on_the_10th,
        ) == (
            False,
            True,
        )

    def test_other_seed_events(self, tl: timeline.Timeline) -> None:
        """The visits, the June 2024 moves, the NSS and the 28-point plan are there."""
        assert "2025-12-04/2025-12-05" == tl.get("putin-india-visit-2025").when.edtf
        assert tl.get("putin-india-visit-2025").when.phrase is None  # no invented words
        assert "2024-06-19" == tl.get("rus-prk-treaty-signed").when.edtf
        assert "2024-06-20" == tl.get("rus-vnm-joint-statement").when.edtf
        assert "2024-06-20" == tl.get("putin-vietnam-visit-2024").when.edtf
        assert "2025-11-18" == tl.get("peace-plan-28-points").when.edtf

    def test_negotiation_runs_from_2019_to_the_signature(self, tl: timeline.Timeline) -> None:
        """Point 1: talks documented in August 2019 that ended with the signature."""
        talks = tl.get("relos-negotiation")
        assert (dt.date(2019, 8, 1), dt.date(2025, 2, 18)) == (
            talks.when.earliest,
            talks.when.latest,
        )
        assert "for the past few years" == talks.attributes["as_written"]["phrase"]

    def test_every_event_cites_its_article(self, tl: timeline.Timeline) -> None:
        """Point 2: each event has a source; those from an article cite it by title."""
        articles = {
            relos.ARTICLE_2024.url: relos.CITE_2024,
            relos.ARTICLE_2025.url: relos.CITE_2025,
        }
        for event in tl.events():
            assert event.sources, event.id
            cited = [s for s in event.sources if s.url in articles]
            if "article" in event.attributes:
                assert [articles[cited[0].url]] == [event.attributes["article"]], event.id
                assert cited[0].excerpt, event.id
            assert "seed" not in event.summary.lower(), event.id
        assert 0 == len([e for e in tl.events() if "seed" in e.attributes])

    def test_quotes_are_the_articles_words(self, tl: timeline.Timeline) -> None:
        """Point 7: an article's excerpt is its own words (the seed texts, spaces normalised)."""
        if not SEEDS.is_dir():
            pytest.skip(f"the seed articles are not at {SEEDS}")
        texts = {
            relos.ARTICLE_2024.url: (SEEDS / "003_c8bfe3529ced730d.txt").read_text(),
            relos.ARTICLE_2025.url: (SEEDS / "000_0914517471767e7a.txt").read_text(),
        }
        texts = {url: " ".join(text.replace("\u00a0", " ").split()) for url, text in texts.items()}
        quoted = 0
        for event in tl.events():
            for source in event.sources:
                if source.url in texts:
                    assert source.excerpt in texts[source.url], event.id
                    quoted += 1
        assert quoted >= 20

    def test_modi_history_shows_both_dates(self, tl: timeline.Timeline) -> None:
        """Modi's premiership: recorded as "May 2014", refined to the oath date."""
        history = tl.history("modi-premiership")
        assert [RecordType.RECORDED, RecordType.AMENDED] == [r.type for r in history]
        assert ["May 2014", "May 2014 (2014-05-26)"] == [
            r.event.when.display for r in history if r.event is not None
        ]

    def test_amendment_adds_sources(self, tl: timeline.Timeline) -> None:
        """Point 2: the amended Duma step keeps the article and adds TASS and Mint."""
        first, last = (r.event for r in tl.history("relos-duma"))
        assert first is not None
        assert last is not None
        assert set(first.sources) < set(last.sources)
        assert {"TASS", "Mint"} <= {s.publisher for s in last.sources}

    def test_articles_are_anchored_on_their_days(self, tl: timeline.Timeline) -> None:
        """Point 3: the June 2024 article's phrases are read against 23 June 2024."""
        bri = tl.get("pro-bri-faction-upswing").when
        assert (dt.date(2024, 6, 23), "2023-06-23/2024-06-23") == (bri.anchor, bri.edtf)
        weekend = tl.get("relos-draft-approved").attributes["reported"]
        assert ("2024-06-22/2024-06-23", "2024-06-23") == (weekend["edtf"], weekend["anchor"])

    def test_phrases_as_written_survive_amendment(self, tl: timeline.Timeline) -> None:
        """Point 4: refined dates keep their phrase; phrases and anchors are the articles'."""
        duma = tl.get("relos-duma").when
        assert ("2025-12-02", "in early December") == (duma.edtf, duma.phrase)
        modi = tl.get("modi-premiership").when
        assert ("2014-05-26", "May 2014") == (modi.edtf, modi.phrase)
        first = tl.history("relos-duma")[0].event
        assert first is not None
        assert "2025-12-01/2025-12-10" == first.when.edtf
        summer = tl.get("us-russia-summer-2025").when
        assert ("over the summer", "2025-22", dt.date(2025, 12, 5)) == (
            summer.phrase,
            summer.edtf,
            summer.anchor,
        )
        since = tl.get("us-policy-since-2022").when
        assert ("since 2022", "2022/..", dt.date(2024, 6, 23)) == (
            since.phrase,
            since.edtf,
            since.anchor,
        )
        assert "2014-05~" == tl.get("us-russia-ties-2014").when.edtf  # "coincided with" May 2014
        for event in _hypotheticals(tl):
            assert event.when.anchor == event.when.earliest, event.id
            assert "date_basis" in event.attributes, event.id

    def test_missing_statements_are_there(self, tl: timeline.Timeline) -> None:
        """Point 5: bridging since May 2014, the hypotheticals, the New Détente, Hanoi, "eve of"."""
        assert "since May 2014" == tl.get("india-bridges-russia-us").when.phrase
        hypothetical = {e.id for e in _hypotheticals(tl)}
        assert {
            "arctic-drills-hypothetical",
            "russian-forces-ior-hypothetical",
            "indian-naval-transits-hypothetical",
            "navy-visits-hypothetical",
            "joint-exercises-more-often-hypothetical",
            "us-northeast-asia-hypothetical",
        } == hypothetical
        assert ("peace-plan-28-points",) == tl.get("new-detente").related
        assert "Hanoi" == tl.get("putin-vietnam-visit-2024").location
        assert ("putin-india-visit-2025",) == tl.get("relos-duma").related

    def test_disputed_dates_are_marked(self, tl: timeline.Timeline) -> None:
        """Point 6: the NSS (4 or 5 December) is disputed, like the Federation Council."""
        for event_id in ("us-nss-2025", "relos-federation-council"):
            event = tl.get(event_id)
            assert event.attributes["disputed"], event_id
            assert event.when.is_fuzzy, event_id
            days = [c["date"] for c in event.attributes["claims"]]
            assert all(event.when.within(d, d) is False for d in days)
            assert all(event.when.overlaps(d, d) for d in days)

    def test_life_cycle_actors_are_coded_alike(self, tl: timeline.Timeline) -> None:
        """Point 8: every one-party RELOS step has Russia acting and India receiving."""
        one_party = {"treaty.draft_approved", "treaty.submitted", "treaty.domestic_approval"}
        steps = [e for e in tl.events(treaty="RELOS") if e.kind in one_party]
        assert 5 == len(steps)
        for step in steps:
            roles = {(a.country, a.role) for a in step.actors}
            assert {
                ("RUS", timeline.ActorRole.ACTOR),
                ("IND", timeline.ActorRole.RECIPIENT),
            } == roles

    def test_network_sees_every_step(self, tl: timeline.Timeline) -> None:
        """Point 8: consistent coding puts all seven RELOS steps in the Russia-India tie."""
        tie = next(
            t
            for t in tl.analyze("network").slices[0].ties
            if {t.source, t.target} == {"IND", "RUS"}
        )
        assert {e.id for e in tl.events(treaty="RELOS")} <= set(tie.event_ids)
        assert 7 * 3 + 2 + 1 == tie.weight  # treaty steps x3, the visit x2, the bridging policy

    def test_assessments_share_one_modality(self, tl: timeline.Timeline) -> None:
        """Point 10: the author's trend assessments are all 'reported'."""
        trends = [
            e for e in tl.events() if e.kind.split(".")[0] in {"relations", "influence", "policy"}
        ]
        assert 6 == len(trends)
        assert {timeline.Modality.REPORTED} == {e.modality for e in trends}

    def test_hypotheticals_never_on_a_calendar(self, tl: timeline.Timeline) -> None:
        """Point 10: even with modalities 'all', no hypothetical reaches ICS or Google CSV."""
        data = io.BytesIO()
        tl.export("ics", data, modalities="all", fuzzy="span")
        assert b"hypothetical" not in data.getvalue()
        text = io.StringIO()
        tl.export("csv", text, dialect="google", modalities="all", fuzzy="span")
        assert not [e.title for e in _hypotheticals(tl) if e.title in text.getvalue()]
        with pytest.raises(timeline.NothingToExport, match="9 open-ended"):
            tl.export("ics", io.BytesIO(), modalities="hypothetical", fuzzy="span")

    def test_closed_hypothetical_only_when_named(self) -> None:
        """Point 10: a hypothetical with a closed date reaches a calendar only when named."""
        tl = timeline.datasets.load("relos")
        tl.record(
            id="drill-2026",
            kind="exercise.joint",
            when="2026-03-02",
            title="A drill that could happen",
            modality="hypothetical",
        )
        everything = io.BytesIO()
        report = tl.export("ics", everything, modalities="all")
        assert b"drill-2026" not in everything.getvalue()
        assert "1 hypothetical (modalities='hypothetical' to include)" in str(report)
        named = io.BytesIO()
        assert 1 == tl.export("ics", named, modalities="hypothetical").written
        assert b"drill-2026" in named.getvalue()

    def test_load_into_existing_and_deterministic(self, tmp_path: object) -> None:
        """load(into=tl) records into a given timeline; two loads give the same hashes."""
        target = timeline.Timeline(timeline.MemoryStore(), clock=timeline.datasets.sample_clock())
        assert target is timeline.datasets.load("relos", into=target)
        again = timeline.datasets.load("relos")
        assert target.verify().head_hash == again.verify().head_hash
        assert 27 == len(target)

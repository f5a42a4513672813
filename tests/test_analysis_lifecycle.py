"""Tests for the lifecycle analysis (plugins/timeline_analyses/lifecycle.py)."""

# Asserts put the expected value first (the house style); ruff reads that as Yoda.

from __future__ import annotations

import datetime as dt
import json

import pytest

import timeline
import timeline_analyses
from timeline.testing import AnalysisContract
from timeline_analyses import Span
from timeline_analyses.lifecycle import Lifecycle, LifecycleResult

D = dt.date
LIFECYCLE = Lifecycle()


def ev(id_: str, kind: str, when: str, actors: object = ("FRA", "DEU"), **fields: object) -> dict:
    """Return the fields of a synthetic event of treaty T (unless ``treaty`` is given)."""
    return {
        "id": id_,
        "kind": kind,
        "when": when,
        "title": id_,
        "actors": actors,
        "treaty": "T",
        **fields,
    }


def steps(result: LifecycleResult, treaty: str = "T") -> list[str]:
    return [s.event_id for s in result.agreement(treaty).steps]


def statuses(result: LifecycleResult, treaty: str = "T") -> dict[str, str]:
    return {p.party: p.status for p in result.agreement(treaty).parties}


@pytest.fixture
def relos() -> timeline.Timeline:
    return timeline.datasets.load("relos")


class TestLifecycleContract(AnalysisContract):
    def make_analysis(self) -> timeline.Analysis:
        return Lifecycle()


class TestSampleDataset:
    def test_signed_to_state_duma_is_287_days(self, relos):
        """RELOS signed 2025-02-18 -> State Duma approval 2025-12-02 = 287 days, exactly."""
        agreement = LIFECYCLE.analyze(relos, treaty="RELOS").agreement("RELOS")
        duma = next(s for s in agreement.steps if s.event_id == "relos-duma")
        assert Span(min_days=287, max_days=287, exact=True) == duma.since_signature
        assert ("lower", "State Duma") == (duma.chamber, duma.body)
        assert Span(min_days=4, max_days=4, exact=True) == duma.since_previous

    def test_federation_council_step_is_disputed_with_both_sources(self, relos):
        """The Federation Council step shows both dates and both sources, and a range."""
        agreement = LIFECYCLE.analyze(relos, treaty="RELOS").agreement("RELOS")
        council = next(s for s in agreement.steps if s.event_id == "relos-federation-council")
        assert council.disputed
        assert not council.exact
        assert ["2025-12-08", "2025-12-10"] == [c.date for c in council.claims]
        assert [
            (
                "https://www.indiatoday.in/world/story/russia-india-military-logistics-pact-"
                "relos-signed-glbs-2836418-2025-12-15",
            ),
            ("https://tass.com/economy/2056179",),
        ] == [c.sources for c in council.claims]
        assert [("India Today (PTI)",), ("TASS",)] == [c.publishers for c in council.claims]
        assert Span(min_days=6, max_days=8, exact=False) == council.since_previous
        assert Span(min_days=293, max_days=295, exact=False) == council.since_signature

    def test_steps_in_life_cycle_order(self, relos):
        """The RELOS steps run negotiation, draft, signature, submission, three approvals."""
        agreement = LIFECYCLE.analyze(relos, treaty="RELOS").agreement("RELOS")
        assert [
            "negotiation",
            "draft_approved",
            "signed",
            "submitted",
            "domestic_approval",
            "domestic_approval",
            "domestic_approval",
        ] == [s.stage for s in agreement.steps]
        assert ["lower", "upper", "head_of_state"] == [
            s.chamber for s in agreement.steps if s.stage == "domestic_approval"
        ]

    def test_party_status_is_derived(self, relos):
        """Both RELOS parties are signatories; the RUS-PRK treaty is in force for both."""
        result = LIFECYCLE.analyze(relos)
        assert {"IND": "signatory", "RUS": "signatory"} == statuses(result, "RELOS")
        assert "2025-02-18" == result.agreement("RELOS").parties[0].since
        assert {"PRK": "party", "RUS": "party"} == statuses(result, "RUS-PRK CSP")
        assert result.agreement("RUS-PRK CSP").in_force
        assert not result.agreement("RELOS").in_force

    def test_hypothetical_event_is_left_out(self, relos):
        """The hypothetical Arctic drills share the treaty but are neither step nor related."""
        agreement = LIFECYCLE.analyze(relos, treaty="RELOS").agreement("RELOS")
        assert "arctic-drills-hypothetical" not in steps(
            LifecycleResult(agreements=(agreement,)), "RELOS"
        )
        assert () == agreement.related

    def test_as_of_shows_the_fuzzy_duma_date(self, relos):
        """Before the amendment (seq 27) the Duma step is 'early December': 286-295 days."""
        agreement = LIFECYCLE.analyze(relos, treaty="RELOS", as_of=27).agreement("RELOS")
        duma = next(s for s in agreement.steps if s.event_id == "relos-duma")
        assert "in early December" == duma.date
        assert Span(min_days=286, max_days=295, exact=False) == duma.since_signature

    def test_negotiation_still_running_counts_from_its_start(self, relos):
        """Talks under way until the signature: the draft approval counts from their start."""
        agreement = LIFECYCLE.analyze(relos, treaty="RELOS").agreement("RELOS")
        draft = next(s for s in agreement.steps if s.event_id == "relos-draft-approved")
        # 2019-08-01 (talks under way by August 2019) -> 2024-06-21.
        assert Span(min_days=1786, max_days=1786, exact=False) == draft.since_previous
        signed = next(s for s in agreement.steps if s.event_id == "relos-signed")
        assert Span(min_days=242, max_days=242, exact=True) == signed.since_previous

    def test_table_marks_the_dispute(self, relos):
        """The table row of the council step names both dates and publishers."""
        header, rows = LIFECYCLE.table(LIFECYCLE.analyze(relos, treaty="RELOS"))
        row = next(r for r in rows if r[0] == "RELOS" and r[1] == "[2025-12-08,2025-12-10]")
        assert "disputed: 2025-12-08 (India Today (PTI)); 2025-12-10 (TASS)" == row[-1]
        assert "293 to 295 days (imprecise)" == row[header.index("since signature")]
        duma = next(r for r in rows if r[1] == "in early December (2025-12-02)")
        assert "287 days" == duma[7]

    def test_registered_under_its_name(self, relos):
        """``tl.analyze("lifecycle", treaty="RELOS")`` runs this analysis through the host."""
        if "lifecycle" not in relos.plugins.analyses():
            pytest.skip("the timeline_analyses entry point is not registered yet")
        result = relos.analyze("lifecycle", treaty="RELOS")
        assert ("RELOS",) == tuple(a.treaty for a in result.agreements)


class TestDurations:
    def test_fuzzy_steps_give_a_range(self, memory_timeline):
        """March 2024 -> 10 May 2024 is 40 to 70 days, not exact."""
        memory_timeline.record_many(
            [ev("s", "treaty.signed", "2024-03"), ev("a", "treaty.ratified", "2024-05-10")]
        )
        second = LIFECYCLE.analyze(memory_timeline).agreement("T").steps[1]
        assert Span(min_days=40, max_days=70, exact=False) == second.since_previous
        assert Span(min_days=40, max_days=70, exact=False) == second.since_signature

    def test_one_of_two_days_gives_the_range_over_the_candidates(self, memory_timeline):
        """Signed 2 December, approved on 8 or 10 December: 6 to 8 days, not exact."""
        memory_timeline.record_many(
            [
                ev("s", "treaty.signed", "2025-12-02"),
                ev("a", "treaty.ratified", "8 or 10 December 2025"),
            ]
        )
        second = LIFECYCLE.analyze(memory_timeline).agreement("T").steps[1]
        assert Span(min_days=6, max_days=8, exact=False) == second.since_previous

    def test_month_is_not_its_first_day(self, memory_timeline):
        """A step in 'December 2025' after one on 2025-12-20 may be 11 days before or after."""
        memory_timeline.record_many(
            [ev("s", "treaty.signed", "2025-12-20"), ev("a", "treaty.ratified", "December 2025")]
        )
        result = LIFECYCLE.analyze(memory_timeline)
        assert ["a", "s"] == steps(result)  # the month's earliest day sorts first
        assert Span(min_days=-11, max_days=19, exact=False) == (
            result.agreement("T").steps[1].since_previous
        )

    def test_open_ended_step_has_no_duration(self, memory_timeline):
        """A step with an open end ('2024/..') gets no since_previous."""
        memory_timeline.record_many(
            [ev("s", "treaty.signed", "2020-01-01"), ev("n", "treaty.negotiation", "2024/..")]
        )
        assert None is LIFECYCLE.analyze(memory_timeline).agreement("T").steps[1].since_previous

    def test_same_day_steps_follow_the_life_cycle(self, memory_timeline):
        """On the same day, draft approval comes before signature."""
        memory_timeline.record_many(
            [ev("s", "treaty.signed", "2020-01-01"), ev("d", "treaty.draft_approved", "2020-01-01")]
        )
        assert ["d", "s"] == steps(LIFECYCLE.analyze(memory_timeline))

    def test_claims_widen_the_bounds(self, memory_timeline):
        """Differing claims mark a step disputed and widen its bounds to every claim."""
        memory_timeline.record_many(
            [
                ev("s", "treaty.signed", "2020-01-01"),
                ev(
                    "c",
                    "treaty.domestic_approval",
                    "2020-01-10",
                    actors=["FRA"],
                    attributes={
                        "claims": [
                            {"source": "https://a.example/1", "date": "2020-01-10"},
                            {"source": "https://b.example/2", "date": "2020-01-12"},
                        ]
                    },
                ),
            ]
        )
        step = LIFECYCLE.analyze(memory_timeline).agreement("T").steps[1]
        assert (True, D(2020, 1, 10), D(2020, 1, 12)) == (step.disputed, step.earliest, step.latest)
        assert Span(min_days=9, max_days=11, exact=False) == step.since_previous
        assert ((), ()) == (step.claims[0].publishers, step.claims[1].publishers)


class TestStatus:
    def test_signature_then_ratification(self, memory_timeline):
        """A ratifying signatory is contracting, the other stays a signatory."""
        memory_timeline.record_many(
            [
                ev("s", "treaty.signed", "2020-01-01"),
                ev("r", "treaty.ratified", "2020-02-01", actors=["FRA"]),
            ]
        )
        result = LIFECYCLE.analyze(memory_timeline)
        assert {"DEU": "signatory", "FRA": "contracting"} == statuses(result)
        assert not result.agreement("T").in_force

    def test_entry_into_force_then_accession_and_withdrawal(self, memory_timeline):
        """Entry into force makes parties; later consent makes a party; a withdrawal ends it."""
        memory_timeline.record_many(
            [
                ev("s", "treaty.signed", "2020-01-01"),
                ev("f", "treaty.entered_into_force", "2020-03-01"),
                ev("a", "treaty.ratified", "2021-01-01", actors=["ITA"]),  # consent after EIF
                ev("w", "treaty.withdrawn", "2022-01-01", actors=["DEU", "FRA"]),
            ]
        )
        result = LIFECYCLE.analyze(memory_timeline)
        assert {"DEU": "withdrawn", "FRA": "party", "ITA": "party"} == statuses(result)
        assert ["s", "f", "a", "w"] == steps(result)

    def test_planned_step_changes_no_status(self, memory_timeline):
        """A planned ratification is listed (noted 'planned') but changes nobody's status."""
        memory_timeline.record_many(
            [
                ev("s", "treaty.signed", "2020-01-01"),
                ev("r", "treaty.ratified", "2020-02-01", modality="planned"),
            ]
        )
        result = LIFECYCLE.analyze(memory_timeline)
        assert {"DEU": "signatory", "FRA": "signatory"} == statuses(result)
        assert "planned" == LIFECYCLE.table(result)[1][1][-1]

    def test_retracted_step_is_left_out(self, memory_timeline):
        """A retracted ratification neither appears nor counts, even with include_retracted."""
        memory_timeline.record_many(
            [ev("s", "treaty.signed", "2020-01-01"), ev("r", "treaty.ratified", "2020-02-01")]
        )
        memory_timeline.retract("r", reason="wrong report")
        result = LIFECYCLE.analyze(memory_timeline, include_retracted=True)
        assert ["s"] == steps(result)
        assert {"DEU": "signatory", "FRA": "signatory"} == statuses(result)

    def test_as_of_shows_the_earlier_status(self, memory_timeline):
        """As of before the ratification, both are signatories."""
        memory_timeline.record(**ev("s", "treaty.signed", "2020-01-01"))
        seq = memory_timeline.seq
        memory_timeline.record(**ev("r", "treaty.ratified", "2020-02-01"))
        assert {"DEU": "signatory", "FRA": "signatory"} == statuses(
            LIFECYCLE.analyze(memory_timeline, as_of=seq)
        )
        assert {"DEU": "contracting", "FRA": "contracting"} == statuses(
            LIFECYCLE.analyze(memory_timeline)
        )

    def test_only_negotiating(self, memory_timeline):
        """Parties with only pre-signature steps are negotiating."""
        memory_timeline.record(**ev("n", "treaty.negotiation", "2019"))
        assert {"DEU": "negotiating", "FRA": "negotiating"} == statuses(
            LIFECYCLE.analyze(memory_timeline)
        )


class TestParties:
    def test_recipients_are_not_acting(self, memory_timeline):
        """Actors with role recipient do not take the step."""
        memory_timeline.record(
            **ev(
                "d",
                "treaty.domestic_approval",
                "2020-01-01",
                actors=[
                    {"country": "FRA", "role": "actor", "sector": "LEG"},
                    {"country": "DEU", "role": "recipient"},
                ],
            )
        )
        step = LIFECYCLE.analyze(memory_timeline).agreement("T").steps[0]
        assert (("FRA",), "LEG", None) == (step.parties, step.chamber, step.body)

    def test_domestic_step_without_roles_is_the_first_actors(self, memory_timeline):
        """Without roles, a domestic step belongs to the first actor; its name is the chamber."""
        memory_timeline.record(
            **ev(
                "d",
                "treaty.submitted",
                "2020-01-01",
                actors=[{"country": "DEU", "name": "Bundestag"}, "FRA"],
            )
        )
        step = LIFECYCLE.analyze(memory_timeline).agreement("T").steps[0]
        assert (("DEU",), "Bundestag", "Bundestag") == (step.parties, step.chamber, step.body)

    def test_party_attribute_wins(self, memory_timeline):
        """``attributes["party"]`` names the parties taking the step."""
        memory_timeline.record(
            **ev("f", "treaty.entered_into_force", "2020-01-01", attributes={"party": ["ita"]})
        )
        assert ("ITA",) == LIFECYCLE.analyze(memory_timeline).agreement("T").steps[0].parties


class TestFiltersAndOutput:
    def test_treaty_filter_picks_one_agreement(self, memory_timeline):
        """The common treaty filter keeps one agreement; without it every one is listed."""
        memory_timeline.record_many(
            [
                ev("s", "treaty.signed", "2020-01-01"),
                ev("u", "treaty.signed", "2020-01-01", treaty="U"),
            ]
        )
        assert ("T", "U") == tuple(a.treaty for a in LIFECYCLE.analyze(memory_timeline).agreements)
        assert ("U",) == tuple(
            a.treaty for a in LIFECYCLE.analyze(memory_timeline, treaty="U").agreements
        )

    def test_events_of_other_kinds_are_related(self, memory_timeline):
        """A visit sharing the treaty is listed as related, not as a step."""
        memory_timeline.record_many(
            [ev("s", "treaty.signed", "2020-01-01"), ev("v", "visit.state", "2020-01-01")]
        )
        agreement = LIFECYCLE.analyze(memory_timeline).agreement("T")
        assert (["s"], ("v",)) == ([s.event_id for s in agreement.steps], agreement.related)

    def test_unknown_agreement(self):
        """Asking a result for an agreement it lacks raises KeyError."""
        with pytest.raises(KeyError, match="X"):
            LifecycleResult(agreements=()).agreement("X")

    def test_json_has_iso_dates(self, memory_timeline):
        """``to_json`` gives ISO dates and nested spans."""
        memory_timeline.record_many(
            [ev("s", "treaty.signed", "2020-01-01"), ev("r", "treaty.ratified", "2020-01-11")]
        )
        data = json.loads(json.dumps(LIFECYCLE.to_json(LIFECYCLE.analyze(memory_timeline))))
        step = data["agreements"][0]["steps"][1]
        assert ("2020-01-11", {"min_days": 10, "max_days": 10, "exact": True}) == (
            step["earliest"],
            step["since_previous"],
        )

    def test_registered_by_the_hook(self):
        """The package's hook registers lifecycle among its four analyses."""
        names: list[str] = []
        timeline_analyses.timeline_register_analyses(lambda a: names.append(a.name))
        assert ["lifecycle", "network", "cadence", "clusters"] == names

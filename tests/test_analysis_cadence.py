"""Tests for the cadence analysis (plugins/timeline_analyses/cadence.py)."""

from __future__ import annotations

import datetime as dt
import math
import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

import timeline
from timeline.testing import AnalysisContract
from timeline_analyses.cadence import Cadence, CadenceResult, baseline, period_of

D = dt.date
CADENCE = Cadence()


def ev(id_: str, when: str, actors: object = ("RUS",), **fields: object) -> dict:
    return {
        "id": id_,
        "kind": "meeting.summit",
        "when": when,
        "title": id_,
        "actors": actors,
        **fields,
    }


def counts(result: CadenceResult, actor: str = "RUS") -> dict[str, tuple[int, int, bool]]:
    return {c.period: (c.count, c.imprecise, c.burst) for c in result.counts if c.actor == actor}


@pytest.fixture
def april(memory_timeline):
    """RUS: one event in each of Jan-Mar 2024, five in April 2024 (one dated 'April 2024')."""
    memory_timeline.record_many(
        [
            ev("jan", "2024-01-10"),
            ev("feb", "2024-02-10"),
            ev("mar", "2024-03-10"),
            *(ev(f"apr{d}", f"2024-04-0{d}", ["RUS", "IND"]) for d in range(1, 5)),
            ev("aprm", "April 2024"),
        ]
    )
    return memory_timeline


class TestCadenceContract(AnalysisContract):
    def make_analysis(self) -> timeline.Analysis:
        return Cadence()


class TestCounts:
    def test_monthly_burst_against_own_baseline(self, april):
        """April (5) is a burst: >= 3 and above 1 + 2*0; the months before are not."""
        result = CADENCE.analyze(april)
        assert {
            "2024-01": (1, 0, False),
            "2024-02": (1, 0, False),
            "2024-03": (1, 0, False),
            "2024-04": (5, 0, True),
        } == counts(result)
        april_cell = next(c for c in result.bursts() if c.actor == "RUS")
        assert (1.0, 0.0) == (april_cell.baseline_mean, april_cell.baseline_stdev)
        jan = next(c for c in result.counts if c.period == "2024-01" and c.actor == "RUS")
        assert math.isclose(7 / 3, jan.baseline_mean)
        assert math.isclose(math.sqrt(32 / 9), jan.baseline_stdev)

    def test_other_actor_has_its_own_baseline(self, april):
        """IND has only April (4 events): with no other period, 4 >= 3 is a burst."""
        assert {"2024-04": (4, 0, True)} == counts(CADENCE.analyze(april), "IND")

    def test_quarters(self, april):
        """Q1 has 3 and Q2 5: Q2 beats the Q1 baseline of 3, Q1 does not beat 5."""
        assert {"2024-Q1": (3, 0, False), "2024-Q2": (5, 0, True)} == counts(
            CADENCE.analyze(april, period="quarter")
        )

    def test_min_count_and_sigma(self, april):
        """min_count=6 or a large sigma against a spread baseline leave no burst."""
        assert () == CADENCE.analyze(april, min_count=6).bursts()
        assert ("2024-04",) == tuple(
            c.period for c in CADENCE.analyze(april, sigma=100.0).bursts() if c.actor == "RUS"
        )

    def test_month_precision_counts_in_its_month(self, memory_timeline):
        """'December 2025' counts in December, not imprecise; a year-wide date is."""
        memory_timeline.record_many([ev("dec", "December 2025"), ev("year", "2025")])
        assert {"2025-01": (1, 1, False), "2025-12": (1, 0, False)} == counts(
            CADENCE.analyze(memory_timeline)
        )
        assert {"2025": (2, 0, False)} == counts(CADENCE.analyze(memory_timeline, period="year"))

    def test_spanning_and_approximate_dates_are_imprecise(self, memory_timeline):
        """A date across two months counts in the first, marked; so does a circa day."""
        memory_timeline.record_many(
            [ev("span", "2024-03-25/2024-04-05"), ev("circa", "2024-03-31~")]
        )
        assert {"2024-03": (2, 2, False)} == counts(CADENCE.analyze(memory_timeline))

    def test_window_start_places_a_wide_event(self, memory_timeline):
        """With between=April 2024, the event dated '2024' counts in April, marked imprecise."""
        memory_timeline.record_many([ev("year", "2024"), ev("apr", "2024-04-02")])
        result = CADENCE.analyze(memory_timeline, between=("2024-04", "2024-04"))
        assert {"2024-04": (2, 1, False)} == counts(result)

    def test_open_start_is_unplaced(self, memory_timeline):
        """An event dated '../2024-06' is not counted but listed."""
        memory_timeline.record_many([ev("open", "../2024-06"), ev("day", "2024-06-01")])
        result = CADENCE.analyze(memory_timeline)
        assert (("open",), {"2024-06": (1, 0, False)}) == (result.unplaced, counts(result))

    def test_retracted_hypothetical_and_as_of(self, april):
        """Retracted and hypothetical events do not count; as_of shows the earlier count."""
        seq = april.seq
        april.retract("apr1", reason="wrong")
        april.record(**ev("hyp", "2024-04-09"), modality="hypothetical")
        assert (4, 0, True) == counts(CADENCE.analyze(april))["2024-04"]
        assert (5, 0, True) == counts(CADENCE.analyze(april, as_of=seq))["2024-04"]

    def test_actor_filter(self, april):
        """The actor filter keeps that actor's events (and their other actors)."""
        result = CADENCE.analyze(april, actor="IND")
        assert {"2024-04": (4, 0, True)} == counts(result)


class TestOptionsAndOutput:
    @pytest.mark.parametrize(
        ("options", "match"),
        [
            ({"period": "week"}, "period"),
            ({"min_count": 0}, "min_count"),
            ({"min_count": "three"}, "min_count"),
            ({"sigma": -1.0}, "sigma"),
            ({"sigma": True}, "sigma"),
        ],
    )
    def test_bad_options(self, april, options, match):
        """Bad option values raise InvalidOption naming the option."""
        with pytest.raises(timeline.InvalidOption, match=match):
            CADENCE.analyze(april, **options)

    @pytest.mark.parametrize(
        ("day", "period", "expected"),
        [
            (D(2024, 2, 10), "month", ("2024-02", D(2024, 2, 1), D(2024, 2, 29))),
            (D(2024, 12, 31), "month", ("2024-12", D(2024, 12, 1), D(2024, 12, 31))),
            (D(2024, 11, 5), "quarter", ("2024-Q4", D(2024, 10, 1), D(2024, 12, 31))),
            (D(2024, 5, 5), "quarter", ("2024-Q2", D(2024, 4, 1), D(2024, 6, 30))),
            (D(2024, 5, 5), "year", ("2024", D(2024, 1, 1), D(2024, 12, 31))),
            (D(9999, 12, 5), "month", ("9999-12", D(9999, 12, 1), D(9999, 12, 31))),
            (D(9999, 11, 5), "quarter", ("9999-Q4", D(9999, 10, 1), D(9999, 12, 31))),
            (D(1, 1, 1), "month", ("1-01", D(1, 1, 1), D(1, 1, 31))),
        ],
    )
    def test_period_of(self, day, period, expected):
        """Period labels and bounds, month ends and quarters included."""
        assert expected == period_of(day, period)

    @pytest.mark.parametrize("period", ["month", "quarter", "year"])
    def test_last_month_of_the_calendar(self, memory_timeline, period):
        """An event in December 9999 is counted (the period ends on 9999-12-31)."""
        memory_timeline.record(**ev("last", "9999-12-05"))
        [cell] = CADENCE.analyze(memory_timeline, period=period).counts
        assert (dt.date(9999, 12, 31), 1) == (cell.end, cell.count)

    def test_period_of_unknown(self):
        """An unknown period raises InvalidOption."""
        with pytest.raises(timeline.InvalidOption, match="week"):
            period_of(D(2024, 1, 1), "week")

    def test_table(self, april):
        """One row per actor and period, the burst flagged."""
        header, rows = CADENCE.table(CADENCE.analyze(april))
        assert [
            "actor",
            "period",
            "events",
            "imprecise",
            "burst",
            "baseline mean",
            "baseline stdev",
        ] == header
        assert ["RUS", "2024-04", 5, 0, "burst", 1.0, 0.0] == rows[-1]


class TestSampleDataset:
    def test_december_2025_is_a_burst_for_russia(self):
        """RUS has 4 events in December 2025 and 4 in June 2024 (both bursts).

        The Federation Council step is one of 8 or 10 December: the day is uncertain,
        but both candidates are in December, so the month count is exact.
        """
        result = CADENCE.analyze(timeline.datasets.load("relos"))
        assert (4, 0, True) == counts(result)["2025-12"]
        assert (4, 0, True) == counts(result)["2024-06"]


@given(st.lists(st.integers(min_value=1, max_value=10**6), min_size=1, max_size=40))
def test_baseline_is_the_mean_and_deviation_of_the_other_cells(sizes):
    """Each count's baseline is statistics' fmean and pstdev of the cells without it."""
    found = baseline(sizes)
    assert set(found) == set(sizes)
    for size, (mean, stdev) in found.items():
        others = list(sizes)
        others.remove(size)
        assert mean == (statistics.fmean(others) if others else 0.0)
        expected = statistics.pstdev(others) if len(others) > 1 else 0.0
        assert math.isclose(stdev, expected, rel_tol=1e-12, abs_tol=1e-12)

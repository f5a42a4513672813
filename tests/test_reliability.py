"""The smoke run of the reliability suite (tests/reliability/suite.py): every case, briefly.

``make reliability`` runs the full suite (1,000 kill -9 trials per store, every
byte tampered, a minute of fuzzing per case) and prints the table kept in
tests/reliability/README.md. Here each case runs a few trials and must neither
fail nor lose anything; the inputs of defects fixed on other branches
(``suite.OPEN_DEFECTS``) are left out.
"""

from __future__ import annotations

import pytest

from .reliability import suite


@pytest.fixture(autouse=True)
def few_examples(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(suite, "EXAMPLES", 25)


def clean(outcome: suite.Outcome) -> None:
    assert outcome.tried > 0, outcome
    assert (0, 0) == (outcome.failed, outcome.lost), outcome.note


@pytest.mark.parametrize("store", suite.STORES)
class TestTheLog:
    def test_kill_9(self, store: str) -> None:
        """A writer killed mid-append loses nothing acknowledged and leaves no partial append."""
        clean(suite.crash_trials(store, 4, seed=14))

    def test_concurrent_writers(self, store: str) -> None:
        """8 processes recording and amending shared events: no failure, no loss."""
        clean(suite.concurrent_writers(store, writers=8, count=6))

    def test_tamper(self, store: str) -> None:
        """One changed byte anywhere (every 29th position here) is reported by verify."""
        outcome = suite.tamper_trials(store, every=29)
        clean(outcome)
        assert outcome.tried > 40

    def test_structural_edits(self, store: str) -> None:
        """Deleted, duplicated, reordered, truncated and rewritten records are all reported."""
        clean(suite.structural_edits(store))


class TestHostileInput:
    def test_when_parse(self) -> None:
        """When.parse gives a date or an InvalidDate."""
        clean(suite.fuzz_when(0.1))

    def test_record(self) -> None:
        """record() gives an event or a TimelineError and writes nothing on error."""
        clean(suite.fuzz_record(0.1))

    def test_importers(self) -> None:
        """Every importer imports or raises one TimelineError, writing nothing."""
        clean(suite.fuzz_importers(0.1))

    def test_cli(self) -> None:
        """Random CLI arguments give a result or one error line."""
        clean(suite.fuzz_cli(0.1))

    def test_csv_injection(self) -> None:
        """Formula-like text is guarded in every CSV dialect."""
        clean(suite.csv_injection())

    def test_ics_injection(self) -> None:
        """Line breaks and delimiters in text cannot add events or properties."""
        clean(suite.ics_injection())

    def test_faulty_plugins(self) -> None:
        """A plugin raising in a hook gives a warning or one error line."""
        clean(suite.faulty_plugins())


def test_table() -> None:
    """The table has a row per outcome with tried / failed / lost."""
    text = suite.table([suite.Outcome("case a", 3, 1, 0, "x|y")])
    assert "| case a | 3 | 1 | 0 | x\\|y |" == text.splitlines()[-1]

"""The one boolean parser: options, CLI values and environment switches read the same words."""

from __future__ import annotations

import io

import attrs
import pytest

import timeline
from timeline._booleans import FALSE_WORDS, TRUE_WORDS, parse_bool
from timeline._plugins import PluginHost
from timeline.cli._common import parse_options

WORDS = sorted((w, True) for w in TRUE_WORDS) + sorted((w, False) for w in FALSE_WORDS)
FLAG = timeline.Option(name="flag", help="a flag", default=False, type=bool)


@attrs.frozen(kw_only=True)
class Flagged(timeline.Analysis):
    """An analysis with one bool option (never run)."""

    name: str = "flagged"
    description: str = "takes a flag"
    options: tuple[timeline.Option, ...] = (FLAG,)


class TestParseBool:
    @pytest.mark.parametrize(("word", "expected"), WORDS)
    def test_words(self, word, expected):
        """Every word is read in any case and with blanks around it."""
        assert [expected] * 3 == [
            parse_bool(word),
            parse_bool(word.upper()),
            parse_bool(f" {word} "),
        ]

    @pytest.mark.parametrize("value", ["", "maybe", "tru", 1, 0, None, 1.0])
    def test_others_are_none(self, value):
        """Anything else is None (ints too: 1 is not a bool option's value)."""
        assert parse_bool(value) is None


class TestEveryPlaceAgrees:
    @pytest.mark.parametrize(("word", "expected"), WORDS)
    def test_api_and_cli_agree(self, word, expected):
        """Options given to the API and ``--flag=WORD`` on the CLI read every word alike."""
        api = Flagged().check_options({"flag": word})["flag"]
        cli = parse_options("analysis flagged", (FLAG,), (), [f"--flag={word}"])["flag"]
        pair = parse_options("analysis flagged", (FLAG,), (f"flag={word}",), [])["flag"]
        assert (expected, expected, expected) == (api, cli, pair)

    def test_export_takes_on(self):
        """``export(..., guard_formulas="on")`` works as ``--guard-formulas=on`` does."""
        tl = timeline.Timeline(timeline.MemoryStore(), snapshot_every=0)
        tl.record(kind="statement.joint", when="2025-12-05", title="=1+1")
        out = io.StringIO(newline="")
        tl.export("csv", out, guard_formulas="on")
        assert "'=1+1" in out.getvalue()

    @pytest.mark.parametrize(("word", "expected"), [("on", True), ("Y", True), ("off", False)])
    def test_trace_switch(self, word, expected, capsys):
        """``TIMELINE_TRACE_PLUGINS`` reads the same words."""
        host = PluginHost(distributions={"geotimeline"}, env={"TIMELINE_TRACE_PLUGINS": word})
        host.load()
        host.exporters()
        assert expected == ("timeline_register_exporters" in capsys.readouterr().err)

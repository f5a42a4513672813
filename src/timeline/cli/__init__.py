"""The ``timeline`` command line (click).

Every user mistake ends in one ``error: ...`` line on stderr and exit status 1
(2 for usage errors), never a traceback. Plugins add commands through the
``timeline_register_commands`` hook.

.. versionadded:: 0.1
"""

# ruff: noqa: D301 - click keeps a paragraph verbatim only after a real "\b" (backspace)
# line, so the command docstrings must not be raw strings.

from __future__ import annotations

import errno
import warnings
from collections.abc import Sequence
from typing import Any

import click

from .._errors import TimelineError
from .._plugins import PluginHost, PluginWarning
from .._timeline import DEFAULT_PATH
from . import _admin, _events, _follow, _io, _search
from ._common import CliState, UsageProblem, UserError, one_line, os_message

__all__ = ["CliState", "cli", "main"]


def _host(ctx: click.Context) -> PluginHost:
    obj = ctx.find_object(CliState)
    return obj.plugins() if obj is not None else CliState().plugins()


class TimelineGroup(click.Group):
    """The top-level group: plugin commands, and one-line errors for user mistakes."""

    def _plugin_commands(self, ctx: click.Context) -> dict[str, click.Command]:
        try:
            commands = _host(ctx).commands()
        except TimelineError:
            return {}  # a strict host with a broken plugin: 'timeline plugins' shows why
        return {name: cmd for name, cmd in commands.items() if name not in self.commands}

    def list_commands(self, ctx: click.Context) -> list[str]:
        """List the built-in commands and those plugins add."""
        return sorted({*self.commands, *self._plugin_commands(ctx)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Return a built-in command, else one a plugin adds."""
        found = super().get_command(ctx, cmd_name)
        if found is not None:
            return found
        return self._plugin_commands(ctx).get(cmd_name)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        """Parse the group's own options, reporting usage errors on one line."""
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            if isinstance(exc, UsageProblem):
                raise
            raise UsageProblem(exc.format_message(), exc.ctx) from None

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Run the command line; broken plugins are reported as one warning line each."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PluginWarning)
            return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command, turning user mistakes into one-line errors."""
        try:
            return super().invoke(ctx)
        except UsageProblem:
            raise
        except click.UsageError as exc:
            raise UsageProblem(exc.format_message(), exc.ctx) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except TimelineError as exc:
            raise UserError(one_line(exc)) from None
        except OSError as exc:
            if exc.errno == errno.EPIPE:
                raise
            raise UserError(os_message(exc)) from None
        except Exception as exc:
            name = ctx.invoked_subcommand
            if name is None or name in self.commands:
                raise  # a bug of ours: the traceback is wanted
            owner = _host(ctx).owner("command", name)
            plugin = f" of plugin {owner!r}" if owner else ""
            raise UserError(
                f"command {name!r}{plugin} failed: {type(exc).__name__}: {one_line(exc)}"
            ) from None


@click.group(
    name="timeline", cls=TimelineGroup, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.option(
    "--db",
    envvar="TIMELINE_DB",
    default=DEFAULT_PATH,
    show_default=True,
    metavar="PATH|URL",
    help="The log: a .db/.sqlite file (SQLite), a .jsonl file, :memory:, or "
    "postgresql://user@host/db?schema=name. Env: TIMELINE_DB.",
)
@click.version_option(package_name="geotimeline", prog_name="timeline")
@click.pass_context
def cli(ctx: click.Context, /, db: str) -> None:
    """Keep dated geopolitical events in an append-only, hash-chained log.

    \b
    Examples:
        timeline demo                      # load the sample and write demo.ics/demo.csv
        timeline --db relos.db init
        timeline --db relos.db add --kind treaty.signed --when 2025-02-18 \\
            --title "RELOS signed" --actor RUS --actor IND
        timeline --db relos.db list --actor IND
        timeline --db relos.db export ics -o relos.ics
    """
    st = ctx.ensure_object(CliState)
    st.db = db
    if ctx.invoked_subcommand in {"plugins", None, *READ_ONLY}:
        # These read the log and print it, and no plugin can change what they do:
        # they import no plugin (`show` on a large log is start-up time; loading every
        # plugin module and what it imports was most of it). Plugins a command does
        # ask for (kinds, upcasters) are still loaded on first use.
        return
    host = st.plugins()
    # Every registration runs now, so that a plugin broken in any hook is reported on
    # every command (strict: the PluginError is the command's one error line).
    host.register_everything()
    shown = _warn_failures(host, 0)
    # Failures while the command runs (a timeline_on_append subscriber that raised) too.
    ctx.call_on_close(lambda: _warn_failures(host, shown))


#: The built-in commands that load no plugin up front (see ``cli``).
READ_ONLY = frozenset({"show", "list", "history", "head", "search"})


def _warn_failures(host: PluginHost, already: int) -> int:
    """Print one ``warning:`` line per plugin failure after the first ``already``; return all."""
    failures = host.failures
    for failure in failures[already:]:
        click.echo(f"warning: {failure} (see 'timeline plugins')", err=True)
    return len(failures)


for _command in (
    *_events.COMMANDS,
    *_search.COMMANDS,
    *_io.COMMANDS,
    *_admin.COMMANDS,
    *_follow.COMMANDS,
):
    cli.add_command(_command)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the ``timeline`` command (the console-script entry point)."""
    cli.main(args=None if argv is None else list(argv), prog_name="timeline")

"""The ``kbsearch`` command group: settings checked before any command, every failure made one line."""

from __future__ import annotations

import signal
import sys
import traceback
from typing import Any

import click

from cli.errors import as_failure
from common import settings

_SETTINGS = "kbsearch.settings"


def loaded_settings(ctx: click.Context) -> tuple[dict[str, Any], dict[str, str]]:
    """The effective settings and where each came from, read and checked once per invocation."""
    root = ctx.find_root()
    if _SETTINGS not in root.meta:
        root.meta[_SETTINGS] = settings.load()
    return root.meta[_SETTINGS]


class Command(click.Command):
    """A ``kbsearch`` command: a wrong setting stops every one (exit 2), not only those that read it."""

    def invoke(self, ctx: click.Context) -> Any:
        # After parsing, so that --help still works with a broken setting.
        loaded_settings(ctx)
        return super().invoke(ctx)


def _stop_on_sigterm(signum: int, _frame: object) -> None:
    sys.exit(128 + signum)


class Commands(click.Group):
    """The group: any error a command raises becomes its one line and exit code (``cli.errors``)."""

    command_class = Command

    def invoke(self, ctx: click.Context) -> Any:
        # A service manager's stop unwinds as Ctrl-C does, through every cleanup: a build's worker
        # processes are stopped, not left running without their parent.
        signal.signal(signal.SIGTERM, _stop_on_sigterm)
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise  # click's own: usage errors, --help, --version
        except (Exception, KeyboardInterrupt) as exc:
            if isinstance(exc, BrokenPipeError):
                raise  # output piped into `head`: click stops writing quietly
            if ctx.params.get("debug"):
                traceback.print_exception(exc)
            raise as_failure(exc) from exc

"""Every way a command fails ends here: one ``error: …`` line on stderr and a documented exit code.

Like Flask's CLI, the layers below raise their own errors (``common.errors``)
and the command group (``cli.group``) turns each into a click exception in one
place, so no command calls ``sys.exit`` and no traceback reaches a user unless
asked for with ``kbsearch --debug``. The codes are listed in the README (Exit
codes).
"""

from __future__ import annotations

from typing import IO
from typing import Any

import click

from common.errors import KbsearchError

FAILED = 1  # an OSError: a file or folder could not be read or written
UNEXPECTED = 70  # a bug (EX_SOFTWARE in sysexits.h): the message says to run with --debug
INTERRUPTED = 130  # Ctrl-C, reported as shells report a process ended by SIGINT


class CommandFailed(click.ClickException):
    """What click shows as one ``error: …`` line before exiting with ``exit_code``."""

    def __init__(self, message: str, exit_code: int) -> None:
        # One line whatever the message (tarfile's list one reason per line): a log keeps it as one event.
        super().__init__(" ".join(line.strip() for line in message.splitlines() if line.strip()))
        self.exit_code = exit_code

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"error: {self.format_message()}", file=file, err=file is None)


def as_failure(exc: BaseException) -> CommandFailed:
    """The line and the exit code that ``exc`` ends a command with."""
    if isinstance(exc, KbsearchError):
        return CommandFailed(str(exc), exc.exit_code)
    if isinstance(exc, KeyboardInterrupt):
        return CommandFailed("interrupted", INTERRUPTED)
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return CommandFailed(f"{where}{exc.strerror or exc}", FAILED)
    # EOFError too: click would print a bare "Aborted!" for it, as if the user had pressed Ctrl-D.
    said = f": {exc}" if str(exc) else ""
    return CommandFailed(f"unexpected {type(exc).__name__}{said}; run with --debug for the traceback", UNEXPECTED)


def echo_error(exc: BaseException) -> None:
    """Report ``exc`` as its one line and carry on (for ``--watch``, which outlives a failed update)."""
    as_failure(exc).show()

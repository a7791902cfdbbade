"""The errors kbsearch reports to people, each with the exit code its command ends with.

Every layer raises these; the CLI turns one into a single ``error: …`` line
and its exit code, the web app into a JSON or HTML error. The codes are
documented in the README (``Exit codes``), so scripts and cron jobs can tell
a bad command line from a missing index from a build that another one holds.
"""

from __future__ import annotations

from collections.abc import Sequence


class KbsearchError(Exception):
    """A failure that a person can act on; the message says what and why."""

    exit_code = 1


class UsageError(KbsearchError):
    """A wrong value on the command line or in a setting."""

    exit_code = 2


class SettingsError(UsageError):
    """A setting that cannot be used; the message says which, where it came from and why."""


class IndexUnavailable(KbsearchError):
    """No readable index version to answer from."""

    exit_code = 3


class IndexMissing(IndexUnavailable):
    """No index version has been published in the directory yet."""


class OldFormat(IndexUnavailable):
    """The index version was written by an older kbsearch and must be rebuilt."""


class IndexDamaged(IndexUnavailable):
    """The index version's files are not what its build wrote."""


class LockedError(KbsearchError):
    """Another build holds the index directory; trying again later may work."""

    exit_code = 4


class BuildError(KbsearchError):
    """Nothing usable was built or updated; the live index is untouched."""

    def __init__(self, message: str, problems: Sequence[object] = ()) -> None:
        super().__init__(message)
        # The files that were skipped, kept apart from the message so a report lists each once.
        self.problems = list(problems)


class ArchiveError(KbsearchError):
    """The archive is damaged, altered or not an index version; nothing was published."""


class AnalyticsDamaged(KbsearchError):
    """The analytics database cannot be read; searching is unaffected."""


class ServeError(KbsearchError):
    """The server cannot listen where it was asked to (the port is taken, say); nothing was started."""

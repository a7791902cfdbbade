"""The ``kbsearch`` command line."""

from __future__ import annotations

import sys


def run() -> None:
    """The console script. Ctrl-C while its modules load (a third of a second) ends as it does
    later, with one line and exit 130, not a traceback from inside an import."""
    try:
        from cli.main import main
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        raise SystemExit(130) from None
    main()

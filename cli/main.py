"""``kbsearch``: build and check the index, search it, serve it.

Commands raise ``common.errors`` exceptions and never exit by themselves:
``cli.group`` turns each failure into one ``error: …`` line and the exit code
the README documents.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

import click

from cli import output
from cli.errors import echo_error
from cli.group import Commands
from cli.group import loaded_settings
from cli.subjects import check_subjects
from cli.subjects import known_subjects
from common.errors import BuildError
from common.errors import KbsearchError
from common.errors import UsageError
from common.settings import describe
from common.settings import engine_options
from index import versions
from index.articles import read_corpus
from index.build import build
from index.update import update

if TYPE_CHECKING:
    from watchfiles import Change

ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz")  # what index.archive writes
WATCH_DEBOUNCE_MS = 1000  # a save of many files becomes one update


def _settings() -> dict[str, Any]:
    return loaded_settings(click.get_current_context())[0]


def _index_dir(ctx: click.Context, _parameter: click.Parameter, value: Path | None) -> Path:
    path = value or Path(loaded_settings(ctx)[0]["INDEX_DIR"])
    # Root can write anywhere, but not below a regular file: say so before anything tries.
    blocked = next((p for p in (path, *path.parents) if p.exists() and not p.is_dir()), None)
    if blocked is not None:
        raise UsageError(f"index folder {path}: {blocked} is a file, not a folder")
    return path


def _archive_path(_ctx: click.Context, _parameter: click.Parameter, value: Path) -> Path:
    if not value.name.endswith(ARCHIVE_SUFFIXES):
        raise click.BadParameter(f"{value.name!r} must end in .tar, or .tar.gz or .tgz to compress")
    if not value.parent.is_dir():
        raise click.BadParameter(f"{value.parent} is not an existing folder")
    return value


index_dir_option = click.option(
    "--index-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    callback=_index_dir,
    help="Index directory [default: the INDEX_DIR setting: $KBSEARCH_INDEX_DIR, the config file, or ./var/index].",
)
source_argument = click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))


@click.group(cls=Commands)
@click.version_option(package_name="kbsearch")
@click.option("--debug", is_flag=True, help="Show the traceback of an error, not only its one line.")
def cli(debug: bool) -> None:
    """Full-text search for a QuickTakes knowledge base."""
    # --debug is read where errors are turned into their one line (cli.group.Commands).


@cli.command("index")
@source_argument
@index_dir_option
@click.option("--strict", is_flag=True, help="Fail (exit 1) if any file is skipped; nothing is published.")
@click.option(
    "--procs",
    type=click.IntRange(1, 64),
    default=os.cpu_count() or 1,
    show_default=True,
    help="Processes for reading and indexing.",
)
@click.option(
    "--incremental",
    is_flag=True,
    help="Re-index only added, changed (by content) and deleted files; a full build when there is no index yet.",
)
@click.option("--quiet", is_flag=True, help="No progress bars (they are shown only on a terminal anyway).")
@click.option(
    "--watch", is_flag=True, help="Then keep re-indexing incrementally whenever SOURCE changes (Ctrl-C stops)."
)
def index_command(
    source: Path, index_dir: Path, strict: bool, procs: int, incremental: bool, quiet: bool, watch: bool
) -> None:
    """Build a complete new index from SOURCE and swap it in atomically."""
    run = partial(_index, source, index_dir, strict=strict, procs=procs, model=_settings()["EMBEDDING_MODEL"])
    # Bars in a log file or a cron mail are noise: only a person at a terminal watches them move.
    progress = not quiet and sys.stderr.isatty()
    if not watch:
        run(incremental=incremental, progress=progress)
        return
    _keep_going(run, incremental=incremental, progress=progress)
    _watch(source, partial(_keep_going, run, incremental=True, progress=False))


def _index(
    source: Path, index_dir: Path, *, incremental: bool, strict: bool, procs: int, progress: bool, model: str
) -> None:
    """One full build, or one update when asked for and there is a live version to update.

    An update embeds with the model the live version was built with; ``model`` is for full builds.
    """
    try:
        if incremental and versions.current_version(index_dir) is not None:
            output.update(update(source, index_dir, progress=progress, strict=strict, procs=procs))
            return
        if incremental:
            # A cron job's first run, or a new index folder: there is nothing to compare with yet.
            click.echo(f"no index in {index_dir} yet: building it in full")
        output.build(build(source, index_dir, procs=procs, progress=progress, strict=strict, model=model))
    except BuildError as exc:
        output.problems(exc.problems)  # listed once, before the line that says why nothing was published
        raise


def _keep_going(run: Callable[..., None], **options: bool) -> None:
    """Run one pass of ``--watch``, which outlives a failed one: report it and wait for the next change."""
    try:
        run(**options)
    except KbsearchError as exc:
        echo_error(exc)


def _watch(source: Path, reindex: Callable[[], None]) -> None:
    """``reindex`` after each burst of changes to ``*.md`` files below ``source``, or to its folders,
    until Ctrl-C or SIGTERM (a service manager's stop), after the pass under way."""
    from watchfiles import watch

    stop = threading.Event()
    stopped_by = signal.signal(signal.SIGTERM, lambda _signal, _frame: stop.set())
    changes = watch(
        source,
        debounce=WATCH_DEBOUNCE_MS,
        watch_filter=_watched,
        rust_timeout=250,
        yield_on_timeout=True,
        stop_event=stop,
    )
    try:
        for number, changed in enumerate(changes):
            if number == 0:  # watchfiles yields (an empty set 250 ms after starting) only once it watches: say so then
                click.echo(f"watching {source} for changes (Ctrl-C stops)")
            if changed:
                reindex()
    except KeyboardInterrupt:
        pass  # the documented way to stop watching, not a failure
    finally:
        signal.signal(signal.SIGTERM, stopped_by)


def _watched(change: Change, path: str) -> bool:
    """An article, or a folder that may hold some: moved in, it is one event of its own name only."""
    from watchfiles import Change

    if path.endswith(".md") or os.path.isdir(path):
        return True
    return change == Change.deleted and not os.path.splitext(path)[1]  # a folder moved out, most likely


@cli.command()
@source_argument
def check(source: Path) -> None:
    """Validate the articles in SOURCE without indexing; exit 1 if any would be skipped or none is valid."""
    corpus = read_corpus(source, procs=os.cpu_count() or 1)
    output.problems(corpus.problems)
    click.echo(f"{len(corpus.articles):,} valid articles, {len(corpus.problems):,} skipped")
    if not corpus.articles:
        raise KbsearchError(f"no valid articles in {source}")  # as `kbsearch index` would fail
    if corpus.problems:
        raise KbsearchError(f"{len(corpus.problems):,} file(s) would be skipped")


def _subjects(_ctx: click.Context, _parameter: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    # As the page reads them: surrounding spaces are no part of a subject, and an empty one is no filter.
    return tuple(value.strip() for value in values if value.strip())


def _query(ctx: click.Context, _parameter: click.Parameter, words: tuple[str, ...]) -> str:
    # ignore_unknown_options lets "-java" through as a word, an exclusion, as it is on the page;
    # "--jsn" is still a mistyped option, or a typo of one would quietly become the query.
    for word in words:
        if word.startswith("--"):
            options = [name for parameter in ctx.command.params for name in parameter.opts if name.startswith("--")]
            raise click.NoSuchOption(word, possibilities=options, ctx=ctx)
    return " ".join(words)


@cli.command(context_settings={"ignore_unknown_options": True})
@click.argument("query", nargs=-1, required=True, callback=_query)
@click.option(
    "--subject",
    "subjects",
    multiple=True,
    callback=_subjects,
    help="Only this subject (repeatable; any case). One the index does not have is an error (exit 2).",
)
@click.option("--page", type=click.IntRange(1, 1000), default=1, show_default=True)
@click.option("--per-page", type=click.IntRange(1, 50), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@index_dir_option
def search(query: str, subjects: tuple[str, ...], page: int, per_page: int, as_json: bool, index_dir: Path) -> None:
    """Search for QUERY: its words, "quoted phrases" and -exclusions, as on the search page.

    The words may be one argument or several: `kbsearch search sort -bubble` is
    `kbsearch search "sort -bubble"`. A word that starts with a single - (-java)
    excludes it; one that starts with -- is taken for an option.
    """
    from search.engine import Engine
    from search.engine import absolute_url

    link = partial(absolute_url, site=_settings()["SITE_URL"])
    with Engine(index_dir, **engine_options(_settings())) as engine:
        if subjects:
            check_subjects(subjects, known_subjects(engine))
        result = engine.search(query, subjects, page, per_page)
    if as_json:
        output.as_json(output.linked(asdict(result), link))
    else:
        output.results(result, link)


days_option = click.option("--days", type=click.IntRange(1, 3650), default=30, show_default=True, help="Period.")


@cli.command()
@index_dir_option
@days_option
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True, help="Rows per list.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def analytics(index_dir: Path, days: int, limit: int, as_json: bool) -> None:
    """What visitors searched for: top queries, no results, no clicks, click-through, slowest."""
    from search.analytics import FILENAME
    from search.reports import report

    versions.live_version(index_dir)  # no index, no visitors: an empty report would hide a wrong folder
    found = report(index_dir / FILENAME, days, limit)
    if as_json:
        output.as_json(found.as_dict())
    else:
        output.analytics(found, days)


@cli.command()
@index_dir_option
@days_option
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True, help="Gaps to list.")
@click.option("--json", "as_json", is_flag=True, help="Print the gaps as JSON.")
def gaps(index_dir: Path, days: int, limit: int, as_json: bool) -> None:
    """What visitors search for and do not find, grouped, with a subject and a draft article for each."""
    from search.analytics import FILENAME
    from search.engine import Engine
    from search.reports import gaps as find_gaps

    versions.live_version(index_dir)  # the engine opens it only for the first gap
    with Engine(index_dir, **engine_options(_settings())) as engine:
        found = find_gaps(index_dir / FILENAME, engine, days, limit)
    if as_json:
        output.as_json([asdict(gap) for gap in found])
    else:
        output.gaps(found, days)


@cli.command("export")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path), callback=_archive_path)
@index_dir_option
def export_command(archive: Path, index_dir: Path) -> None:
    """Write the live version to ARCHIVE (.tar, or .tar.gz or .tgz) and ARCHIVE.sha256, to ship to other hosts."""
    from index.archive import export

    versions.live_version(index_dir)  # no index is the same error (exit 3) here as for every command
    digest = export(index_dir, archive)
    click.echo(f"{archive} ({archive.stat().st_size / 1e6:.0f} MB), sha256 {digest}")


@cli.command("import")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@index_dir_option
@click.option("--sha256", help="Expected checksum [default: read from ARCHIVE.sha256].")
def import_command(archive: Path, index_dir: Path, sha256: str | None) -> None:
    """Check ARCHIVE's checksum, unpack it beside the live version and switch to it atomically."""
    from index.archive import import_archive

    live = import_archive(archive, index_dir, sha256)
    click.echo(f"imported {archive.name} -> {live}")


@cli.command("config")
def show_config() -> None:
    """Print the effective settings and where each comes from; exit 2 if one is invalid."""
    rows = describe(*loaded_settings(click.get_current_context()))
    width = max(len(name) for name, _, _ in rows)
    for name, value, where in rows:
        click.echo(f"{name.ljust(width)}  {value!s:40}  ({where})")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--workers", type=click.IntRange(1, 64), default=None, help="Worker processes [default: 2 per core, 2-8]."
)
@index_dir_option
def serve(host: str, port: int, workers: int | None, index_dir: Path) -> None:
    """Serve the search page and API with gunicorn."""
    from cli.server import default_workers
    from cli.server import serve as run

    if versions.current_version(index_dir) is None:  # a mistyped folder would otherwise only show as 503s
        click.echo(f"note: no index in {index_dir} yet: every search answers 503 until `kbsearch index` builds one")
    run({**_settings(), "INDEX_DIR": str(index_dir.resolve())}, host, port, workers or default_workers())


def main() -> None:
    cli()

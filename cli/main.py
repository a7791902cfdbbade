"""``kbsearch``: build and check the index, search it, serve it."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict
from pathlib import Path

import click

from index.articles import read_corpus
from index.build import BuildError
from index.build import build
from index.update import UpdateReport
from index.update import update
from index.versions import LockedError


def _settings() -> tuple[dict, dict]:
    """The effective settings and where each came from; a wrong one ends the command (exit 2)."""
    from common.errors import SettingsError
    from common.settings import load

    try:
        return load()
    except SettingsError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)


def _index_dir(_context, _parameter, value: Path | None) -> Path:
    return value or Path(_settings()[0]["INDEX_DIR"])


index_dir_option = click.option(
    "--index-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    callback=_index_dir,
    help="Index directory [default: the INDEX_DIR setting: $KBSEARCH_INDEX_DIR, the config file, or ./var/index].",
)
source_argument = click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))


def _report_problems(problems) -> None:
    for problem in problems:
        click.echo(f"  skipped {problem.path}: {problem.reason}", err=True)


def _report_update(report: UpdateReport) -> None:
    _report_problems(report.problems)
    done = "nothing changed, nothing published" if report.version is None else f"-> {report.version}"
    click.echo(
        f"added {report.added:,}, changed {report.changed:,}, deleted {report.deleted:,}, "
        f"unchanged {report.unchanged:,}, skipped {len(report.problems):,}, in {report.seconds:.1f} s; {done}"
    )


@click.group()
@click.version_option(package_name="kbsearch")
def cli() -> None:
    """Full-text search for a QuickTakes knowledge base."""


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
@click.option("--incremental", is_flag=True, help="Re-index only added, changed (by content) and deleted files.")
@click.option("--quiet", is_flag=True, help="No progress bars.")
@click.option(
    "--watch", is_flag=True, help="Then keep re-indexing incrementally whenever SOURCE changes (Ctrl-C stops)."
)
def index_command(
    source: Path, index_dir: Path, strict: bool, procs: int, incremental: bool, quiet: bool, watch: bool
) -> None:
    """Build a complete new index from SOURCE and swap it in atomically."""
    try:
        if incremental:
            _report_update(update(source, index_dir, progress=not quiet))
        else:
            _report_build(build(source, index_dir, procs=procs, progress=not quiet, strict=strict))
    except (BuildError, LockedError) as exc:
        click.echo(f"error: {exc}", err=True)
        if not watch:
            sys.exit(1)
    if watch:
        _watch(source, index_dir)


def _report_build(report) -> None:
    _report_problems(report.problems)
    click.echo(
        f"indexed {report.documents:,} articles, skipped {len(report.problems):,}, "
        f"in {report.seconds:.1f} s -> {report.version}"
    )


WATCH_DEBOUNCE_MS = 1000  # a save of many files becomes one update


def _watch(source: Path, index_dir: Path) -> None:
    """Update incrementally after each burst of changes to ``*.md`` files below ``source``."""
    from watchfiles import watch

    click.echo(f"watching {source} for changes (Ctrl-C stops)")
    try:
        for _changes in watch(source, debounce=WATCH_DEBOUNCE_MS, watch_filter=lambda _c, path: path.endswith(".md")):
            try:
                _report_update(update(source, index_dir))
            except (BuildError, LockedError) as exc:
                click.echo(f"error: {exc}", err=True)
    except KeyboardInterrupt:
        pass


@cli.command()
@source_argument
def check(source: Path) -> None:
    """Validate the articles in SOURCE without indexing; exit 1 if any is skipped."""
    corpus = read_corpus(source)
    _report_problems(corpus.problems)
    click.echo(f"{len(corpus.articles):,} valid articles, {len(corpus.problems):,} skipped")
    sys.exit(1 if corpus.problems else 0)


@cli.command()
@click.argument("query")
@click.option("--subject", "subjects", multiple=True, help="Only this subject (repeatable).")
@click.option("--page", type=click.IntRange(1, 1000), default=1, show_default=True)
@click.option("--per-page", type=click.IntRange(1, 50), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@index_dir_option
def search(query: str, subjects: tuple[str, ...], page: int, per_page: int, as_json: bool, index_dir: Path) -> None:
    """Search the index from the command line."""
    from common.errors import IndexUnavailable
    from search.engine import Engine

    try:
        with Engine(index_dir) as engine:
            result = engine.search(query, subjects, page, per_page)
    except IndexUnavailable as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(asdict(result), indent=2, ensure_ascii=False))
        return
    if result.suggestion:
        click.echo(f"did you mean: {result.suggestion.query}" + (" (showing its results)" if result.corrected else ""))
    click.echo(f"{result.total:,} results ({result.took_ms:.1f} ms)")
    for rank, hit in enumerate(result.hits, start=(page - 1) * per_page + 1):
        click.echo(f"{rank:3}. {hit.question}  [{hit.subject}]\n     {hit.url}")
    if result.facets:
        click.echo("subjects: " + ", ".join(f"{f.value} ({f.count})" for f in result.facets))


def _table(title: str, rows: list[dict], columns: list[str]) -> None:
    click.echo(f"\n{title}")
    if not rows:
        click.echo("  (none)")
        return
    widths = {c: max(len(c), *(len(str(row[c])) for row in rows)) for c in columns}
    click.echo("  " + "  ".join(c.ljust(widths[c]) for c in columns))
    for row in rows:
        click.echo("  " + "  ".join(str(row[c] if row[c] is not None else "-").ljust(widths[c]) for c in columns))


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

    found = report((index_dir) / FILENAME, days, limit)
    if as_json:
        click.echo(json.dumps(found.as_dict(), indent=2, ensure_ascii=False))
        return
    rank = f", mean clicked rank {found.mean_clicked_rank}" if found.mean_clicked_rank else ""
    click.echo(
        f"last {days} days: {found.searches:,} searches, {found.clicked:,} with a click "
        f"(click-through {found.click_through:.1%}{rank})"
    )
    _table("top searches", found.top, ["query", "searches", "clicked", "mean_results"])
    _table("searches with no results", found.no_results, ["query", "searches"])
    _table("searches with results but no click", found.no_clicks, ["query", "searches", "mean_results"])
    _table("slowest searches", found.slowest, ["query", "took_ms", "searches"])


@cli.command()
@index_dir_option
@days_option
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True, help="Gaps to list.")
@click.option("--json", "as_json", is_flag=True, help="Print the gaps as JSON.")
def gaps(index_dir: Path, days: int, limit: int, as_json: bool) -> None:
    """What visitors search for and do not find, grouped, with a subject and a draft article for each."""
    from common.errors import IndexUnavailable
    from search.analytics import FILENAME
    from search.engine import Engine
    from search.reports import gaps as find_gaps

    folder = index_dir
    try:
        with Engine(folder) as engine:
            found = find_gaps(folder / FILENAME, engine, days, limit)
    except IndexUnavailable as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps([asdict(gap) for gap in found], indent=2, ensure_ascii=False))
        return
    if not found:
        click.echo(f"no searches without good results in the last {days} days")
    for gap in found:
        click.echo(f"\n{gap.query!r}: {gap.searches} searches; subject: {gap.subject or 'unknown'}")
        click.echo("  also searched as: " + ("; ".join(gap.wordings[1:]) or "-"))
        click.echo("  " + gap.stub.replace("\n", "\n  ").rstrip())


@cli.command("export")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@index_dir_option
def export_command(archive: Path, index_dir: Path) -> None:
    """Write the live version to ARCHIVE (.tar or .tar.gz) and ARCHIVE.sha256, to ship to other hosts."""
    from index.archive import ArchiveError
    from index.archive import export

    try:
        digest = export(index_dir, archive)
    except ArchiveError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"{archive} ({archive.stat().st_size / 1e6:.0f} MB), sha256 {digest}")


@cli.command("import")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@index_dir_option
@click.option("--sha256", help="Expected checksum [default: read from ARCHIVE.sha256].")
def import_command(archive: Path, index_dir: Path, sha256: str | None) -> None:
    """Check ARCHIVE's checksum, unpack it beside the live version and switch to it atomically."""
    from index.archive import ArchiveError
    from index.archive import import_archive

    try:
        live = import_archive(archive, index_dir, sha256)
    except (ArchiveError, LockedError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"imported {archive.name} -> {live}")


@cli.command("config")
def show_config() -> None:
    """Print the effective settings and where each comes from; exit 2 if one is invalid."""
    from common.settings import describe

    rows = describe(*_settings())
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
    from common.errors import KbsearchError

    # Checked once here, and handed to the workers as they are: a wrong setting stops here, not in every worker.
    settings = {**_settings()[0], "INDEX_DIR": str(index_dir.resolve())}
    try:
        run(settings, host, port, workers or default_workers())
    except KbsearchError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)


def main() -> None:
    cli()

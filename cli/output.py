"""What the commands print: reports of builds and updates, search results, analytics tables."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from collections.abc import Iterable
from html import unescape
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # only named in hints: a command imports the engine and the reports when it runs
    from index.articles import Problem
    from index.build import BuildReport
    from index.update import UpdateReport
    from search.engine import SearchResult
    from search.reports import Gap
    from search.reports import Report

_MARK = re.compile(r"<mark>(.*?)</mark>", re.DOTALL)


def problems(found: Iterable[Problem]) -> None:
    for problem in found:
        click.echo(f"  skipped {problem.path}: {problem.reason}", err=True)


def notes(found: Iterable[str]) -> None:
    """Failures of reading processes that the build recovered from."""
    for note in found:
        click.echo(f"  note: {note}", err=True)


def build(report: BuildReport) -> None:
    problems(report.problems)
    notes(report.notes)
    click.echo(
        f"indexed {report.documents:,} articles, skipped {len(report.problems):,}, "
        f"in {report.seconds:.1f} s -> {report.version}"
    )


def update(report: UpdateReport) -> None:
    problems(report.problems)
    notes(report.notes)
    done = "nothing changed, nothing published" if report.version is None else f"-> {report.version}"
    kept = f" ({report.kept:,} keeping the last good version)" if report.kept else ""
    click.echo(
        f"added {report.added:,}, changed {report.changed:,}, deleted {report.deleted:,}, "
        f"unchanged {report.unchanged:,}, skipped {len(report.problems):,}{kept}, in {report.seconds:.1f} s; {done}"
    )


def as_json(data: object) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def marked(html: str) -> str:
    """The engine's HTML (escaped text whose only tag is ``<mark>``) as text, the marked words bold.

    ``click.echo`` drops the bold unless stdout is a terminal, so a pipe or a file gets plain text.
    """
    parts = _MARK.split(html)  # odd parts are what stood between <mark> and </mark>
    return "".join(click.style(unescape(part), bold=True) if n % 2 else unescape(part) for n, part in enumerate(parts))


def linked(result: dict, link: Callable[[str], str]) -> dict:
    """A search result's dict with every article address as ``link`` makes it (absolute with a ``SITE_URL``)."""
    for hit in result["hits"]:
        hit["url"] = link(hit["url"])
        for related in hit["related"]:
            related["url"] = link(related["url"])
    return result


def results(result: SearchResult, link: Callable[[str], str]) -> None:
    """The page's results as lines; ``link`` turns an article's url into the address to show."""
    if result.suggestion:
        click.echo(f"did you mean: {result.suggestion.query}" + (" (showing its results)" if result.corrected else ""))
    click.echo(f"{result.total:,} results, page {result.page} of {result.pages} ({result.took_ms:.1f} ms)")
    if result.page > result.pages:
        click.echo(f"(the results end on page {result.pages}: use --page {result.pages} or less)")
    first_rank = (result.page - 1) * result.per_page + 1
    for rank, hit in enumerate(result.hits, start=first_rank):
        by_meaning = "  (by meaning)" if hit.by_meaning else ""
        click.echo(f"{rank:3}. {marked(hit.question_html)}  [{hit.subject}]{by_meaning}\n     {link(hit.url)}")
        if hit.snippet:
            click.echo(f"     {marked(hit.snippet)}")
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


def analytics(found: Report, days: int) -> None:
    rank = f", mean clicked rank {found.mean_clicked_rank}" if found.mean_clicked_rank else ""
    click.echo(
        f"last {days} days: {found.searches:,} searches, {found.clicked:,} with a click "
        f"(click-through {found.click_through:.1%}{rank})"
    )
    _table("top searches", found.top, ["query", "searches", "clicked", "mean_results"])
    _table("searches with no results", found.no_results, ["query", "searches"])
    _table("searches with results but no click", found.no_clicks, ["query", "searches", "mean_results"])
    _table("slowest searches", found.slowest, ["query", "took_ms", "searches"])


def gaps(found: list[Gap], days: int) -> None:
    if not found:
        click.echo(f"no searches without good results in the last {days} days")
    for gap in found:
        click.echo(f"\n{gap.query!r}: {gap.searches} searches; subject: {gap.subject or 'unknown'}")
        click.echo("  also searched as: " + ("; ".join(gap.wordings[1:]) or "-"))
        click.echo("  " + gap.stub.replace("\n", "\n  ").rstrip())

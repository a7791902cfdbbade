"""Reports over the analytics database, for ``kbsearch analytics``, ``kbsearch gaps`` and the admin page.

A search made while the visitor was still typing counts only if nothing
longer that it begins followed within ``TYPING_SECONDS``: "mach", "machi",
"machine learning" is one search for "machine learning".
"""

from __future__ import annotations

import re
import sqlite3
import time
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import yaml
from rapidfuzz import fuzz

from search.analytics import reading
from search.engine import Engine

TYPING_SECONDS = 10
SIMILAR = 75  # rapidfuzz token-set ratio at which two queries ask for the same thing

_COUNTED = f"""
WITH counted AS (
    SELECT s.* FROM searches s
    WHERE s.at >= :since AND s.query != ''
      AND NOT (s.typing AND EXISTS (
          SELECT 1 FROM searches later
          WHERE later.at > s.at AND later.at <= s.at + {TYPING_SECONDS}
            AND later.query != s.query AND substr(later.query, 1, length(s.query)) = s.query))
),
clicked AS (
    SELECT search_id, MIN(rank) AS rank FROM clicks GROUP BY search_id
)
"""


@dataclass
class Report:
    days: int
    searches: int = 0
    clicked: int = 0
    click_through: float = 0.0
    mean_clicked_rank: float | None = None
    top: list[dict] = field(default_factory=list)
    no_results: list[dict] = field(default_factory=list)
    no_clicks: list[dict] = field(default_factory=list)
    slowest: list[dict] = field(default_factory=list)
    per_day: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def _rows(connection: sqlite3.Connection, sql: str, since: float, limit: int) -> list[dict]:
    cursor = connection.execute(_COUNTED + sql, {"since": since, "limit": limit})
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def report(path: Path, days: int = 30, limit: int = 20) -> Report:
    """Searches of the last ``days``: volumes, click-through, and the lists a maintainer acts on."""
    since = time.time() - days * 86400
    result = Report(days)
    if not path.exists():
        return result
    with reading(path) as connection:
        totals = _rows(
            connection,
            "SELECT COUNT(*) AS searches, COUNT(clicked.rank) AS clicked, AVG(clicked.rank) AS mean_rank "
            "FROM counted LEFT JOIN clicked ON clicked.search_id = counted.id",
            since,
            limit,
        )[0]
        result.searches, result.clicked = totals["searches"], totals["clicked"]
        result.click_through = round(result.clicked / result.searches, 4) if result.searches else 0.0
        result.mean_clicked_rank = round(totals["mean_rank"], 2) if totals["mean_rank"] is not None else None
        result.top = _rows(
            connection,
            "SELECT query, COUNT(*) AS searches, COUNT(clicked.rank) AS clicked, "
            "ROUND(AVG(results), 1) AS mean_results FROM counted "
            "LEFT JOIN clicked ON clicked.search_id = counted.id "
            "GROUP BY query ORDER BY searches DESC, query LIMIT :limit",
            since,
            limit,
        )
        result.no_results = _rows(
            connection,
            "SELECT query, COUNT(*) AS searches, MAX(at) AS last_at FROM counted WHERE results = 0 "
            "GROUP BY query ORDER BY searches DESC, query LIMIT :limit",
            since,
            limit,
        )
        result.no_clicks = _rows(
            connection,
            "SELECT query, COUNT(*) AS searches, ROUND(AVG(results), 1) AS mean_results FROM counted "
            "LEFT JOIN clicked ON clicked.search_id = counted.id WHERE results > 0 AND NOT typing "
            "GROUP BY query HAVING COUNT(clicked.rank) = 0 ORDER BY searches DESC, query LIMIT :limit",
            since,
            limit,
        )
        result.slowest = _rows(
            connection,
            "SELECT query, MAX(took_ms) AS took_ms, COUNT(*) AS searches FROM counted "
            "GROUP BY query ORDER BY took_ms DESC LIMIT :limit",
            since,
            limit,
        )
        result.per_day = _rows(
            connection,
            "SELECT date(at, 'unixepoch') AS day, COUNT(*) AS searches FROM counted GROUP BY day ORDER BY day",
            since,
            limit,
        )
    return result


@dataclass
class Gap:
    query: str  # the most searched wording
    searches: int
    wordings: list[str]
    subject: str | None
    stub: str  # front matter for a new article


def _poor(path: Path, days: int) -> list[tuple[str, int]]:
    """Queries that found nothing, or found things nobody clicked, most searched first."""
    if not path.exists():
        return []
    with reading(path) as connection:
        rows = _rows(
            connection,
            "SELECT query, COUNT(*) AS searches FROM counted LEFT JOIN clicked ON clicked.search_id = counted.id "
            "WHERE NOT typing OR results = 0 GROUP BY query "
            "HAVING MAX(results) = 0 OR COUNT(clicked.rank) = 0 ORDER BY searches DESC, query LIMIT :limit",
            time.time() - days * 86400,
            10_000,
        )
    return [(row["query"], row["searches"]) for row in rows]


def _group(queries: list[tuple[str, int]]) -> list[list[tuple[str, int]]]:
    """Greedy grouping, most searched first: a query joins the first group whose leader it resembles."""
    groups: list[list[tuple[str, int]]] = []
    for query, count in queries:
        for group in groups:
            if fuzz.token_set_ratio(query, group[0][0]) >= SIMILAR:
                group.append((query, count))
                break
        else:
            groups.append([(query, count)])
    return groups


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _stub(question: str, subject: str | None, wordings: list[str]) -> str:
    subject = subject or "TODO"
    front = {
        "id": "TODO",
        "date": time.strftime("%Y-%m-%d"),
        "title": question,
        "question": question,
        "answer": "TODO",
        "subject": subject,
        "seo": {"page_keywords": ", ".join(wordings[:8]), "page_description": "TODO"},
        "url": f"/learn/{_slug(subject)}/questions/{_slug(question)}",
    }
    return "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n&nbsp;\n"


def gaps(path: Path, engine: Engine, days: int = 30, limit: int = 20) -> list[Gap]:
    """What visitors look for and do not find, grouped, each with a subject and a draft article."""
    found = []
    for group in _group(_poor(path, days))[:limit]:
        leader = group[0][0]
        # The subject most of the nearest articles have, even when the query itself found nothing.
        result = engine.search(leader)
        subject = result.facets[0].value if result.facets else None
        question = leader[:1].upper() + leader[1:] + ("" if leader.endswith("?") else "?")
        wordings = [query for query, _ in group]
        found.append(
            Gap(leader, sum(count for _, count in group), wordings, subject, _stub(question, subject, wordings))
        )
    return sorted(found, key=lambda gap: -gap.searches)

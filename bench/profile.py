"""Where an uncached search spends its time, stage by stage, in-process.

    .venv/bin/python -m bench.profile INDEX_DIR [--queries 300]

Runs the visitor query set (``bench.visitors``) against ``search.engine.Engine``,
set up as the server sets it up but without the result cache, and turns each
query's answer and its JSON into a ``/api/search`` body under cProfile. The engine
has no timers: each stage is a few of its functions (``STAGES``), and every
function's own time goes to the stage of the nearest of them above it in the call
graph, split in proportion to its callers' time where it has several (as gprof
does); time under none of them is ``other``. Prints each stage's median and 95th
percentile over the queries and its share of all their time. The profiler slows
Python-heavy stages (snippets) more than numpy-heavy ones; the first line gives
the median query with and without it.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from flask import jsonify
from werkzeug.datastructures import MultiDict

from bench.visitors import SEED
from bench.visitors import visitor_queries
from common import settings
from index import embedding
from index import versions
from search import engine as engine_module
from search import snippets
from search.engine import Engine
from search.facets import subject_counts
from search.facets import subject_filter
from search.fusion import fuse
from search.meaning import Meaning
from search.proximity import rerank
from search.query import parse
from search.ranking import Ranker
from search.spelling import Speller
from search.spelling import unknown_words
from search.synonyms import Synonyms
from web import close_app
from web import create_app
from web.api import result_json
from web.params import search_params

OTHER = "other"
MEANING = "meaning"
# The functions where each stage starts. ``Engine._match`` holds what no other stage claims
# of matching: joining the clauses' matches, filters, the meaning's lexical shortlist.
STAGES: dict[str, tuple[Callable, ...]] = {
    "parse and expand": (parse, Engine._expand, Synonyms.lookup, unknown_words, Speller.correct),
    "candidates": (Ranker.term_score, engine_module._Version.phrase_fields, engine_module._Version.clause_docs),
    "scoring/ranking": (Engine._match, engine_module._Matches.exact_words),
    "proximity rerank": (rerank,),
    MEANING: (Meaning.nearest, fuse),
    "facets": (subject_filter, subject_counts),
    "paging + stored fields": (Engine._page, engine_module._Version.stored),
    "snippets": (snippets.marks_for, snippets.highlight, snippets.snippet),
    "related": (engine_module._Version.related,),
    "JSON serialisation": (result_json, jsonify),
}

Func = tuple[str, int, str]  # how cProfile names a function


def _name(function: Callable) -> Func:
    code = function.__code__
    return code.co_filename, code.co_firstlineno, code.co_name


ROOTS: dict[Func, str] = {_name(f): stage for stage, functions in STAGES.items() for f in functions}


def stage_seconds(stats: dict, roots: dict[Func, str] = ROOTS) -> dict[str, float]:
    """Seconds per stage of one profile (``pstats.Stats.stats``): each function's own time,
    given to the stage of the nearest root above it, in proportion to its callers' time."""
    shares: dict[Func, dict[str, float]] = {}

    def share(func: Func, path: frozenset[Func]) -> dict[str, float]:
        if func in roots:
            return {roots[func]: 1.0}
        if func not in shares:
            path = path | {func}
            edges = {caller: edge for caller, edge in stats[func][4].items() if caller not in path}
            # cProfile's edge is (calls, primitive calls, own time, cumulative time) of the calls from that caller.
            weights = {caller: edge[3] for caller, edge in edges.items()}
            if not sum(weights.values()):
                weights = {caller: edge[0] for caller, edge in edges.items()}
            total = sum(weights.values())
            found: dict[str, float] = defaultdict(float)
            for caller, weight in weights.items():
                for stage, part in share(caller, path).items():
                    found[stage] += part * weight / total
            shares[func] = found or {OTHER: 1.0}
        return shares[func]

    seconds: dict[str, float] = defaultdict(float)
    for func, (_calls, _primitive, own, _cumulative, _callers) in stats.items():
        for stage, part in share(func, frozenset()).items():
            seconds[stage] += own * part
    return seconds


def search_args(params: dict) -> tuple[str, tuple[str, ...], int, int, int]:
    """``Engine.search``'s arguments for the ``/api/search`` parameters ``params``, read as the API reads them."""
    found = search_params(MultiDict(params))
    return found.q, found.subjects, found.page, found.per_page, found.related


def _answer(engine: Engine, params: dict) -> None:
    jsonify(result_json(engine.search(*search_args(params))))


def _timed(engine: Engine, params: dict) -> float:
    started = time.perf_counter()
    _answer(engine, params)
    return time.perf_counter() - started


def _profiled(engine: Engine, params: dict) -> dict[str, float]:
    # C functions (numpy's, re's) count in their callers' own time: timing each of their calls
    # made a query about three times slower, against about one and a half without.
    profiler = cProfile.Profile(builtins=False)
    profiler.runcall(_answer, engine, params)
    return stage_seconds(pstats.Stats(profiler).stats)


@dataclass(frozen=True)
class Row:
    stage: str
    median_ms: float
    p95_ms: float
    share: float  # of the time of every query


@dataclass(frozen=True)
class Profile:
    queries: int
    plain_ms: float  # median query without the profiler
    profiled_ms: float  # and under it
    rows: list[Row]


def _rows(stages: list[str], per_query: list[dict[str, float]]) -> list[Row]:
    totals = [sum(seconds.values()) for seconds in per_query]
    rows = []
    for stage in stages:
        ms = [seconds.get(stage, 0.0) * 1000 for seconds in per_query]
        share = sum(ms) / (sum(totals) * 1000)
        rows.append(Row(stage, statistics.median(ms), statistics.quantiles(ms, n=20)[-1], share))
    return rows


def _fresh_engine(index_dir: Path, app: Flask) -> Engine:
    engine = Engine(index_dir, **settings.engine_options(app.config), result_cache=0)
    engine.status()  # opens the version, and loads the meaning model, before any query is timed
    return engine


def _meaning_on(index_dir: Path, app: Flask) -> bool:
    built_with = embedding.of_version(versions.read_meta(versions.live_version(index_dir)))
    return app.config["SEMANTIC"] and built_with != embedding.OFF


def profile(index_dir: Path, count: int, seed: int = SEED) -> Profile:
    """Stage times of ``count`` visitor queries, each asked once of an engine without a result cache."""
    queries = visitor_queries(index_dir, count, seed)
    # The app only lends the API's JSON and the server's settings; its own engine stays closed.
    app = create_app({"INDEX_DIR": str(index_dir), "ANALYTICS": False})
    try:
        with app.app_context():
            with _fresh_engine(index_dir, app) as engine:
                plain = [_timed(engine, params) for params in queries]
            with _fresh_engine(index_dir, app) as engine:
                per_query = [_profiled(engine, params) for params in queries]
        stages = [s for s in [*STAGES, OTHER] if s != MEANING or _meaning_on(index_dir, app)]
    finally:
        close_app(app)
    profiled = statistics.median(sum(seconds.values()) for seconds in per_query)
    return Profile(len(queries), statistics.median(plain) * 1000, profiled * 1000, _rows(stages, per_query))


def format_profile(found: Profile) -> str:
    lines = [
        f"{found.queries} visitor queries, each searched once and turned into JSON: median "
        f"{found.plain_ms:.2f} ms without the profiler, {found.profiled_ms:.2f} ms under it",
        f"{'stage':<24} {'median ms':>10} {'p95 ms':>8} {'share':>7}",
    ]
    lines += [f"{r.stage:<24} {r.median_ms:>10.3f} {r.p95_ms:>8.3f} {r.share:>7.1%}" for r in found.rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index_dir", type=Path)
    parser.add_argument("--queries", type=int, default=300, help="visitor queries to run")
    args = parser.parse_args()
    if args.queries < 2:
        parser.error("--queries: at least 2, for percentiles")
    print(format_profile(profile(args.index_dir, args.queries)))


if __name__ == "__main__":
    main()

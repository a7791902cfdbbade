"""Relevance benchmark: kbsearch against SQLite FTS5 and plain Whoosh BM25F.

    .venv/bin/python -m bench.relevance.run [--distractors 3000] [--style generated|salad] [--sample DIR]

Indexes the real sample (../shared/corpus/quicktakes-sample) plus generated
look-alike distractors, runs the judged queries in queries.tsv (query ->
the url that should come first) through all three engines, and prints
MRR@10, recall@10 and nDCG@10 per query kind and overall, then the queries
whose article kbsearch does not rank first.
"""

from __future__ import annotations

import argparse
import csv
import math
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.relevance.baselines import Fts5
from bench.relevance.baselines import PlainWhoosh
from bench.relevance.distractors import STYLES
from index.articles import read_corpus
from index.build import build
from search.engine import Engine

HERE = Path(__file__).parent
SAMPLE = HERE.parents[2] / "shared" / "corpus" / "quicktakes-sample"
DEPTH = 10


def load_queries(path: Path = HERE / "queries.tsv") -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def rank_of(urls: list[str], expected: str) -> int | None:
    return urls.index(expected) + 1 if expected in urls else None


def metrics(ranks: list[int | None]) -> tuple[float, float, float]:
    n = max(len(ranks), 1)
    mrr = sum(1 / r for r in ranks if r) / n
    recall = sum(1 for r in ranks if r) / n
    ndcg = sum(1 / math.log2(r + 1) for r in ranks if r) / n
    return mrr, recall, ndcg


def run_engine(search: Callable[[str], list[str]], queries: list[dict]) -> list[int | None]:
    return [rank_of(search(q["query"]), q["url"]) for q in queries]


def table(results: dict[str, list[int | None]], queries: list[dict]) -> str:
    kinds = [*sorted({q["kind"] for q in queries}), "all"]
    names = list(results)
    header = f"{'kind':10} {'n':>4}  " + "  ".join(f"{name:^23}" for name in names)
    sub = f"{'':10} {'':>4}  " + "  ".join(f"{'MRR':>7}{'R@10':>8}{'nDCG':>8}" for _ in names)
    lines = [header, sub]
    for kind in kinds:
        chosen = [i for i, q in enumerate(queries) if kind in ("all", q["kind"])]
        cells = []
        for name in names:
            mrr, recall, ndcg = metrics([results[name][i] for i in chosen])
            cells.append(f"{mrr:7.3f}{recall:8.3f}{ndcg:8.3f}")
        lines.append(f"{kind:10} {len(chosen):4}  " + "  ".join(cells))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=Path, default=SAMPLE)
    parser.add_argument("--distractors", type=int, default=3000)
    parser.add_argument("--style", choices=sorted(STYLES), default="generated", help="kind of distractor")
    parser.add_argument("--queries", type=Path, default=HERE / "queries.tsv")
    args = parser.parse_args()
    queries = load_queries(args.queries)
    work = Path(tempfile.mkdtemp(prefix="kbsearch-relevance-"))
    sample = read_corpus(args.sample).articles
    STYLES[args.style](sample, work / "corpus" / "distractors", args.distractors)
    (work / "corpus" / "sample").symlink_to(args.sample.resolve())
    started = time.monotonic()
    build(work / "corpus", work / "index", procs=2)
    articles = read_corpus(work / "corpus").articles
    print(
        f"{len(articles)} articles ({len(sample)} real, {args.distractors} distractors), "
        f"{len(queries)} queries; built in {time.monotonic() - started:.0f} s"
    )

    with Engine(work / "index") as engine:
        ours = run_engine(lambda q: [h.url for h in engine.search(q, per_page=DEPTH).hits], queries)
    plain = PlainWhoosh(articles, work / "plain-whoosh")
    results = {
        "kbsearch": ours,
        "whoosh BM25F": run_engine(plain.search, queries),
        "SQLite FTS5": run_engine(Fts5(articles).search, queries),
    }
    plain.close()
    print(table(results, queries))
    misses = [(q, r) for q, r in zip(queries, ours, strict=True) if r != 1]
    print(f"\nkbsearch: {len(misses)} queries whose article is not first")
    for query, rank in misses:
        print(f"  {query['kind']:9} {rank or '-':>3}  {query['query']}")


if __name__ == "__main__":
    main()

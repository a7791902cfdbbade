"""Relevance benchmark: kbsearch against tantivy, SQLite FTS5 and plain Whoosh BM25F.

    .venv/bin/python -m bench.relevance.run [--distractors 3000] [--style generated|salad]
        [--engines kbsearch,tantivy,fts5,whoosh] [--reuse DIR] [--sample DIR]

Indexes the real sample (../shared/corpus/quicktakes-sample) plus generated
look-alike distractors, runs the judged queries (query -> the url that should
come first) through every engine, and prints MRR@10, recall@10 and nDCG@10
per query kind and overall, for the tune and held parts of the queries
separately, then kbsearch's misses on the tune part by kind. The queries are
those in queries.tsv (words as visitors type them, a quarter with typos) and
those in paraphrase.tsv (the article in other words), each in a table of its
own. ``kbsearch`` ranks by words and meaning; ``kbsearch-words`` is the same
index with meaning turned off. Ranking work may only look at the tune part
(see README).
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from bench.relevance.baselines import Fts5
from bench.relevance.baselines import PlainWhoosh
from bench.relevance.baselines import Tantivy
from bench.relevance.distractors import STYLES
from bench.relevance.distractors import cached
from bench.relevance.report import Ranks
from bench.relevance.report import misses
from bench.relevance.report import table
from common.values import WORDLLAMA
from index import versions
from index.articles import Article
from index.articles import read_corpus
from index.build import build
from search.engine import Engine

HERE = Path(__file__).parent
SAMPLE = HERE.parents[2] / "shared" / "corpus" / "quicktakes-sample"
DEPTH = 10
PROCS = 2
SETS = ("tune", "held")


class Searcher(Protocol):
    def search(self, query: str) -> list[str]: ...

    def close(self) -> None: ...


class KbSearch:
    """kbsearch as the benchmark sees it: a full build of the corpus folder, then the engine's first page.

    Both variants read one build (the first to run makes it), so they differ in ranking only.
    """

    def __init__(self, corpus: Path, folder: Path, semantic: bool = True) -> None:
        if versions.current_version(folder) is None:
            build(corpus, folder, procs=PROCS, model=WORDLLAMA)
        self.engine = Engine(folder, semantic=semantic)
        self.suggested: set[str] = set()  # queries that got a "did you mean"

    def search(self, query: str) -> list[str]:
        result = self.engine.search(query, per_page=DEPTH)
        if result.suggestion is not None:
            self.suggested.add(query)
        return [hit.url for hit in result.hits]

    def close(self) -> None:
        self.engine.close()


# Each engine is made from the corpus folder, its articles and a folder of its own.
ENGINES: dict[str, Callable[[Path, list[Article], Path], Searcher]] = {
    "kbsearch": lambda corpus, _articles, folder: KbSearch(corpus, folder.with_name("kbsearch")),
    "kbsearch-words": lambda corpus, _articles, folder: KbSearch(corpus, folder.with_name("kbsearch"), False),
    "tantivy": lambda _corpus, articles, folder: Tantivy(articles, folder),
    "fts5": lambda _corpus, articles, _folder: Fts5(articles),
    "whoosh": lambda _corpus, articles, folder: PlainWhoosh(articles, folder),
}


def load_queries(path: Path = HERE / "queries.tsv", family: str = "words") -> list[dict]:
    """The judged queries of one file, each marked with its ``family`` (the table it is reported in)."""
    with open(path, encoding="utf-8", newline="") as handle:
        return [{**row, "family": family} for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)]


def keyword_phrases(sample: list[Article]) -> list[dict]:
    """Each keyword phrase that only one real article lists, as a query for that article.

    Nobody wrote these: they test keyword-style queries at a scale the judged set cannot.
    Alternately tune and held, in phrase order.
    """
    owners: dict[str, set[str]] = defaultdict(set)
    for article in sample:
        for phrase in article.keywords.split(","):
            if phrase.strip():
                owners[phrase.strip().lower()].add(article.url)
    unique = sorted((phrase, urls.pop()) for phrase, urls in owners.items() if len(urls) == 1)
    return [
        {"set": SETS[i % 2], "kind": "keyword phrase", "typo_of": "", "query": phrase, "url": url, "family": "phrases"}
        for i, (phrase, url) in enumerate(unique)
    ]


def rank_of(urls: list[str], expected: str) -> int | None:
    return urls.index(expected) + 1 if expected in urls else None


def measure(name: str, corpus: Path, articles: list[Article], folder: Path, queries: list[dict]) -> Ranks:
    """Build one engine, rank every query's article with it, and close it before the next one is built."""
    started = time.monotonic()
    engine = ENGINES[name](corpus, articles, folder)
    built = time.monotonic()
    ranks = [rank_of(engine.search(q["query"])[:DEPTH], q["url"]) for q in queries]
    done = time.monotonic()
    engine.close()
    print(f"{name}: built in {built - started:.0f} s, {len(queries)} queries in {done - built:.1f} s", flush=True)
    if isinstance(engine, KbSearch):
        print(suggestions(engine.suggested, queries), flush=True)
    return ranks


def suggestions(suggested: set[str], queries: list[dict]) -> str:
    """Did-you-mean recall on the typo queries and false positives on the rest."""
    typos = [q["query"] for q in queries if q["kind"] == "typo"]  # paraphrases count among the others
    others = [q["query"] for q in queries if q["kind"] != "typo"]
    fixed = sum(query in suggested for query in typos)
    wrong = sorted(query for query in others if query in suggested)
    line = f"kbsearch did you mean: {fixed} of {len(typos)} typo queries get a suggestion, "
    return line + f"{len(wrong)} of {len(others)} others do" + "".join(f"\n    {query}" for query in wrong)


def distractors(args: argparse.Namespace, sample: list[Article], work: Path) -> Path:
    if args.reuse:
        return cached(sample, args.reuse, args.style, args.distractors)
    STYLES[args.style](sample, work / "distractors", args.distractors)
    return work / "distractors"


FAMILIES = {
    "words": "words as visitors type them",
    "paraphrase": "the article in other words",
    "phrases": "the real articles' own keyword phrases",
}


def part(
    results: dict[str, Ranks], queries: list[dict], name: str, family: str | None = None
) -> tuple[dict[str, Ranks], list[dict]]:
    """The ranks and queries of one part of the queries (tune or held), of one family or all."""
    chosen = [i for i, q in enumerate(queries) if q["set"] == name and family in (None, q["family"])]
    return {engine: [ranks[i] for i in chosen] for engine, ranks in results.items()}, [queries[i] for i in chosen]


def report(results: dict[str, Ranks], queries: list[dict]) -> None:
    for name in SETS:
        for family, title in FAMILIES.items():
            ranks, chosen = part(results, queries, name, family)
            if chosen:
                print(f"\n{name}, {title} ({len(chosen)} queries)\n{table(ranks, chosen)}")
    if "kbsearch" in results:
        ranks, chosen = part(results, queries, "tune")
        # Not the keyword phrases: their table says enough of hundreds of misses.
        written = [i for i, q in enumerate(chosen) if q["family"] != "phrases"]
        listed = misses([ranks["kbsearch"][i] for i in written], [chosen[i] for i in written])
        print(f"\nkbsearch on the tune part's written queries: {listed}")


def engine_names(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = sorted(set(names) - set(ENGINES))
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"engines are a comma-separated choice of {', '.join(ENGINES)}")
    return names


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=Path, default=SAMPLE)
    parser.add_argument("--distractors", type=int, default=3000)
    parser.add_argument("--style", choices=sorted(STYLES), default="generated", help="kind of distractor")
    parser.add_argument("--engines", type=engine_names, default=list(ENGINES), help="comma-separated")
    parser.add_argument(
        "--reuse", type=Path, help="keep the distractors in DIR/STYLE-COUNT and reuse them there in later runs"
    )
    parser.add_argument("--queries", type=Path, default=HERE / "queries.tsv")
    parser.add_argument("--paraphrases", type=Path, default=HERE / "paraphrase.tsv", help="'' for none")
    parser.add_argument(
        "--keyword-phrases", action="store_true", help="also each keyword phrase only one real article lists"
    )
    return parser.parse_args()


def main() -> None:
    args = arguments()
    queries = load_queries(args.queries)
    if str(args.paraphrases) not in ("", "."):
        queries += load_queries(args.paraphrases, "paraphrase")
    started = time.monotonic()
    # Everything a run writes outside --reuse lives in this folder, removed at the end (or on an error).
    with tempfile.TemporaryDirectory(prefix="kbsearch-relevance-") as temporary:
        work = Path(temporary)
        sample = read_corpus(args.sample).articles
        if args.keyword_phrases:
            queries += keyword_phrases(sample)
        (work / "corpus").mkdir()
        (work / "corpus" / "distractors").symlink_to(distractors(args, sample, work).resolve())
        (work / "corpus" / "sample").symlink_to(args.sample.resolve())
        articles = read_corpus(work / "corpus", procs=PROCS).articles
        print(
            f"{len(articles)} articles ({len(sample)} real, {args.distractors} {args.style} distractors), "
            f"{len(queries)} queries; corpus ready in {time.monotonic() - started:.0f} s",
            flush=True,
        )
        results = {name: measure(name, work / "corpus", articles, work / name, queries) for name in args.engines}
    report(results, queries)
    print(f"\ntotal {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()

"""Speed at the real site's size: build, update, and serve N generated articles.

    .venv/bin/python -m bench.speed [-n 200000] [--work DIR]

Generates N articles (bench/generate.py) and indexes them with the real
sample beside them when it is present, then prints: full build seconds,
articles/s, index size and the build's peak memory; an incremental update of
100 changed and 10 deleted articles, with a server answering throughout;
/api/search over HTTP cold (each query once), side by side for a mixed query
set (rare and very common words, 3-5 word queries, phrases, typos, subject
filters, page 2+) and the visitor set (bench/visitors.py), then two sets of
the next visitor queries side by side, one as the widget asks and one with
related questions as the results page shows them (``related=3``); warm (a
Zipf-distributed replay of the visitor set); /api/suggest; throughput of 8
concurrent clients for 30 s on the visitor set with the error count; memory
per server worker once the server has answered 10,000 distinct visitor
queries; where an uncached search spends its time (bench/profile.py); and
one results page (top 10, subject counts, snippets) in-process, p50 and p95 of
kbsearch, SQLite FTS5 and tantivy on the same articles and the same mixed and
visitor queries, with tantivy's build time.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bench.generate import generate
from bench.profile import format_profile
from bench.profile import profile
from bench.relevance.baselines import Fts5Page
from bench.relevance.baselines import TantivyPage
from bench.relevance.baselines import or_of_terms
from bench.relevance.run import SAMPLE
from bench.serving import folder_or_temporary
from bench.serving import percentiles
from bench.serving import running_server
from bench.serving import timed_get
from bench.serving import worker_memory_mb
from bench.visitors import swap
from bench.visitors import visitor_queries
from index import versions
from index import vocabulary
from index.articles import read_corpus
from search.engine import Engine

CLIENTS = 8
LOAD_SECONDS = 30
VISITOR_QUERIES = 10_000  # distinct, before the workers' memory is read
FILL_CLIENTS = 2  # one per worker, asking the visitor queries that are left
PROFILED_QUERIES = 300
PAGE_QUERIES = 300  # of each set, for the results page in-process of kbsearch, FTS5 and tantivy
# tantivy's writer, bounded on a machine of 2 cores shared with other work: bytes it buffers in all, and its threads.
TANTIVY_HEAP = 256_000_000
TANTIVY_THREADS = 2


def corpus_folder(source: Path, work: Path) -> Path:
    """What the benchmark indexes: the generated articles, and the real sample beside them when it is present."""
    if not SAMPLE.is_dir():
        return source
    corpus = work / "corpus"
    corpus.mkdir(exist_ok=True)
    for name, target in (("generated", source), ("sample", SAMPLE)):
        (corpus / name).unlink(missing_ok=True)  # a link of an earlier run in the same --work
        (corpus / name).symlink_to(target.resolve())
    return corpus


def kbsearch(*args: str) -> float:
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "cli", "index", *args, "--quiet"], check=True, stdout=subprocess.DEVNULL)
    return time.monotonic() - started


def size_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6


def query_set(index_dir: Path, subjects: list[str], rng: random.Random) -> list[dict]:
    vocab = vocabulary.load(versions.current_version(index_dir))
    words = [w for w in vocab.words.tolist() if w.isalpha() and len(w) > 3]
    frequency = dict(zip(vocab.words.tolist(), vocab.frequencies.tolist(), strict=True))
    by_frequency = sorted(words, key=lambda w: -frequency[w])
    common, middle, rare = by_frequency[:50], by_frequency[200:3000], [w for w in words if 2 <= frequency[w] <= 20]

    makers = [
        lambda: {"q": rng.choice(rare)},
        lambda: {"q": rng.choice(common)},
        lambda: {"q": " ".join(rng.sample(middle, rng.randint(3, 5)))},
        lambda: {"q": '"' + " ".join(rng.sample(middle[:300], 2)) + '"'},
        lambda: {"q": swap(rng.choice(middle), rng)},
        lambda: {"q": rng.choice(middle), "subject": rng.choice(subjects)},
        lambda: {"q": rng.choice(middle), "page": rng.randint(2, 5)},
    ]
    return [makers[i % len(makers)]() for i in range(350)]


def urls(base: str, path: str, params: list[dict]) -> list[str]:
    return [f"{base}{path}?{urllib.parse.urlencode(p)}" for p in params]


def zipf_replay(items: list[str], count: int, rng: random.Random) -> list[str]:
    weights = [1 / (rank + 1) for rank in range(len(items))]
    return rng.choices(items, weights=weights, k=count)


def throughput(search_urls: list[str]) -> tuple[float, int, int]:
    done = [0]
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + LOAD_SECONDS

    def client(offset: int) -> None:
        i = offset
        while time.monotonic() < stop:
            try:
                timed_get(search_urls[i % len(search_urls)])
                with lock:
                    done[0] += 1
            except OSError:
                with lock:
                    errors[0] += 1
            i += CLIENTS

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done[0] / LOAD_SECONDS, done[0], errors[0]


def side_by_side(first: list[str], second: list[str]) -> tuple[list[float], list[float]]:
    """Milliseconds of each url of both lists, asked in turn: what one set warms (term caches, pages), both gain."""
    timed = [(timed_get(a), timed_get(b)) for a, b in zip(first, second, strict=True)]
    return [a for a, _ in timed], [b for _, b in timed]


def ask_all(search_urls: list[str]) -> list[float]:
    """Milliseconds of each of ``search_urls``, asked once by ``FILL_CLIENTS`` clients at a time."""
    with ThreadPoolExecutor(FILL_CLIENTS) as pool:
        return list(pool.map(timed_get, search_urls))


def update_while_serving(source: Path, corpus: Path, index_dir: Path, probe: list[str]) -> tuple[float, int, int]:
    """Change 100 of the generated articles and delete 10, update incrementally, and query all the while."""
    files = sorted(source.rglob("*.md"))
    picked = random.Random(5).sample(files, 110)
    for path in picked[:100]:
        text = path.read_text()
        path.write_text(text.replace("\nsubject:", " An edited closing sentence.\nsubject:", 1))
    for path in picked[100:]:
        path.unlink()
    served, failed = [0], [0]
    finished = threading.Event()

    def ask() -> None:
        i = 0
        while not finished.is_set():
            try:
                timed_get(probe[i % len(probe)])
                served[0] += 1
            except OSError:
                failed[0] += 1
            i += 1

    thread = threading.Thread(target=ask)
    thread.start()
    try:
        seconds = kbsearch(str(corpus), "--index-dir", str(index_dir), "--incremental")
    finally:
        finished.set()
        thread.join()
    return seconds, served[0], failed[0]


@dataclass(frozen=True)
class BaselineBuild:
    """How long reading the articles and building each baseline from them took."""

    articles: int
    read_seconds: float
    fts5_seconds: float
    tantivy_seconds: float


def build_baselines(source: Path, folder: Path) -> tuple[Fts5Page, TantivyPage, BaselineBuild]:
    """Read the articles once and build both baselines from them: FTS5 in memory, tantivy in ``folder``.

    Both stay open so that the engines can take each query in turn; FTS5's database is
    about 6 KB an article (some 1.2 GB at 200,000), well within the machine.
    """
    started = time.monotonic()
    articles = read_corpus(source, procs=os.cpu_count() or 1).articles
    read = time.monotonic()
    fts5 = Fts5Page(articles)
    built = time.monotonic()
    shutil.rmtree(folder, ignore_errors=True)  # an earlier run's, in the same --work: tantivy would add to it
    tantivy = TantivyPage(articles, folder, heap_size=TANTIVY_HEAP, threads=TANTIVY_THREADS)
    done = time.monotonic()
    return fts5, tantivy, BaselineBuild(len(articles), read - started, built - read, done - built)


def page_queries(params: list[dict]) -> list[str]:
    """The first ``PAGE_QUERIES`` texts of ``params`` that the baselines can search (one with no word, they cannot).

    Only the text: the page compared is the first, unfiltered one, the page every engine computes alike.
    """
    return [p["q"] for p in params if or_of_terms(p["q"])][:PAGE_QUERIES]


def time_pages(pages: dict[str, Callable[[str], object]], queries: list[str]) -> dict[str, list[float]]:
    """Milliseconds of each engine's page for each query, the engines in turn: what loads the machine, loads all."""
    times: dict[str, list[float]] = {name: [] for name in pages}
    for query in queries:
        for name, page in pages.items():
            started = time.perf_counter()
            page(query)
            times[name].append((time.perf_counter() - started) * 1000)
    return times


def compare_pages(
    source: Path, index_dir: Path, folder: Path, sets: dict[str, list[dict]]
) -> tuple[BaselineBuild, dict[str, dict[str, list[float]]]]:
    """One results page (top 10, subject counts, snippets) of kbsearch, FTS5 and tantivy in-process, per query set.

    Returns the baselines' build times and, per set, each engine's milliseconds per
    query. tantivy's index is built in ``folder``; the articles are read from ``source``.
    """
    fts5, tantivy, build = build_baselines(source, folder)
    gc.collect()  # the articles read for the baselines are freed before any engine is timed
    try:
        with Engine(index_dir, result_cache=0) as engine:
            engine.search("")  # opens the live version, which no query's time should include
            pages = {"kbsearch": engine.search, "SQLite FTS5": fts5.page, "tantivy": tantivy.page}
            return build, {name: time_pages(pages, page_queries(params)) for name, params in sets.items()}
    finally:
        fts5.close()
        tantivy.close()


def format_build(build: BaselineBuild) -> str:
    return (
        f"baselines built in-process from the {build.articles} articles read in {build.read_seconds:.1f} s: "
        f"SQLite FTS5 {build.fts5_seconds:.1f} s (in memory), tantivy {build.tantivy_seconds:.1f} s "
        f"({TANTIVY_THREADS} threads, {TANTIVY_HEAP / 1e6:.0f} MB heap, answers stored)"
    )


def p50_p95(samples: list[float]) -> tuple[float, float]:
    return statistics.median(samples), statistics.quantiles(samples, n=20, method="inclusive")[18]


def format_pages(timings: dict[str, dict[str, list[float]]]) -> str:
    """A row per query set and engine: p50 and p95 in ms, and for the baselines how many times that kbsearch takes."""
    lines = [
        "results page in-process: top 10 with urls, subject counts over all matches, a snippet per hit",
        f"{'':<30}{'ms':^16}{'kbsearch ÷ engine':>20}",
        f"{'query set':<16}{'engine':<14}{'p50':>8}{'p95':>8}{'p50':>10}{'p95':>10}",
    ]
    for name, times in timings.items():
        ours = p50_p95(times["kbsearch"])
        for engine, samples in times.items():
            p50, p95 = p50_p95(samples)
            ratios = "" if engine == "kbsearch" else f"{ours[0] / p50:10.2f}{ours[1] / p95:10.2f}"
            lines.append(f"{f'{name} ({len(samples)})':<16}{engine:<14}{p50:8.2f}{p95:8.2f}{ratios}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200_000, help="articles to generate")
    parser.add_argument("--work", type=Path, help="working folder (default: a new temporary one)")
    parser.add_argument("--articles", type=Path, help="generated articles to use (they are edited by the update)")
    args = parser.parse_args()
    with folder_or_temporary(args.work, "kbsearch-speed-") as work:
        run(args, work)


def run(args: argparse.Namespace, work: Path) -> None:
    source, index_dir = args.articles or work / "articles", work / "index"
    rng = random.Random(11)
    print(json.dumps({"articles": args.n, "cpus": os.cpu_count(), "python": sys.version.split()[0]}))
    if not source.exists():
        generate(source, args.n)
    corpus = corpus_folder(source, work)

    seconds = kbsearch(str(corpus), "--index-dir", str(index_dir))
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    live = versions.current_version(index_dir)
    built = versions.read_meta(live)["documents"]  # fewer than N once earlier runs' updates deleted some
    real = "with the real sample" if corpus != source else "generated only"
    print(
        f"full build of {built} articles ({real}): {seconds:.0f} s, {built / seconds:.0f} articles/s, "
        f"index {size_mb(live):.0f} MB, peak memory of one build process {peak:.0f} MB"
    )

    subjects = sorted({p.parent.name.replace("-", " ") for p in source.rglob("*.md")})
    params = query_set(index_dir, subjects, rng)
    with running_server(index_dir) as (base, server):
        search = urls(base, "/api/search", params)
        seconds, served, failed = update_while_serving(source, corpus, index_dir, search)
        print(
            f"incremental update (100 changed, 10 deleted): {seconds:.1f} s; "
            f"{served} requests served meanwhile, {failed} failed"
        )
        visitors = visitor_queries(index_dir, VISITOR_QUERIES)
        visiting = urls(base, "/api/search", visitors)
        first = visiting[: len(search)]
        cold, cold_visitors = side_by_side(search, first)
        warm = [timed_get(url) for url in zipf_replay(first, 1000, rng)]
        prefixes = [re.sub(r"\W", "", p["q"])[: rng.randint(2, 6)] for p in params]
        suggest = [timed_get(url) for url in urls(base, "/api/suggest", [{"q": q} for q in prefixes if q])]
        print(f"/api/search cold, mixed set     {percentiles(cold)}")
        print(f"/api/search cold, visitor set   {percentiles(cold_visitors)}")
        print(f"/api/search warm, visitor set   {percentiles(warm)}")
        print(f"/api/suggest                    {percentiles(suggest)}")
        rate, done, errors = throughput(first)
        print(
            f"throughput on the visitor set: {rate:.0f} requests/s, {CLIENTS} clients, {LOAD_SECONDS} s: "
            f"{done} done, {errors} errors"
        )
        # Two more sets of as many, asked in turn: as the widget asks, and with related questions as the page shows.
        step = len(first)
        related = [url + "&related=3" for url in visiting[2 * step : 3 * step]]
        plain, paged = side_by_side(visiting[step : 2 * step], related)
        print(f"/api/search cold, next visitors {percentiles(plain)}")
        print(f"  and next with related=3       {percentiles(paged)}")
        rest = ask_all(visiting[3 * step :])
        print(f"/api/search cold, the other {len(rest)} visitor queries, {FILL_CLIENTS} clients: {percentiles(rest)}")
        memory = worker_memory_mb(server)
        shown = (f"resident {m['rss']:.0f}, proportional {m['pss']:.0f}, own heap {m['heap']:.0f}" for m in memory)
        print(f"memory per worker after {len(visiting)} distinct visitor queries (MB): " + "; ".join(shown))
    print("where an uncached search spends its time, in-process (bench.profile):")
    print(format_profile(profile(index_dir, PROFILED_QUERIES)))
    sets = {"mixed": params, "visitor": visitors}
    build, timings = compare_pages(corpus, index_dir, work / "tantivy", sets)
    print(format_build(build))
    print(format_pages(timings))


if __name__ == "__main__":
    main()

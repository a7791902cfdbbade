"""Latency of /api/search and /api/suggest over HTTP against the production server.

    .venv/bin/python bench/http_latency.py SOURCE [--index-dir DIR] [--rounds 3]

Builds SOURCE into an index (unless --index-dir already holds one), starts
``kbsearch serve`` on a free loopback port, and times queries derived from the
articles' keywords: one to three keywords, some with a typo, some with a
subject filter or page 2. Prints medians and percentiles in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import urllib.parse
from pathlib import Path

from bench.serving import folder_or_temporary
from bench.serving import percentiles
from bench.serving import running_server
from bench.serving import timed_get
from index.articles import read_corpus
from index.build import build
from index.versions import current_version


def queries(source: Path, count: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    articles = read_corpus(source).articles
    keywords = [k.strip() for a in articles for k in a.keywords.split(",") if k.strip()]
    subjects = sorted({a.subject for a in articles})
    found = []
    for _ in range(count):
        text = " ".join(rng.sample(keywords, rng.choice([1, 1, 2, 3])))
        if rng.random() < 0.2 and len(text) > 5:
            at = rng.randrange(1, len(text) - 1)
            text = text[:at] + text[at + 1 :]  # one deleted letter: a typo
        params = {"q": text}
        if rng.random() < 0.15:
            params["subject"] = rng.choice(subjects)
        if rng.random() < 0.1:
            params["page"] = 2
        found.append(params)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("--index-dir", type=Path)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with folder_or_temporary(args.index_dir, "kbsearch-bench-") as index_dir:
        run(args, index_dir)


def run(args: argparse.Namespace, index_dir: Path) -> None:
    if current_version(index_dir) is None:
        report = build(args.source, index_dir, procs=os.cpu_count() or 1)
        print(f"built {report.documents} articles in {report.seconds:.1f} s")
    with running_server(index_dir) as (base, _server):
        load = queries(args.source, args.queries)
        search = [base + "/api/search?" + urllib.parse.urlencode(p) for p in load]
        suggest = [
            base + "/api/suggest?" + urllib.parse.urlencode({"q": p["q"][: max(2, len(p["q"]) // 2)]}) for p in load
        ]
        for url in search[:20]:
            timed_get(url)  # both workers open the index before timing starts
        first = [timed_get(url) for url in search]
        again = [timed_get(url) for _ in range(args.rounds - 1) for url in search]
        completions = [timed_get(url) for url in suggest]
        print(json.dumps({"cpus": os.cpu_count(), "python": sys.version.split()[0]}))
        print(f"/api/search first time  {percentiles(first)}")
        if again:
            print(f"/api/search repeated    {percentiles(again)}")
        print(f"/api/suggest            {percentiles(completions)}")


if __name__ == "__main__":
    main()

"""What the relevance benchmark prints: metrics per kind of query and engine, and kbsearch's misses."""

from __future__ import annotations

import math

Ranks = list[int | None]


def metrics(ranks: Ranks) -> tuple[float, float, float]:
    n = max(len(ranks), 1)
    mrr = sum(1 / r for r in ranks if r) / n
    recall = sum(1 for r in ranks if r) / n
    ndcg = sum(1 / math.log2(r + 1) for r in ranks if r) / n
    return mrr, recall, ndcg


def groups(query: dict) -> list[str]:
    """The table rows a query counts in: its kind, for a typo also the kind it misspells, else plain; and all.

    A paraphrase counts in its kind and all: it is neither plain words nor a typo.
    """
    names = [query["kind"]]
    if query.get("family") == "paraphrase":
        return [*names, "all"]
    names.append(f"typo:{query['typo_of']}" if query["typo_of"] else "plain")
    return [*names, "all"]


def table(results: dict[str, Ranks], queries: list[dict]) -> str:
    found = {name for q in queries for name in groups(q)}
    rows = [*sorted(found - {"plain", "all"}), *(["plain"] if "plain" in found else []), "all"]
    names = list(results)
    header = f"{'kind':16} {'n':>4}  " + "  ".join(f"{name:^23}" for name in names)
    sub = f"{'':16} {'':>4}  " + "  ".join(f"{'MRR@10':>7}{'R@10':>8}{'nDCG':>8}" for _ in names)
    lines = [header, sub]
    for row in rows:
        chosen = [i for i, q in enumerate(queries) if row in groups(q)]
        cells = [metrics([results[name][i] for i in chosen]) for name in names]
        lines.append(f"{row:16} {len(chosen):4}  " + "  ".join(f"{m:7.3f}{r:8.3f}{n:8.3f}" for m, r, n in cells))
    return "\n".join(line.rstrip() for line in lines)


def misses(ranks: Ranks, queries: list[dict]) -> str:
    """The queries whose article is not first, by kind: rank (or - when not in the top 10) and query."""
    by_kind: dict[str, list[str]] = {}
    for query, rank in zip(queries, ranks, strict=True):
        if rank != 1:
            kind = query["kind"] + (f" ({query['typo_of']})" if query["typo_of"] else "")
            by_kind.setdefault(kind, []).append(f"    {rank or '-':>3}  {query['query']}")
    total = sum(len(lines) for lines in by_kind.values())
    parts = [f"{total} of {len(queries)} queries whose article is not first"]
    for kind in sorted(by_kind):
        parts += [f"  {kind}: {len(by_kind[kind])}", *by_kind[kind]]
    return "\n".join(parts)

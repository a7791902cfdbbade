"""Load test with Locust against the production server on loopback.

    .venv/bin/python -m bench.load SOURCE [--steady 60] [--burst 5] [--users 8] [--json]

Builds SOURCE into a fresh index, starts ``kbsearch serve``, then runs three
phases: steady (``--users`` clients with no think time, the highest rate the
machine sustains), a burst with ten times as many clients, and a recovery
phase as long as the burst plus five seconds, with the steady number of
clients again, to show the server recovers without a restart. Prints
throughput, p50/p99 and failures per phase.
"""

from __future__ import annotations

# Locust patches the standard library with gevent: that must happen before anything else imports it.
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
from locust import HttpUser  # noqa: E402
from locust import constant  # noqa: E402
from locust import task  # noqa: E402
from locust.env import Environment  # noqa: E402

from bench.serving import running_server  # noqa: E402
from index.articles import read_corpus  # noqa: E402
from index.build import build  # noqa: E402

QUERIES: list[dict] = []


class Visitor(HttpUser):
    wait_time = constant(0)

    @task(4)
    def search(self) -> None:
        self.client.get("/api/search", params=random.choice(QUERIES), name="/api/search")

    @task(1)
    def suggest(self) -> None:
        q = random.choice(QUERIES)["q"]
        self.client.get("/api/suggest", params={"q": q[: random.randint(2, max(2, len(q)))]}, name="/api/suggest")


def mixed_queries(source: Path, rng: random.Random) -> list[dict]:
    articles = read_corpus(source).articles
    keywords = [k.strip() for a in articles for k in a.keywords.split(",") if k.strip()] or ["search"]
    subjects = sorted({a.subject for a in articles})
    found = []
    for n in range(400):
        params = {"q": " ".join(rng.sample(keywords, min(len(keywords), rng.randint(1, 3))))}
        if n % 7 == 0:
            params["subject"] = rng.choice(subjects)
        if n % 11 == 0:
            params["page"] = 2
        found.append(params)
    return found


def phase(env: Environment, users: int, seconds: float) -> dict:
    env.stats.reset_all()
    env.runner.start(users, spawn_rate=users)
    gevent.sleep(seconds)
    env.runner.stop()
    total = env.stats.total
    return {
        "users": users,
        "seconds": seconds,
        "requests": total.num_requests,
        "failures": total.num_failures,
        "requests_per_s": round(total.num_requests / seconds, 1),
        "p50_ms": total.get_response_time_percentile(0.5),
        "p99_ms": total.get_response_time_percentile(0.99),
    }


def run(source: Path, steady: float, burst: float, users: int) -> dict:
    # The index lives as long as the run: nothing is left in the temporary folder afterwards.
    with tempfile.TemporaryDirectory(prefix="kbsearch-load-") as index_dir:
        build(source, Path(index_dir))
        QUERIES[:] = mixed_queries(source, random.Random(3))
        return _phases(Path(index_dir), steady, burst, users)


def _phases(index_dir: Path, steady: float, burst: float, users: int) -> dict:
    with running_server(index_dir) as (base, _server):
        env = Environment(user_classes=[Visitor], host=base)
        env.create_local_runner()
        results = {
            "steady": phase(env, users, steady),
            "burst": phase(env, users * 10, burst),
            "recovery": phase(env, users, burst + 5),
        }
        env.runner.quit()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("--steady", type=float, default=60)
    parser.add_argument("--burst", type=float, default=5)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    results = run(args.source, args.steady, args.burst, args.users)
    if args.json:
        print(json.dumps(results))
        return
    for name, figures in results.items():
        clients = f"{figures['users']:3} clients {figures['seconds']:4.0f} s"
        latency = f"p50 {figures['p50_ms']} ms, p99 {figures['p99_ms']} ms"
        outcome = f"{figures['failures']} failed of {figures['requests']}"
        print(f"{name:9} {clients}: {figures['requests_per_s']:7.1f} req/s, {latency}, {outcome}")


if __name__ == "__main__":
    main()

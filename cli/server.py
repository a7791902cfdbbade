"""Run the app under gunicorn, the production WSGI server."""

from __future__ import annotations

import os
import tempfile

from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        # Each worker builds its own app after the fork, so no index file is shared between processes.
        from web import create_app

        return create_app()


def _worker_exited(_arbiter, worker) -> None:
    # A dead worker's live gauges must not linger in the shared metrics.
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def default_workers() -> int:
    return max(2, min(2 * (os.cpu_count() or 1), 8))


def serve(host: str, port: int, workers: int, threads: int = 1) -> None:
    # Workers write their metrics here, so /metrics on any of them reports all of them.
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="kbsearch-metrics-")
    _Gunicorn(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread" if threads > 1 else "sync",
            "accesslog": None,  # the app logs each request as JSON, with its request id
            "child_exit": _worker_exited,
            "graceful_timeout": 10,
            "timeout": 30,
            "preload_app": False,
            # Room for a long query string, so the app can answer it with a JSON 400.
            "limit_request_line": 8190,
        }
    ).run()

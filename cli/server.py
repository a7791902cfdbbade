"""Run the app under gunicorn, the production WSGI server."""

from __future__ import annotations

import os

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


def default_workers() -> int:
    return max(2, min(2 * (os.cpu_count() or 1), 8))


def serve(host: str, port: int, workers: int, threads: int = 1) -> None:
    _Gunicorn(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread" if threads > 1 else "sync",
            "accesslog": "-",
            "graceful_timeout": 10,
            "timeout": 30,
            "preload_app": False,
            # Room for a long query string, so the app can answer it with a JSON 400.
            "limit_request_line": 8190,
        }
    ).run()

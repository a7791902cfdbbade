"""Run the app under gunicorn, the production WSGI server."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

from common.errors import ServeError
from common.errors import UsageError

METRICS_FOLDER = "PROMETHEUS_MULTIPROC_DIR"  # prometheus_client's own variable, read in every worker


class _Gunicorn(BaseApplication):
    def __init__(self, settings: Mapping[str, Any], options: dict) -> None:
        # The settings the command loaded and checked: workers use these, never a second reading of their own.
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        # Each worker builds its own app after the fork, so no index file is shared between processes.
        from web import create_app

        return create_app(self.settings)


def _worker_exited(_arbiter, worker) -> None:
    # A dead worker's live gauges must not linger in the shared metrics.
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def default_workers() -> int:
    return max(2, min(2 * (os.cpu_count() or 1), 8))


def check_address(host: str, port: int) -> None:
    """Fail at once with the reason, where gunicorn would retry for five seconds and log in its own format."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds: a closing port is free
        try:
            probe.bind((host, port))
        except socket.gaierror as exc:
            raise UsageError(f"--host {host}: not an address or a known host name ({exc.strerror})") from None
        except OSError as exc:
            if exc.errno == errno.EADDRNOTAVAIL:
                raise UsageError(f"--host {host}: not an address of this machine") from None
            raise ServeError(f"cannot listen on {host} port {port}: {exc.strerror}") from None


@contextlib.contextmanager
def _metrics_folder() -> Iterator[None]:
    """Where the workers share their metrics: a temporary folder, removed when the server stops, unless set."""
    if os.environ.get(METRICS_FOLDER):
        yield
        return
    folder = tempfile.mkdtemp(prefix="kbsearch-metrics-")
    os.environ[METRICS_FOLDER] = folder
    server = os.getpid()
    try:
        yield
    finally:
        # Workers are forked inside this block and leave it too (gunicorn ends them with SystemExit):
        # only the server process, once every worker is gone, removes the folder.
        if os.getpid() == server:
            shutil.rmtree(folder, ignore_errors=True)
            del os.environ[METRICS_FOLDER]


def serve(settings: Mapping[str, Any], host: str, port: int, workers: int) -> None:
    """Serve the app built from ``settings`` on ``host:port`` until SIGTERM or Ctrl-C."""
    check_address(host, port)
    # The workers record analytics there: a folder that cannot be made fails here, once, not in each worker.
    Path(settings["INDEX_DIR"]).mkdir(parents=True, exist_ok=True)
    # Until gunicorn installs its own handlers, SIGTERM unwinds through the cleanup below (``cli.group``).
    with _metrics_folder():
        _Gunicorn(
            settings,
            {
                "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
                "workers": workers,
                "worker_class": "sync",  # searching is CPU-bound: threads would only queue behind the GIL
                "accesslog": None,  # the app logs each request as JSON, with its request id
                "child_exit": _worker_exited,
                "graceful_timeout": 10,
                "timeout": 30,
                "preload_app": False,
                # Room for a long query string, so the app can answer it with a JSON 400.
                "limit_request_line": 8190,
                # gunicorn's default control socket is one path per user ($XDG_RUNTIME_DIR or ~/.gunicorn):
                # a second server on the host would take it over. SIGHUP and SIGTERM are our controls.
                "control_socket_disable": True,
            },
        ).run()

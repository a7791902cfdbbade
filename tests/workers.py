"""Which gunicorn worker answers a request, and which processes a command started, read from Linux's /proc:
the app names no process in its answers.

A sync worker serves one connection at a time and, once it has accepted one,
waits for the whole request. So a request sent without its closing blank line
holds the worker that took it; sending one such request per worker, and
finishing them only once each is held by a different worker, gives one answer
from every worker, each known by its pid.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import time
from pathlib import Path

LISTEN = "0A"  # TCP state in /proc/net/tcp


def _tcp_sockets() -> list[tuple[int, int, str, int]]:
    """(local port, remote port, state, inode) of every IPv4 TCP socket; inode 0 until a process accepted it."""
    found = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = (int(address.split(":")[1], 16) for address in fields[1:3])
        found.append((local, remote, fields[3], int(fields[9])))
    return found


def _socket_inodes(pid: int) -> set[int]:
    inodes = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
            if target.startswith("socket:["):
                inodes.add(int(target[8:-1]))
    except OSError:  # the process ended, or a descriptor closed while we looked
        pass
    return inodes


def _parent(pid: int) -> int:
    # The command name in /proc/PID/stat may hold spaces and brackets: the fields after it do not.
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def worker_pids(port: int) -> set[int]:
    """The workers of the gunicorn server listening on ``port``: the processes holding its listening
    socket (the master and its workers) whose parent holds it too."""
    [listening] = [inode for local, _, state, inode in _tcp_sockets() if local == port and state == LISTEN]
    holders = {int(pid) for pid in os.listdir("/proc") if pid.isdigit() and listening in _socket_inodes(int(pid))}
    return {pid for pid in holders if _parent(pid) in holders}


def _holder(port: int, client: socket.socket, workers: set[int], seconds: float = 10.0) -> int:
    """The worker that accepted ``client``'s connection, waiting for one to accept it."""
    client_port = client.getsockname()[1]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        inodes = [i for local, remote, _, i in _tcp_sockets() if (local, remote) == (port, client_port) and i]
        for pid in workers:
            if inodes and inodes[0] in _socket_inodes(pid):
                return pid
        time.sleep(0.01)
    raise AssertionError(f"no worker of {sorted(workers)} accepted the connection from port {client_port}")


def _response(client: socket.socket) -> tuple[int, bytes]:
    chunks = []
    while chunk := client.recv(65536):
        chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def one_answer_per_worker(port: int, path: str) -> dict[int, bytes]:
    """GET ``path`` once from every worker of the server on ``port``: {worker pid: body of its 200 answer}."""
    workers = worker_pids(port)
    clients = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in workers]
    try:
        for client in clients:
            client.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n".encode())
        holders = [_holder(port, client, workers) for client in clients]
        assert sorted(holders) == sorted(workers), "each worker should hold one of the half-sent requests"
        answers = {}
        for pid, client in zip(holders, clients, strict=True):
            client.sendall(b"\r\n")
            status, answers[pid] = _response(client)
            assert status == 200, (path, status)
        return answers
    finally:
        for client in clients:
            client.close()


def descendants(pid: int) -> set[int]:
    """Every process below ``pid``."""
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            with contextlib.suppress(OSError):
                children = [int(child) for child in (task / "children").read_text().split()]
                todo += children
                found.update(children)
    return found


def alive(pid: int) -> bool:
    """Whether ``pid`` is a process that has not ended (a zombie has)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][0] != "Z"
    except OSError:
        return False


def ignores_ctrl_c(pid: int) -> bool:
    """Whether ``pid`` ignores SIGINT (its SigIgn mask in /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigIgn:"):
            return bool(int(line.split()[1], 16) & (1 << (signal.SIGINT - 1)))
    return False

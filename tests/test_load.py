"""The load test in short form: steady load, a 10x burst, and recovery without a restart."""

import json
import os
import subprocess
import sys
from pathlib import Path

DEMO = Path(__file__).resolve().parents[1] / "demo" / "corpus"


def test_server_survives_a_burst_and_recovers(tmp_path):
    command = [sys.executable, "-m", "bench.load", str(DEMO), "--steady", "4", "--burst", "2", "--users", "4", "--json"]
    env = dict(os.environ, TMPDIR=str(tmp_path))  # its own temporary folder, to see what the run leaves there
    output = subprocess.run(command, capture_output=True, text=True, timeout=180, check=True, env=env).stdout
    results = json.loads(output.strip().splitlines()[-1])
    assert results["steady"]["requests"] > 50 and results["steady"]["failures"] == 0
    assert results["burst"]["users"] == 40 and results["burst"]["requests"] > 0
    assert results["recovery"]["requests"] > 50 and results["recovery"]["failures"] == 0
    assert list(tmp_path.iterdir()) == []  # neither the index it built nor the server's metrics folder

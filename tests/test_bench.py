"""The benchmark script keeps working (a smoke run; no timing is asserted)."""
from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT


def test_benchmark_smoke_run(tmp_path):
    out = tmp_path / "figures.json"
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--quick",
                             "--json", str(out)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "ratio" in result.stdout and "per stage" in result.stdout
    figures = json.loads(out.read_text())
    assert figures[0]["cards"] == 200
    assert set(figures[0]["ours_stages"]) == {"load", "deck", "cheatsheet", "flashcards"}
    assert figures[0]["ours_peak_mb"] > 0

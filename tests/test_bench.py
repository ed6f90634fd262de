"""The benchmark scripts keep working (smoke runs; no timing is asserted)."""
from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT


def test_benchmark_smoke_run(tmp_path):
    out = tmp_path / "figures.json"
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--quick",
                             "--markdown", "--json", str(out)],
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr
    assert "| work |" in result.stdout and "per stage" in result.stdout
    figures = json.loads(out.read_text())
    works = [row["work"] for row in figures["rows"]]
    assert works == ["200 basic cards, all outputs", "200 mixed cards, all outputs",
                     "200 basic cards, deck only", "400 mixed cards, all outputs (memory)",
                     "200 mixed cards, nothing changed"]
    for row in figures["rows"]:
        assert row["ours_s"] > 0 and row["ours_cpu"] > 0 and row["ours_mb"] > 0
    assert figures["rows"][0]["anchor_cpu"] > 0 and "ratio" in figures["rows"][1]
    assert set(figures["ours_stages"]) == {"load", "deck", "cheatsheet", "flashcards"}


def test_floor_script_smoke_run():
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "floor.py"), "--cards",
                             "120", "--runs", "1"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    for writer in ("cheatsheet", "flashcards"):
        assert writer in lines and "x its floor" in lines[writer]

"""The benchmark scripts keep working (smoke runs; no timing is asserted)."""
from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from synth import write_mixed  # noqa: E402


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
                     "200 basic cards, deck only", "200 mixed cards, what the preview page adds",
                     "200 mixed cards, what formulas add", "400 mixed cards, all outputs (memory)",
                     "200 mixed cards, nothing changed"]
    for row in figures["rows"]:
        assert row["ours_s"] > 0 and row["ours_cpu"] > 0 and row["ours_mb"] > 0
    assert figures["rows"][0]["anchor_cpu"] > 0 and "ratio" in figures["rows"][1]
    assert figures["rows"][5]["per_card_ratio"] > 0
    assert set(figures["ours_stages"]) == {"load", "deck", "cheatsheet", "flashcards"}


def test_floor_script_smoke_run():
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "floor.py"), "--cards",
                             "120", "--runs", "1"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    for writer in ("cheatsheet", "flashcards"):
        assert writer in lines and "x its floor" in lines[writer]


def test_mixed_deck_has_every_mix_and_a_twin_without_formulas(tmp_path):
    """The benchmark deck holds what costs: formulas, code, other scripts; its twin differs
    only where a formula stood, so the difference between the two builds is the formulas."""
    with_math = (write_mixed(tmp_path / "a", 300) / "00000.yaml").read_text("utf-8")
    as_text = (write_mixed(tmp_path / "b", 300, formulas=False) / "00000.yaml").read_text("utf-8")
    assert "$" in with_math and "```" in with_math and "$" not in as_text
    assert any(c in with_math for c in "暗κال") and "\\frac" in with_math
    pairs = list(zip(with_math.splitlines(), as_text.splitlines()))
    assert len(pairs) == len(with_math.splitlines()) == len(as_text.splitlines())
    assert all(a == b for a, b in pairs if "$" not in a)

"""Benchmark: what formulas and code blocks cost. The same synthetic deck is built twice, as
plain text and with the math/code mix of benchmarks/synth.py (4 in 10 basic answers and term
definitions get a formula, half of them from a small common set, 1 in 10 a code block; some
cloze deletions hide a formula), each with `build.py --force` in a fresh process.

    python benchmarks/bench_math.py                 # 10,000 cards
    python benchmarks/bench_math.py --cards 2000 --runs 3
"""
from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from synth import write_synthetic  # noqa: E402

from studycards import markup  # noqa: E402
from studycards.source import load_deck  # noqa: E402


def build_seconds(cards: Path, out: Path, jobs: int) -> tuple[float, float]:
    """Wall seconds, and CPU seconds (user + system) of the build and its workers: on a
    shared machine the CPU time is the steadier figure."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "build.py"), "--cards", str(cards), "--out",
                    str(out), "--force", "--quiet", "--jobs", str(jobs)], check=True,
                   env={"SOURCE_DATE_EPOCH": "1767225600", "PATH": "/usr/bin:/bin"})
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def formula_counts(cards: Path) -> tuple[int, int]:
    deck = load_deck(cards, source_date_epoch=0, jobs=1)
    texts = [getattr(card, name) for card in deck.cards
             for name in ("front", "back", "definition", "text") if hasattr(card, name)]
    found = [(m.tex, m.display) for t in texts for m in markup.formulas(t, True)]
    return len(found), len(set(found))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cards", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=0, help="as build.py --jobs (0: all cores)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = []
        for technical in (False, True):
            root = Path(tmp) / ("technical" if technical else "plain")
            cards = write_synthetic(root, args.cards, technical=technical)
            times = [build_seconds(cards, root / "dist", args.jobs) for _ in range(args.runs)]
            rows.append((statistics.median(w for w, _ in times),
                         statistics.median(c for _, c in times), cards))
        (plain_wall, plain_cpu, _), (wall, cpu, cards) = rows
        used, distinct = formula_counts(cards)
        print(f"{args.cards} cards, {used} formulas ({distinct} distinct), median of {args.runs}:")
        print(f"  plain text     {plain_wall:7.2f} s wall  {plain_cpu:7.2f} s CPU")
        print(f"  math and code  {wall:7.2f} s wall  {cpu:7.2f} s CPU   "
              f"({wall / plain_wall:.2f} / {cpu / plain_cpu:.2f} times)")


if __name__ == "__main__":
    main()

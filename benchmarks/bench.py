"""Benchmark: the full build against the raw libraries doing the same job, at several sizes.

    python benchmarks/bench.py                      # 1k, 10k and 50k cards, 3 runs each
    python benchmarks/bench.py --sizes 10000 --runs 5
    python benchmarks/bench.py --quick              # a small smoke run

For each size it generates a synthetic deck (benchmarks/synth.py), then times, as separate
processes: `build.py --force` end to end (our outputs in parallel), `build.py` again with
nothing changed (incremental), our stages one after another in one process, and
benchmarks/baseline.py. Peak memory is the largest sum of proportional set sizes (PSS) over the
process and its children, sampled every 20 ms. Figures are medians over the runs.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from synth import write_synthetic  # noqa: E402


def _tree_memory(pid: int) -> int:
    """Memory of a process and all its descendants (Linux /proc): the proportional set
    size, which splits pages shared after a fork between the processes that share them,
    so that summing over processes counts each page once (summing RSS would not)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup") as rollup:
                for line in rollup:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    stack.extend(int(c) for c in children.read().split())
        except (OSError, ValueError):
            continue
    return total


def measure(command: list[str], env=None) -> tuple[float, int, str]:
    """Wall seconds, peak memory (PSS) of the process tree, and its stdout."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env)
    peak = [0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], _tree_memory(process.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = process.communicate()
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{err}")
    return elapsed, peak[0], out


def stages(cards: str, out: str) -> None:
    """Our stages one after another in this process: prints seconds as JSON."""
    from studycards.source import load_deck
    from studycards.writers import anki, cheatsheet, flashcards

    times = {}
    t = time.perf_counter()
    deck = load_deck(Path(cards), source_date_epoch=1)
    times["load"] = time.perf_counter() - t
    for name, write in (("deck", lambda p: anki.write(deck, p, {})),
                        ("cheatsheet", lambda p: cheatsheet.write(deck, p)),
                        ("flashcards", lambda p: flashcards.write(deck, p))):
        t = time.perf_counter()
        write(Path(out) / f"stage-{name}")
        times[name] = time.perf_counter() - t
    print(json.dumps(times))


def run_size(count: int, runs: int, work: Path) -> dict:
    root = work / f"deck-{count}"
    cards = write_synthetic(root, count)
    python = sys.executable
    env = dict(os.environ, SOURCE_DATE_EPOCH="1767225600")
    ours, ours_mem, base, base_mem, incr, our_stages, base_stages = [], [], [], [], [], [], []
    for _ in range(runs):
        seconds, memory, _ = measure([python, str(ROOT / "build.py"), "--cards", str(cards),
                                      "--out", str(root / "dist"), "--force", "--quiet"], env)
        ours.append(seconds)
        ours_mem.append(memory)
        seconds, _, _ = measure([python, str(ROOT / "build.py"), "--cards", str(cards),
                                 "--out", str(root / "dist"), "--quiet"], env)
        incr.append(seconds)
        seconds, memory, out = measure([python, str(HERE / "baseline.py"), str(cards),
                                        str(root / "baseline")], env)
        base.append(seconds)
        base_mem.append(memory)
        base_stages.append(json.loads(out))
        (root / "stages").mkdir(exist_ok=True)
        _, _, out = measure([python, __file__, "--stages", str(cards), str(root / "stages")], env)
        our_stages.append(json.loads(out))

    def median_stages(samples):
        return {k: statistics.median(s[k] for s in samples) for k in samples[0]}

    return {
        "cards": count, "runs": runs,
        "ours_s": statistics.median(ours), "baseline_s": statistics.median(base),
        "ratio": statistics.median(ours) / statistics.median(base),
        "ours_peak_mb": max(ours_mem) / 2**20, "baseline_peak_mb": max(base_mem) / 2**20,
        "incremental_s": statistics.median(incr),
        "ours_stages": median_stages(our_stages), "baseline_stages": median_stages(base_stages),
    }


def report(results: list[dict]) -> str:
    lines = [f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
             f"{platform.python_version()}, {platform.system()} {platform.release()}", ""]
    lines.append(f"{'cards':>7} {'ours s':>8} {'baseline s':>11} {'ratio':>6} {'ours MB':>8} "
                 f"{'base MB':>8} {'unchanged s':>12}")
    for r in results:
        lines.append(f"{r['cards']:>7} {r['ours_s']:>8.2f} {r['baseline_s']:>11.2f} "
                     f"{r['ratio']:>6.2f} {r['ours_peak_mb']:>8.0f} {r['baseline_peak_mb']:>8.0f} "
                     f"{r['incremental_s']:>12.2f}")
    lines += ["", "per stage, one process (seconds, ours / baseline):"]
    lines.append(f"{'cards':>7} " + " ".join(f"{s:>18}" for s in ("load", "deck", "cheatsheet", "flashcards")))
    for r in results:
        cells = [f"{r['ours_stages'][s]:>8.2f} /{r['baseline_stages'][s]:>7.2f}  "
                 for s in ("load", "deck", "cheatsheet", "flashcards")]
        lines.append(f"{r['cards']:>7} " + " ".join(f"{c:>18}" for c in cells))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="200 cards, one run")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    parser.add_argument("--stages", nargs=2, metavar=("CARDS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stages:
        stages(*args.stages)
        return
    sizes, runs = ([200], 1) if args.quick else (args.sizes, args.runs)
    results = []
    with tempfile.TemporaryDirectory(prefix="studycards-bench-") as work:
        for count in sizes:
            results.append(run_size(count, runs, Path(work)))
            print(f"{count} cards done", file=sys.stderr, flush=True)
    print(report(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

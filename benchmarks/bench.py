"""Benchmark: our build against the raw libraries, and against ankdown for the deck alone.

    python benchmarks/bench.py                    # 10k cards, 50k for memory, 3 runs each
    python benchmarks/bench.py --runs 5 --markdown   # the README table
    python benchmarks/bench.py --quick            # a small smoke run (tests/test_bench.py)

Every figure comes from separate processes run in turn from this one, ours and its anchor
alternating (ABAB..., the order swapped every run), each cold (its output folder removed
first); figures are medians. Per run: wall seconds; CPU seconds (user + system of the
process and every process it waited for, from getrusage). Peak memory comes from one more
run of each, not timed: the largest sum of proportional set sizes (PSS) over the process tree
sampled every 20 ms, which counts a page shared between forked workers once (sampling slows
a parallel build by a fifth, so timed runs are not sampled). On a busy machine the wall times move with the load and
the CPU times much less: compare those.

The rows:
- basic / mixed: `build.py --force`, all outputs, against benchmarks/baseline.py (genanki and
  ReportLab used directly) on the same synthetic deck (benchmarks/synth.py);
- deck only: `build.py --only anki` against ankdown 0.7.1 on the same basic cards written as
  ankdown Markdown. ankdown is not our dependency: install it in a venv of its own and set
  ANKDOWN to its `ankdown` program (without it the row is skipped, saying so);
- preview / formulas: what each adds to a full build of the mixed deck: all outputs against
  `--only anki,cheatsheet,flashcards`, and the deck against the same deck with every formula's
  TeX written as plain text;
- memory: the mixed deck at the large size, all outputs, against the baseline; its time per
  card beside the 10k build's says whether time stays linear;
- unchanged: `build.py` again with nothing changed, on the mixed deck.
The mixed deck (synth.write_mixed) has every kind of card, formulas, code blocks and phrases in
Japanese, Greek, Arabic and Hebrew; the basic deck front/back cards of plain text.
Then our stages one after another in one process, beside the baseline's.
"""
from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import resource
import shutil
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

from synth import write_mixed, write_synthetic  # noqa: E402

ENV = dict(os.environ, SOURCE_DATE_EPOCH="1767225600")


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


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(command: list[str], clean: Path | None = None, sample: bool = True) -> dict:
    """Run one command to its end: wall and CPU seconds, peak memory (MB, if `sample`),
    stdout. Sampling slows what it measures: reading a process's smaps_rollup walks its
    page tables under its memory lock, and at every 20 ms it took our two-core parallel
    build of 10,000 mixed cards from 31-32 s to 38-40 s of wall time (and 2 s of CPU)."""
    if clean is not None:  # cold: the output folder empty
        shutil.rmtree(clean, ignore_errors=True)
        clean.mkdir(parents=True)
    cpu = _children_cpu()
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=ENV)
    peak = [0]
    done = threading.Event()

    def sample_memory():
        while not done.is_set():
            peak[0] = max(peak[0], _tree_memory(process.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample_memory, daemon=True)
    if sample:
        sampler.start()
    out, err = process.communicate()
    wall = time.perf_counter() - started
    done.set()
    if sample:
        sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{err}")
    return {"wall": wall, "cpu": _children_cpu() - cpu, "mb": peak[0] / 2**20, "out": out}


def _ours(cards: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, str(ROOT / "build.py"), "--cards", str(cards), "--out", str(out),
            "--quiet", *extra]


def _baseline(cards: Path, out: Path) -> list[str]:
    return [sys.executable, str(HERE / "baseline.py"), str(cards), str(out)]


def ankdown_cards(cards: Path, folder: Path) -> Path:
    """The basic cards of a synthetic deck as ankdown Markdown (front % back --- per card;
    an explanation goes under the answer, as it is shown in Anki)."""
    import yaml

    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted(cards.glob("*.yaml")):
        data = yaml.safe_load(path.read_text("utf-8"))
        if not isinstance(data, dict) or "cards" not in data:
            continue
        blocks = []
        for card in data["cards"]:
            back = card["back"] + (f"\n\n{card['explain']}" if card.get("explain") else "")
            blocks.append(f"{card['front']}\n\n%\n\n{back}\n")
        (folder / f"{path.stem}.md").write_text("\n---\n\n".join(blocks), encoding="utf-8")
    return folder


def _median(samples: list[dict], key: str) -> float:
    return statistics.median(s[key] for s in samples)


def compare(name: str, ours: tuple, anchor: tuple | None, anchor_name: str, runs: int) -> dict:
    """Alternate ours and the anchor `runs` times, timed without memory sampling; medians of
    each. Then one more run of each, sampled, for its peak memory."""
    mine, theirs = [], []
    pair = [(mine, ours), (theirs, anchor)] if anchor else [(mine, ours)]
    for run in range(runs):
        for samples, (command, clean) in (pair if run % 2 == 0 else pair[::-1]):
            samples.append(measure(command, clean, sample=False))
    peaks = {id(samples): measure(command, clean)["mb"] for samples, (command, clean) in pair}
    row = {"work": name, "anchor": anchor_name, "runs": runs}
    for who, samples in (("ours", mine), ("anchor", theirs)):
        if samples:
            row.update({f"{who}_s": _median(samples, "wall"), f"{who}_cpu": _median(samples, "cpu"),
                        f"{who}_mb": peaks[id(samples)]})
    if anchor:
        row["ratio"] = row["ours_s"] / row["anchor_s"]
        row["cpu_ratio"] = row["ours_cpu"] / row["anchor_cpu"]
        row["mb_ratio"] = row["ours_mb"] / row["anchor_mb"]
    print(f"  {name}: done", file=sys.stderr, flush=True)
    return row


def stages(cards: str, out: str) -> None:
    """Our stages one after another in this process: prints CPU seconds as JSON."""
    from studycards.source import load_deck
    from studycards.writers import anki, cheatsheet, flashcards

    def cpu() -> float:  # this process and the formula workers it waited for
        now = os.times()
        return now.user + now.system + now.children_user + now.children_system

    times = {}
    t = cpu()
    deck = load_deck(Path(cards), source_date_epoch=1)
    times["load"] = cpu() - t
    for name, write in (("deck", lambda p: anki.write(deck, p, {})),
                        ("cheatsheet", lambda p: cheatsheet.write(deck, p)),
                        ("flashcards", lambda p: flashcards.write(deck, p))):
        t = time.process_time()
        write(Path(out) / f"stage-{name}")
        times[name] = time.process_time() - t
    print(json.dumps(times))


def run_all(size: int, big: int, runs: int, work: Path) -> dict:
    # Our modules byte-compiled once, as ankdown's are (pip compiles what it installs): with
    # PYTHONDONTWRITEBYTECODE set, every run would compile our source again (~0.1 s each).
    compileall.compile_dir(ROOT / "studycards", quiet=1)
    basic = write_synthetic(work / "basic", size, basic=True)
    mixed = write_mixed(work / "mixed", size)
    rows = []
    print(f"{size} cards, {runs} runs:", file=sys.stderr, flush=True)
    for label, cards in ((f"{size:,} basic cards, all outputs", basic),
                         (f"{size:,} mixed cards, all outputs", mixed)):
        rows.append(compare(label, (_ours(cards, work / "ours", "--force"), work / "ours"),
                            (_baseline(cards, work / "base"), work / "base"),
                            "raw genanki + ReportLab (baseline.py)", runs))
    ankdown = os.environ.get("ANKDOWN")
    deck_only = (_ours(basic, work / "deck", "--only", "anki"), work / "deck")
    if ankdown and Path(ankdown).is_file():
        source = ankdown_cards(basic, work / "ankdown-cards")
        anchor = ([ankdown, "-r", str(source), "-p", str(work / "ankdown" / "deck.apkg")],
                  work / "ankdown")
        rows.append(compare(f"{size:,} basic cards, deck only", deck_only, anchor,
                            "ankdown 0.7.1", runs))
    else:
        row = compare(f"{size:,} basic cards, deck only", deck_only, None,
                      "ankdown: skipped, set ANKDOWN to its program", runs)
        rows.append(row)
    without = "anki,cheatsheet,flashcards"
    rows.append(compare(f"{size:,} mixed cards, what the preview page adds",
                        (_ours(mixed, work / "ours", "--force"), work / "ours"),
                        (_ours(mixed, work / "part", "--force", "--only", without), work / "part"),
                        "the same without the preview page", runs))
    as_text = write_mixed(work / "as-text", size, formulas=False)
    rows.append(compare(f"{size:,} mixed cards, what formulas add",
                        (_ours(mixed, work / "ours", "--force"), work / "ours"),
                        (_ours(as_text, work / "part", "--force"), work / "part"),
                        "the same deck, each formula's TeX as text", runs))
    if big:
        large = write_mixed(work / "large", big)
        row = compare(f"{big:,} mixed cards, all outputs (memory)",
                      (_ours(large, work / "ours-large", "--force"), work / "ours-large"),
                      (_baseline(large, work / "base-large"), work / "base-large"),
                      "raw genanki + ReportLab (baseline.py)", max(1, runs - 1))
        # Linear time: CPU per card at the large size against the 10k mixed build's.
        row["per_card_ratio"] = (row["ours_cpu"] / big) / (rows[1]["ours_cpu"] / size)
        row["per_card_base"] = size
        rows.append(row)
        shutil.rmtree(work / "ours-large", ignore_errors=True)
    measure(_ours(mixed, work / "unchanged"))
    rows.append(compare(f"{size:,} mixed cards, nothing changed", (_ours(mixed, work / "unchanged"), None),
                        None, "", runs))
    (work / "stages").mkdir(exist_ok=True)
    ours_stages = [json.loads(measure([sys.executable, __file__, "--stages", str(mixed),
                                       str(work / "stages")])["out"]) for _ in range(runs)]
    base_stages = [json.loads(measure(_baseline(mixed, work / "base"))["out"])
                   for _ in range(runs)]
    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
                   f"{platform.python_version()}, {platform.system()} {platform.release()}",
        "load": os.getloadavg(),
        "cards": size, "runs": runs, "rows": rows,
        "ours_stages": {k: statistics.median(s[k] for s in ours_stages) for k in ours_stages[0]},
        "baseline_stages": {k: statistics.median(s[k] for s in base_stages)
                            for k in base_stages[0]},
    }


def _cell(row: dict, who: str) -> str:
    if f"{who}_s" not in row:
        return "-"
    return f"{row[f'{who}_s']:.2f} s, {row[f'{who}_cpu']:.2f} s CPU, {row[f'{who}_mb']:,.0f} MB"


def report(figures: dict, markdown: bool = False) -> str:
    rows = figures["rows"]
    head = ["work", "ours: wall, CPU, peak memory", "anchor", "anchor: wall, CPU, peak memory",
            "ratio (wall / CPU / memory)"]
    table = []
    for row in rows:
        ratio = (f"{row['ratio']:.2f} / {row['cpu_ratio']:.2f} / {row['mb_ratio']:.2f}"
                 if "ratio" in row else "-")
        if "per_card_ratio" in row:
            ratio += (f"; CPU per card {row['per_card_ratio']:.2f}x the "
                      f"{row['per_card_base']:,}-card build's")
        table.append([row["work"], _cell(row, "ours"), row["anchor"] or "-",
                      _cell(row, "anchor"), ratio])
    lines = [f"machine: {figures['machine']}; load average at the end "
             f"{', '.join(f'{x:.1f}' for x in figures['load'])}; medians of "
             f"{figures['runs']} alternating runs", ""]
    if markdown:
        lines.append("| " + " | ".join(head) + " |")
        lines.append("|" + "|".join(" --- " for _ in head) + "|")
        lines += ["| " + " | ".join(cells) + " |" for cells in table]
    else:
        widths = [max(len(r[i]) for r in table + [head]) for i in range(len(head))]
        for cells in [head] + table:
            lines.append("  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip())
    ours, base = figures["ours_stages"], figures["baseline_stages"]
    lines += ["", f"per stage, one process, {figures['cards']:,} mixed cards "
                  "(CPU seconds, ours / baseline):",
              "  " + ", ".join(f"{k} {ours[k]:.2f} / {base[k]:.2f}" for k in ours)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cards", type=int, default=10_000, help="deck size (default 10000)")
    parser.add_argument("--big", type=int, default=50_000,
                        help="deck size for the memory row, 0 to skip (default 50000)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="200 cards (400 for memory), one run")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    parser.add_argument("--stages", nargs=2, metavar=("CARDS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stages:
        stages(*args.stages)
        return
    size, big, runs = (200, 400, 1) if args.quick else (args.cards, args.big, args.runs)
    with tempfile.TemporaryDirectory(prefix="studycards-bench-") as work:
        figures = run_all(size, big, runs, Path(work))
    print(report(figures, args.markdown))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()

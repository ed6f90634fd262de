"""How fast a large build ends when interrupted (Ctrl-C) or killed (kill -9): prints figures.

    python benchmarks/interrupt.py [CARDS]      (default 10000; Linux: reads /proc)

Ctrl-C goes to the whole process group, as a terminal sends it; the figure is the time from the
signal to the build's exit. For kill -9 it is the time until no writer process is left.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from synth import write_synthetic

ROOT = Path(__file__).resolve().parent.parent


def children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def start(root: Path, env) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--force"], cwd=root,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_synthetic(root, count)
        env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600"}
        began = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "build.py"), "--quiet"], cwd=root, env=env,
                       check=True)
        full = time.perf_counter() - began
        print(f"{count} cards: full build {full:.1f} s")
        for fraction in (0.1, 0.3, 0.5, 0.7, 0.9):
            proc = start(root, env)
            time.sleep(full * fraction)
            sent = time.perf_counter()
            os.killpg(proc.pid, signal.SIGINT)
            _, err = proc.communicate()
            print(f"  Ctrl-C at {fraction:.0%}: exit {proc.returncode} after "
                  f"{time.perf_counter() - sent:.3f} s, said {err.strip()!r}")
        for fraction in (0.5, 0.8):
            proc = start(root, env)
            time.sleep(full * fraction)
            workers = children(proc.pid)
            sent = time.perf_counter()
            proc.kill()
            proc.wait()
            while any(alive(pid) for pid in workers):
                time.sleep(0.01)
            left = [p.name for p in (root / "dist").iterdir() if p.name.endswith(".tmp")]
            print(f"  kill -9 at {fraction:.0%}: {len(workers)} writer processes gone after "
                  f"{time.perf_counter() - sent:.3f} s; {len(left)} temporary files left")
            subprocess.run([sys.executable, str(ROOT / "build.py"), "--quiet"], cwd=root,
                           env=env, check=True)
            left = [p.name for p in (root / "dist").iterdir() if p.name.endswith(".tmp")]
            print(f"    the next build left {len(left)} temporary files")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Build dist/ from cards/: see `python build.py --help` and the README."""
import os
import sys
from importlib.util import find_spec
from pathlib import Path

# The builder imports its libraries only when it needs them, so look for them up front: a
# Python outside the project's environment is found here, not halfway through a build.
NEEDED = ("yaml", "genanki", "reportlab", "markdown_it", "jsonschema", "fontTools", "PIL",
          "pygments", "bidi", "arabic_reshaper")

missing = next((name for name in NEEDED if find_spec(name) is None), None)
if missing:
    # Typed with a Python outside the project's environment: use the one `make` set up.
    venv = Path(__file__).resolve().parent / ".venv"
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if python.exists() and not os.environ.get("STUDYCARDS_VENV_TRIED"):
        os.environ["STUDYCARDS_VENV_TRIED"] = "1"
        os.execv(python, [str(python), str(Path(__file__).resolve()), *sys.argv[1:]])
    sys.exit(f"build.py: the dependencies are not installed (no module named '{missing}'): "
             "run `make` first, it sets up .venv/")

try:
    from studycards.cli import main
except KeyboardInterrupt:  # Ctrl-C while starting: nothing was touched yet
    print("interrupted; previous outputs unchanged", file=sys.stderr)
    sys.exit(130)

if __name__ == "__main__":
    code = main()
    # Everything is written and closed: skip tearing down a large deck object by object.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)

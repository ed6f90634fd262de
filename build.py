#!/usr/bin/env python3
"""Build dist/ from cards/: see `python build.py --help` and the README."""
import sys

from studycards.cli import main

if __name__ == "__main__":
    sys.exit(main())

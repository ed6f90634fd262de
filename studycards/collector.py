"""Pausing Python's cycle collector around work that makes many objects and no cycles."""
from __future__ import annotations

import contextlib
import gc


@contextlib.contextmanager
def paused():
    """The collector off for the block (as it was after). Each collection scans every live
    container object, so a pass that builds a large deck would scan it again and again:
    half the time of loading 10,000 cards, and more the larger the deck."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()

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


@contextlib.contextmanager
def only_new():
    """The collector on for the block, for the objects made in it only. What exists already
    is frozen: collections neither scan it (a large deck, again and again) nor, in a child
    forked meanwhile, write to its pages (which would copy the parent's memory into every
    child). For work whose garbage has reference cycles, never freed while the collector is
    paused. Not for use inside another freeze: leaving the block unfreezes everything."""
    enabled = gc.isenabled()
    gc.freeze()
    gc.enable()
    try:
        yield
        gc.collect()  # what is left of it, in the oldest generation (new objects only)
    finally:
        if not enabled:
            gc.disable()
        gc.unfreeze()

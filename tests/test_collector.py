"""Pausing the cycle collector, and running it for new objects only."""
from __future__ import annotations

import gc

from studycards import collector


def _cycle():
    a = []
    a.append(a)


def test_paused_turns_the_collector_off_for_the_block_only():
    assert gc.isenabled()
    with collector.paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_only_new_collects_new_cycles_even_while_paused_and_leaves_old_objects_alone():
    old = [object() for _ in range(100)]
    with collector.paused():
        gc.collect()
        with collector.only_new():
            assert gc.isenabled() and gc.get_freeze_count() >= len(old)
            for _ in range(10):
                _cycle()
            assert gc.collect() >= 10  # the new cycles are found, though the caller paused
        assert not gc.isenabled() and gc.get_freeze_count() == 0
    assert gc.isenabled()

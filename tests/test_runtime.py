"""The server process's collector settings (telehealth/runtime.py)."""
import gc
from typing import Any

from telehealth.runtime import GC_THRESHOLDS, settle_gc


def test_settle_gc_freezes_start_up_objects_and_sets_thresholds():
    before = gc.get_threshold()
    full: list[int] = []

    def seen(phase: str, info: dict[str, Any]) -> None:
        if phase == "start" and info["generation"] == 2:
            full.append(1)

    gc.callbacks.append(seen)
    try:
        settle_gc()
        # A full collection ran first (counting allocations since then would race other threads of pytest).
        assert full
        assert gc.get_freeze_count() > 10_000  # the test process's imports (pytest, the app) are frozen
        assert gc.get_threshold() == GC_THRESHOLDS
    finally:
        gc.callbacks.remove(seen)
        gc.unfreeze()
        gc.set_threshold(*before)
    assert gc.get_freeze_count() == 0

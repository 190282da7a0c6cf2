"""The server process's collector settings (telehealth/runtime.py)."""
import gc

from telehealth.runtime import GC_THRESHOLDS, settle_gc


def test_settle_gc_freezes_start_up_objects_and_sets_thresholds():
    before = gc.get_threshold()
    try:
        settle_gc()
        assert gc.get_freeze_count() > 10_000  # the test process's imports (pytest, the app) are frozen
        assert gc.get_threshold() == GC_THRESHOLDS
        assert gc.get_count()[0] < 100  # a collection just ran
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
    assert gc.get_freeze_count() == 0

"""The WSGI entry point tunes the garbage collector for serving."""

import gc
import importlib

from modelarts_admin import gc_tuning


def test_loading_the_wsgi_application_freezes_start_up_objects_and_raises_the_young_threshold():
    before = gc.get_threshold()
    try:
        importlib.reload(importlib.import_module("modelarts_admin.wsgi"))
        assert gc.get_threshold() == (gc_tuning.YOUNG_THRESHOLD, *gc_tuning.OLDER_THRESHOLDS)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)

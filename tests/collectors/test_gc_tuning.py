"""A collector-only process collects garbage rarely, and only young objects."""

from __future__ import annotations

import subprocess
import sys


def test_tune_gc_for_ingest_freezes_startup_objects_and_raises_thresholds():
    code = (
        "import gc; from collectors.service import tune_gc_for_ingest, INGEST_GC_THRESHOLDS; "
        "before = gc.get_threshold(); tune_gc_for_ingest(); "
        "print(before != INGEST_GC_THRESHOLDS, gc.get_threshold() == INGEST_GC_THRESHOLDS, gc.get_freeze_count() > 1000)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=".")
    assert out.stdout.split() == ["True", "True", "True"]

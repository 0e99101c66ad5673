"""The freshness planner benchmark in quick mode: the data equals the fake platform's truth, and fewer API calls."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCHMARK = Path(__file__).resolve().parent.parent / "benchmarks" / "freshness_planner.py"


def test_quick_benchmark_keeps_the_data_exact_with_fewer_calls() -> None:
    done = subprocess.run([sys.executable, str(BENCHMARK), "--quick", "--jobs", "1"], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "OK: settled days equal the truth in both stores" in done.stdout
    total = re.search(r"^all\s+(\d+)\s+(\d+)\s+(-?\d+)%", done.stdout, re.MULTILINE)
    assert total is not None, done.stdout
    on, off = int(total.group(1)), int(total.group(2))
    assert 0 < on < off  # the planner fetched less than the whole lookback every run
    meta = re.search(r"^meta_ads\s+(\d+)\s+(\d+)", done.stdout, re.MULTILINE)
    assert meta is not None and int(meta.group(1)) * 2 < int(meta.group(2))  # paged: more than half saved

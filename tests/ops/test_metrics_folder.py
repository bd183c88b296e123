"""The shared metrics folder: counters of finished processes stay summed, dead gauges go."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest, multiprocess

COUNT = """
import sys
from cloudcity.metrics_folder import use_shared_folder
assert use_shared_folder(sys.argv[1]) is not None
from prometheus_client import Counter, Gauge
Counter("cloudcity_test_done", "Done.").inc(3)
Gauge("cloudcity_test_alive", "Alive.", multiprocess_mode="livesum").set(1)
"""
# What `cloudcity worker` (and `cloudcity serve --prod`) do first.
START = """
import sys
from cloudcity.metrics_folder import use_shared_folder
assert use_shared_folder(sys.argv[1]) is not None
"""


def _run(code: str, var_dir: Path) -> None:
    subprocess.run([sys.executable, "-c", code, str(var_dir)], check=True, timeout=60)


def _scrape(folder: Path) -> str:
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(folder))  # type: ignore[no-untyped-call]
    return generate_latest(registry).decode()


def test_a_counter_of_a_finished_process_still_shows_after_a_worker_starts(
    tmp_path: Path,
) -> None:
    _run(COUNT, tmp_path)
    folder = tmp_path / "metrics"
    assert "cloudcity_test_alive 1.0" in _scrape(folder)
    _run(START, tmp_path)
    _run(START, tmp_path)
    scraped = _scrape(folder)
    assert "cloudcity_test_done_total 3.0" in scraped
    assert "cloudcity_test_alive" not in scraped  # its process is dead: its live gauge went

"""Where processes of one machine keep their Prometheus counters (multiprocess mode).

prometheus_client chooses, when first imported, between counters in memory and counters in
files under PROMETHEUS_MULTIPROC_DIR; so `use_shared_folder` runs before that import (before
gunicorn forks, at the start of `cloudcity worker`), and this module imports nothing of it.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from pathlib import Path

log = logging.getLogger(__name__)
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# Gauges that stand for a live process (`multiprocess_mode="live..."`): prometheus_client's
# `mark_process_dead` removes exactly these; every other file is a count to keep.
LIVE_GAUGE = re.compile(r"^gauge_live[a-z]*_(\d+)\.db$")


def use_shared_folder(var_dir: str) -> Path | None:
    """Make this process (and those it forks) keep counters in `<var_dir>/metrics`.

    Counters of processes that are gone stay: a scrape adds them up, so removing them would
    make a shared total go backwards. Only the live gauges of dead processes are removed, as
    `mark_process_dead` does. Too late once prometheus_client is imported (say, a command run
    inside a test): then counters stay in memory and None is answered.
    """
    if "prometheus_client" in sys.modules:
        log.info("prometheus_client is loaded already: counters stay in this process's memory")
        return None
    folder = Path(var_dir) / "metrics"
    folder.mkdir(parents=True, exist_ok=True)
    for gauge in folder.glob("gauge_live*.db"):
        found = LIVE_GAUGE.match(gauge.name)
        if found is not None and not _alive(int(found.group(1))):
            gauge.unlink(missing_ok=True)
    os.environ[MULTIPROC_ENV] = str(folder)
    return folder


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # a live gauge of an earlier process that had this pid
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

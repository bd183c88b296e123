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
PID_IN_NAME = re.compile(r"_(\d+)\.db$")


def use_shared_folder(var_dir: str) -> Path | None:
    """Make this process (and those it forks) keep counters in `<var_dir>/metrics`.

    Files of processes that are gone are removed first, so a restart starts the counts
    afresh; a live worker's files stay. Too late once prometheus_client is imported (say,
    a command run inside a test): then counters stay in memory and None is answered.
    """
    if "prometheus_client" in sys.modules:
        log.info("prometheus_client is loaded already: counters stay in this process's memory")
        return None
    folder = Path(var_dir) / "metrics"
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        found = PID_IN_NAME.search(stale.name)
        if found is None or not _alive(int(found.group(1))):
            stale.unlink(missing_ok=True)
    os.environ[MULTIPROC_ENV] = str(folder)
    return folder


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # this process starts afresh: what it left before is history
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

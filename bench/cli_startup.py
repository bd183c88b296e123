"""Time `cloudcity --help` (and `cloudcity chat --help`) from process start to exit.

    .venv/bin/python -m bench.cli_startup          # 10 runs of each
    .venv/bin/python -m bench.cli_startup -n 3     # a quick check

Each run is a fresh process of this checkout's `.venv/bin/cloudcity`, so the figure is what a
baker waits for: interpreter start, imports, click. The target is under one second; the CLI
imports SQLAlchemy, pydantic and the rest only inside the command that needs them.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

CLOUDCITY = Path(sys.executable).with_name("cloudcity")
COMMANDS = (["--help"], ["chat", "--help"], ["admin", "--help"])


def run_once(arguments: list[str]) -> float:
    """Milliseconds for one `cloudcity ARGS` to start, print and exit."""
    start = time.perf_counter()
    subprocess.run([str(CLOUDCITY), *arguments], check=True, capture_output=True)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10, help="runs per command (default 10)")
    runs = parser.parse_args().n
    run_once(["--help"])  # warm the file cache and the bytecode
    for arguments in COMMANDS:
        timings = sorted(run_once(arguments) for _ in range(runs))
        print(
            f"cloudcity {' '.join(arguments):<14} p50 {statistics.median(timings):7.1f} ms"
            f"   max {timings[-1]:7.1f} ms   ({runs} runs)"
        )


if __name__ == "__main__":
    main()

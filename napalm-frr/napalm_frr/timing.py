"""Optional phase timings of the driver, for benchmarks: when the environment names a file in
NAPALM_FRR_TIMING, every call of a timed method appends one JSON line {"phase", "seconds",
"pid"}; "import" is the time from the interpreter's start to this module's import (Python
start-up plus the napalm import). Off (no file, no cost) otherwise."""
from __future__ import annotations

import functools
import json
import os
import time

_FILE = os.environ.get("NAPALM_FRR_TIMING")


def _write(phase: str, seconds: float) -> None:
    with open(_FILE, "a") as f:
        f.write(json.dumps({"phase": phase, "seconds": round(seconds, 4), "pid": os.getpid()}) + "\n")


def _process_age() -> float:
    """Seconds since this process started (Linux /proc), or 0 when unknown."""
    try:
        with open("/proc/self/stat") as f:
            start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
        return max(0.0, uptime - start_ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return 0.0


def mark_import() -> None:
    if _FILE:
        _write("import", _process_age())


def timed(cls, names):
    """Wrap cls's methods `names` so that each call is timed (only when NAPALM_FRR_TIMING is set)."""
    if not _FILE:
        return cls
    for name in names:
        fn = getattr(cls, name)

        @functools.wraps(fn)
        def wrapper(self, *a, __fn=fn, __name=name, **kw):
            t0 = time.monotonic()
            try:
                return __fn(self, *a, **kw)
            finally:
                _write(__name, time.monotonic() - t0)
        setattr(cls, name, wrapper)
    return cls

"""commit_config(revert_in=N): a detached process (its own session, so it outlives the
client that committed, even kill -9) restores the pre-commit configuration after N
seconds unless confirm_commit() removed the pending file first. It runs on the machine
that ran the driver: a vtysh-only login offers no timer on the router itself.

    python -m napalm_frr.revert <pending.json>
"""
from __future__ import annotations

import fcntl
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from contextlib import contextmanager


class StateFiles:
    """Per-router files: <host>_<port>.rollback (pre-commit config), .pending.json, .lock."""

    def __init__(self, state_dir, host: str, port: int):
        base = state_dir or os.path.join(os.environ.get("XDG_STATE_HOME") or os.path.expanduser("~/.local/state"), "napalm-frr")
        self.dir = base
        stem = os.path.join(base, "%s_%d" % (host.replace("/", "_"), port))
        self.rollback_path, self.pending_path, self.lock_path = stem + ".rollback", stem + ".pending.json", stem + ".lock"
        self.log_path = stem + ".revert.log"

    def _mkdir(self):
        os.makedirs(self.dir, mode=0o700, exist_ok=True)

    @contextmanager
    def locked(self):
        self._mkdir()
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _write(self, path: str, text: str):
        self._mkdir()
        tmp = path + ".tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)

    def save_rollback(self, config: str):
        self._write(self.rollback_path, config)

    def rollback_config(self):
        try:
            with open(self.rollback_path) as f:
                return f.read()
        except FileNotFoundError:
            return None

    def pending(self):
        try:
            with open(self.pending_path) as f:
                return json.load(f)
        except FileNotFoundError:
            return None

    def write_pending(self, doc: dict):
        self._write(self.pending_path, json.dumps(doc))

    def drop_pending(self):
        try:
            os.unlink(self.pending_path)
        except FileNotFoundError:
            pass


def arm(state: StateFiles, seconds: int, conn: dict) -> int:
    """Start the revert timer; returns the reverter's pid."""
    token = secrets.token_hex(8)
    with state.locked():
        state.write_pending({"token": token, "deadline": time.time() + seconds, "connection": conn, "pid": None})
        log = open(state.log_path, "a")
        proc = subprocess.Popen([sys.executable, "-m", "napalm_frr.revert", state.pending_path],
                                stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True, close_fds=True)
        log.close()
        doc = state.pending()
        doc["pid"] = proc.pid
        state.write_pending(doc)
    return proc.pid


def _is_reverter(pid: int) -> bool:
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return b"napalm_frr.revert" in f.read()
    except OSError:
        return False


def disarm(state: StateFiles) -> bool:
    """Cancel a pending revert (confirm); False when none was pending."""
    with state.locked():
        doc = state.pending()
        if doc is None:
            return False
        state.drop_pending()
    pid = doc.get("pid")
    if pid and _is_reverter(pid):
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    return True


def main(pending_path: str) -> int:
    with open(pending_path) as f:
        doc = json.load(f)
    token = doc["token"]
    time.sleep(max(0.0, doc["deadline"] - time.time()))
    from napalm_frr.frr import FRRDriver
    conn = doc["connection"]
    drv = FRRDriver(conn["hostname"], conn["username"], conn["password"], conn["timeout"], conn["optional_args"])
    with drv.state.locked():
        cur = drv.state.pending()
        if cur is None or cur.get("token") != token:
            return 0                       # confirmed (or superseded) meanwhile
        config = drv.state.rollback_config()
        for attempt in range(3):
            try:
                drv.open()
                drv._restore(config)
                drv.close()
                break
            except Exception as e:          # keep trying briefly: the router may be busy
                print("%s revert attempt %d failed: %s" % (time.strftime("%FT%TZ", time.gmtime()), attempt + 1, e), flush=True)
                time.sleep(2)
        else:
            return 1
        drv.state.drop_pending()
        print("%s reverted %s (not confirmed in time)" % (time.strftime("%FT%TZ", time.gmtime()), conn["hostname"]), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

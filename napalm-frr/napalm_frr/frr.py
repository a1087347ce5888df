"""FRRDriver: NAPALM's NetworkDriver for FRRouting, over SSH into vtysh (as on hardware).

optional_args: port, key_file, proxy_command, known_hosts, host_key_checking (default
True), vtysh_prefix (for a Linux shell login, e.g. "sudo vtysh"), state_dir (rollback and
revert-timer files, default ~/.local/state/napalm-frr), frr_reload (path of frr-reload.py).
"""
from __future__ import annotations

import json
import os
import re

from napalm.base import NetworkDriver
from napalm.base.exceptions import (CommitConfirmException, CommitError, ConnectionException,
                                    MergeConfigException, ReplaceConfigException)

from napalm_frr import diff, parse, revert, timing
from napalm_frr.transport import TransportError, VtyshSession, one_line

# vtysh reports a rejected line with "% ..." (Unknown command, Specify remote-as ...)
_REJECTED = re.compile(r"^\s*%\s*\S", re.M)


class FRRDriver(NetworkDriver):
    """NAPALM driver for FRR (vtysh)."""

    platform = "frr"

    def __init__(self, hostname, username, password, timeout=60, optional_args=None):
        self.hostname, self.username, self.password, self.timeout = hostname, username, password, int(timeout)
        self.opts = dict(optional_args or {})
        self.session: VtyshSession | None = None
        self.candidate: str | None = None
        self.replace = False
        self.frr_reload = self.opts.get("frr_reload", diff.FRR_RELOAD)
        self.state = revert.StateFiles(self.opts.get("state_dir"), hostname, int(self.opts.get("port", 22)))

    # ------------------------------------------------------------ connection
    def open(self):
        self.session = VtyshSession(self.hostname, self.username, self.password, self.timeout, self.opts)
        try:
            self.session.open()
        except TransportError as e:
            raise ConnectionException(str(e)) from e

    def close(self):
        if self.session:
            self.session.close()

    def is_alive(self):
        return {"is_alive": bool(self.session and self.session.alive())}

    def _cmd(self, command: str) -> str:
        if not self.session:
            raise ConnectionException("not connected: call open() first")
        try:
            rc, out = self.session.run(command)
        except TransportError as e:
            raise ConnectionException(str(e)) from e
        if rc != 0 or _REJECTED.search(out):
            raise CommandRejected("%s: %r: %s" % (self.hostname, command.split("\n")[0], one_line(out) or "exit %d" % rc),
                                  one_line(out) or "exit %d" % rc)
        return out

    def _json(self, command: str) -> dict:
        return parse.loads(self._cmd(command), command)

    def cli(self, commands, encoding="text"):
        return {c: self._cmd(c) for c in commands}

    # ------------------------------------------------------------ getters
    def _running(self) -> str:
        return parse.running_text(self._cmd("show running-config"))

    def _bgp_ids(self):
        s = self._json("show bgp summary json").get("ipv4Unicast") or {}
        asn = re.search(r"^router bgp (\d+)", self._running(), re.M)
        return str(s.get("routerId", "")), int(s.get("as") or (asn.group(1) if asn else 0))

    def get_facts(self):
        ver, host = parse.version(self._cmd("show version"))
        ifs = sorted(self._json("show interface json"))
        return {"uptime": parse.uptime_seconds(self._cmd("show zebra client summary")), "vendor": parse.VENDOR,
                "os_version": ver, "serial_number": "", "model": "FRR", "hostname": host, "fqdn": host,
                "interface_list": ifs}

    def get_interfaces(self):
        return parse.interfaces(self._json("show interface json"))

    def get_interfaces_ip(self):
        return parse.interfaces_ip(self._json("show interface json"))

    def get_bgp_neighbors(self):
        rid, asn = self._bgp_ids()
        return parse.bgp_neighbors(self._json("show bgp neighbors json"), rid, asn)

    def get_bgp_neighbors_detail(self, neighbor_address=""):
        rid, asn = self._bgp_ids()
        nbrs = self._json("show bgp neighbors json")
        if neighbor_address:
            nbrs = {k: v for k, v in nbrs.items() if k == neighbor_address}
        return parse.bgp_neighbors_detail(nbrs, rid, asn)

    def get_config(self, retrieve="all", full=False, sanitized=False):
        cfg = {"running": "", "candidate": "", "startup": ""}
        if retrieve in ("all", "running"):
            cfg["running"] = self._running()
        if retrieve in ("all", "candidate"):
            cfg["candidate"] = self.candidate or ""
        if retrieve in ("all", "startup"):
            cfg["startup"] = parse.running_text(self._cmd("show startup-config")) if self.opts.get("startup_config") else ""
        return {k: parse.sanitize(v) for k, v in cfg.items()} if sanitized else cfg

    # ------------------------------------------------------------ configuration
    def _load(self, filename, config, replace: bool, exc):
        if filename:
            with open(filename) as f:
                config = f.read()
        if not config or not config.strip():
            raise exc("%s: empty candidate configuration" % self.hostname)
        self.candidate, self.replace = config, replace
        try:
            diff.parse(config, self.frr_reload, strict=True, running=self._running())
        except Exception as e:
            self.candidate = None
            raise exc("%s: the candidate does not parse: %s" % (self.hostname, one_line(str(e)))) from e

    def load_merge_candidate(self, filename=None, config=None):
        self._load(filename, config, False, MergeConfigException)

    def load_replace_candidate(self, filename=None, config=None):
        self._load(filename, config, True, ReplaceConfigException)

    def _plan(self):
        if self.candidate is None:
            return "", []
        return diff.plan(self._running(), self.candidate, self.replace, self.frr_reload)

    def compare_config(self):
        return self._plan()[0]

    def discard_config(self):
        self.candidate, self.replace = None, False

    def _apply(self, blocks) -> None:
        """One exec per change, so that a rejection names the line the router refused. A
        refused deletion is passed over (as frr-reload.py does: deleting a neighbor's
        remote-as takes its other lines with it); the result is checked afterwards."""
        for delete, block in blocks:
            try:
                self._cmd(block)
            except CommandRejected as e:
                if delete:
                    continue
                lines = [l.strip() for l in block.split("\n")[1:-1]]
                raise CommandRejected("%s rejected '%s': %s" % (self.hostname, " / ".join(lines), e.output)) from e

    def commit_config(self, message="", revert_in=None):
        if self.candidate is None:
            raise CommitError("%s: nothing to commit (load a candidate first)" % self.hostname)
        if self.has_pending_commit():
            raise CommitError("%s: a commit waits for confirmation: confirm_commit() or rollback() first" % self.hostname)
        before = self._running()
        _, script = self._plan()
        try:
            self._apply(script)
            left = self._plan()[0] if self.replace else ""
            if left:
                raise CommandRejected("%s: the running configuration still differs from the candidate after the commit: %s"
                                      % (self.hostname, one_line(left)))
        except CommandRejected as e:
            self._restore(before)
            raise CommitError("%s; nothing kept (the configuration was restored)" % e) from e
        self.state.save_rollback(before)
        self.discard_config()
        if revert_in:
            revert.arm(self.state, int(revert_in), self._connection_args())

    def _restore(self, config: str) -> None:
        _, script = diff.plan(self._running(), config, True, self.frr_reload, strict=False)
        self._apply(script)
        left, _ = diff.plan(self._running(), config, True, self.frr_reload, strict=False)
        if left:
            raise CommitError("%s: could not restore the configuration, still differs: %s" % (self.hostname, one_line(left)))

    def _connection_args(self) -> dict:
        return {"hostname": self.hostname, "username": self.username, "password": self.password,
                "timeout": self.timeout, "optional_args": self.opts}

    def has_pending_commit(self):
        return self.state.pending() is not None

    def confirm_commit(self):
        if not revert.disarm(self.state):
            raise CommitConfirmException("%s: no commit waits for confirmation (or it was already reverted)" % self.hostname)

    def rollback(self):
        config = self.state.rollback_config()
        if config is None:
            raise CommitError("%s: nothing to roll back to (no commit was made through this driver)" % self.hostname)
        revert.disarm(self.state)
        self._restore(config)


class CommandRejected(CommitError):
    """vtysh rejected a command; the message holds the router's full reason (.output)."""

    def __init__(self, msg: str, output: str = ""):
        super().__init__(msg)
        self.output = output


# benchmarks: NAPALM_FRR_TIMING=<file> records where the time goes (napalm_frr/timing.py)
timing.mark_import()
timing.timed(FRRDriver, ["open", "close", "get_config", "get_bgp_neighbors", "get_bgp_neighbors_detail", "get_facts",
                         "load_merge_candidate", "load_replace_candidate", "compare_config", "commit_config", "discard_config"])


def driver_state(driver: FRRDriver) -> str:
    """The driver's state files as JSON (for tests and diagnostics)."""
    return json.dumps({"pending": driver.state.pending(), "rollback": os.path.exists(driver.state.rollback_path)})

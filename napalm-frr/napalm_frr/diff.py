"""Configuration diffs computed with FRR's own reload logic (frr-reload.py, Debian package
frr-pythontools): its parser (vtysh -m, run locally, no daemon needed) and its
compare_context_objects, as frr-reload.py --test does on an FRR host."""
from __future__ import annotations

import importlib.machinery
import importlib.util
import logging
import os
import re
import subprocess
import tempfile
import warnings

FRR_RELOAD = "/usr/lib/frr/frr-reload.py"
_MODULES: dict = {}


class DiffToolMissing(Exception):
    """frr-reload.py or vtysh is not installed on the machine running the driver."""


def _reload_module(path: str = FRR_RELOAD):
    if path not in _MODULES:
        if not os.path.isfile(path):
            raise DiffToolMissing("%s not found: install FRR's python tools on this machine "
                                  "(Debian/Ubuntu: apt-get install frr-pythontools)" % path)
        loader = importlib.machinery.SourceFileLoader("napalm_frr_frr_reload", path)
        spec = importlib.util.spec_from_loader(loader.name, loader)
        mod = importlib.util.module_from_spec(spec)
        with warnings.catch_warnings():     # its regexes have invalid escapes (py3.12 warns)
            warnings.simplefilter("ignore")
            loader.exec_module(mod)
        mod.log = logging.getLogger("napalm_frr.frr_reload")
        _MODULES[path] = mod
    return _MODULES[path]


class _Marker:
    """vtysh -m (mark a config file into contexts) that skips what this vtysh cannot parse.

    The router may accept lines the local vtysh does not know (e.g. FRR 8.4's "log extended"
    block, accepted only in a daemon's own file): such a line and its indented children are
    left out of the diff, i.e. never changed. Their text is in .skipped."""

    def __init__(self, bindir: str, strict: bool = False, known=()):
        self.vtysh, self.strict, self.known = os.path.join(bindir, "vtysh"), strict, set(known)
        self.skipped: list = []

    def mark_file(self, filename: str) -> str:
        with open(filename) as f:
            lines = f.read().split("\n")
        for _ in range(200):
            with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
                f.write("\n".join(lines))
                name = f.name
            try:
                p = subprocess.run([self.vtysh, "-m", "-f", name], capture_output=True, text=True, timeout=30)
            finally:
                os.unlink(name)
            if p.returncode == 0:
                return p.stdout
            m = re.search(r"line (\d+): (.*)", p.stderr)
            if self.strict and not (m and 0 < int(m.group(1)) <= len(lines) and lines[int(m.group(1)) - 1].rstrip() in self.known):
                raise CandidateError(" | ".join(l.strip() for l in p.stderr.splitlines() if l.strip()))
            if not m or not (0 < int(m.group(1)) <= len(lines)):
                raise DiffToolMissing("vtysh -m failed (exit %d): %s" % (p.returncode, p.stderr.strip()[:300]))
            i = int(m.group(1)) - 1
            indent = len(lines[i]) - len(lines[i].lstrip())
            j = i + 1
            while j < len(lines) and lines[j].strip() and len(lines[j]) - len(lines[j].lstrip()) > indent:
                j += 1
            self.skipped.extend(lines[i:j])
            del lines[i:j]
        raise DiffToolMissing("vtysh -m: too many lines it cannot parse")


class Block(tuple):
    """One change (delete: bool, vtysh text from configure terminal to end)."""

    def __new__(cls, delete: bool, text: str):
        return super().__new__(cls, (delete, text))


class CandidateError(Exception):
    """A candidate line that FRR's parser rejects."""


def parse(text: str, frr_reload: str = FRR_RELOAD, bindir: str = "/usr/bin", strict: bool = False, running: str = ""):
    """An frr-reload Config object of a configuration text. strict: refuse lines FRR's parser
    does not know, unless the same line is in the running config (kept as it is)."""
    mod = _reload_module(frr_reload)
    if not os.path.isfile(os.path.join(bindir, "vtysh")):
        raise DiffToolMissing("%s/vtysh not found: install FRR (apt-get install frr) on this machine" % bindir)
    cfg = mod.Config(_Marker(bindir, strict, (l.rstrip() for l in running.split("\n"))))
    with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
        f.write(clean(text))
        name = f.name
    try:
        cfg.load_from_file(name)
    finally:
        os.unlink(name)
    return cfg


def clean(text: str) -> str:
    """Configuration text without show-running's header, comment and end lines."""
    out = []
    for l in (text or "").replace("\r", "").split("\n"):
        s = l.strip()
        if s in ("Building configuration...", "Current configuration:", "!", "end", "") or s.startswith("!"):
            continue
        out.append(l.rstrip())
    return "\n".join(out) + "\n"


def _changes(cand, running, replace: bool, frr_reload: str):
    mod = _reload_module(frr_reload)
    if replace:
        add, dele = mod.compare_context_objects(cand, running)
        return [(k, l) for k, l in add if l != "!"], [(k, l) for k, l in dele if l != "!"]
    add = []
    for keys, ctx in cand.contexts.items():
        cur = running.contexts.get(keys)
        if cur is None and not ctx.lines:
            add.append((keys, None))
        for line in ctx.lines:
            if cur is None or line not in cur.lines:
                add.append((keys, line))
    return add, []


def plan(running_text: str, candidate_text: str, replace: bool, frr_reload: str = FRR_RELOAD, bindir: str = "/usr/bin",
         strict: bool = True):
    """(diff text, [vtysh blocks]) that turn the running config into the candidate (replace)
    or add the candidate's missing lines (merge): "" and [] when nothing changes. Each block
    is one change, from configure terminal to end. strict: refuse candidate lines FRR's
    parser does not know (False when restoring a configuration read from the router)."""
    mod = _reload_module(frr_reload)
    running = parse(running_text, frr_reload, bindir)
    cand = parse(candidate_text, frr_reload, bindir, strict=strict, running=running_text)
    add, dele = _changes(cand, running, replace, frr_reload)
    diff, script, last_ctx = [], [], None
    for sign, changes, delete in (("-", dele, True), ("+", add, False)):
        for keys, line in changes:
            shown = mod.lines_to_config(list(keys), line, False)
            depth = len(keys) - (0 if line else 1)
            ctx = shown[:depth]
            if ctx != last_ctx:
                diff.extend(" " + c for c in ctx)
                last_ctx = ctx
            diff.extend(sign + c for c in shown[depth:])
            # every change from the top level: a block left open cannot swallow the next line
            script.append(Block(delete, "\n".join(["configure terminal"] + mod.lines_to_config(list(keys), line, delete) + ["end"])))
    return "\n".join(diff), script

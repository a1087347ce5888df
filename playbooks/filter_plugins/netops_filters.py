# -*- coding: utf-8 -*-
"""Filters shared by the netops playbooks (loaded automatically: playbook-adjacent
filter_plugins/).

Parameter checking lives here so that every playbook refuses the same things, whatever
the runtime validated before. Everything returned that was derived from a parameter is
wrapped as unsafe, so Jinja never evaluates user text.
"""
from __future__ import annotations

import difflib
import ipaddress
import json
import re
import unicodedata

from ansible.errors import AnsibleFilterError
from ansible.utils.unsafe_proxy import wrap_var

# Free text (descriptions, secrets) travels through an interactive CLI session
# (network_cli). Refused, because they would break that session or a later "show":
#  - control and line-separator characters (a new config line);
#  - "?" (the help key of vtysh, IOS, EOS: never typed through), "#" and ">" (they end a
#    prompt: the CLI reader could stop in the middle of an echoed line);
#  - text that the platform's terminal plugin (terminal_stderr_re) reports as an error,
#    e.g. "% Unknown command" or "... not found" for frr.frr.frr.
_CLI_BREAKING_CHARS = set("?#>")
# used when the platform's terminal plugin cannot be loaded
_GENERIC_ERROR_PATTERNS = [
    re.compile(p, re.I)
    for p in (
        r"% ?(?:command incomplete|unknown command|invalid input|error|bad secret|can't find|ambiguous command|incomplete command)",
        r"% (?:Create|Specify) .* first",
        r"invalid input",
        r"(?:incomplete|ambiguous) command",
        r"unknown command",
        r"syntax error",
        r"[^\r\n]+ not found",
        r"(?:\S+) is not running",
        r"instance is already running",
        r"connection timed out",
        r"[\r\n]error:",
    )
]
_TERMINAL_PATTERNS: dict = {}


def _error_patterns(network_os):
    """terminal_stderr_re of the platform's terminal plugin (bytes regexes), or None."""
    if not network_os:
        return None
    if network_os not in _TERMINAL_PATTERNS:
        pats = None
        try:
            from ansible.plugins.loader import terminal_loader
            cls = terminal_loader.get(network_os, class_only=True)
            if cls is not None:
                pats = list(getattr(cls, "terminal_stderr_re", []) or [])
        except Exception:
            pats = None
        _TERMINAL_PATTERNS[network_os] = pats
    return _TERMINAL_PATTERNS[network_os]


_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\Z")
_IFNAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:/-]{0,63}\Z")
_PATH_RE = re.compile(r"/[A-Za-z0-9_./-]{0,254}\Z")
_ASN_RE = re.compile(r"[0-9]{1,10}\Z")

MASK = "********"
# config text that carries a secret: "<keyword> <secret>" at the start of a line (after an
# optional diff marker / indentation) or after a prompt or blank (echoed CLI lines)
_SECRET_LINE_RE = re.compile(
    r"((?:^|(?<=[\s#>]))[-+]?\s*(?:no\s+)?(?:neighbor\s+\S+\s+password|(?:enable\s+)?password|(?:enable\s+)?secret"
    r"|key-string|authentication-key|key\s+\d+)\s+)\S[^\r\n]*", re.M)


def _is_str(v) -> bool:
    return isinstance(v, str)


def _bad_chars(s: str, network_os=None) -> list[str]:
    """Why a free-text value cannot be sent to a CLI ([] when it can)."""
    errs = []
    for ch in s:
        cat = unicodedata.category(ch)
        if ord(ch) < 0x20 or ord(ch) == 0x7F or cat in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"):
            errs.append("contains a control or line-separator character (U+%04X)" % ord(ch))
            break
    bad = sorted(_CLI_BREAKING_CHARS.intersection(s))
    if bad:
        errs.append("contains %s (CLI help/prompt characters)" % " ".join(repr(c) for c in bad))
    pats = _error_patterns(network_os)
    if pats is not None:
        data = s.encode("utf-8")
        for pat in pats:
            if pat.search(data if isinstance(pat.pattern, bytes) else s):
                errs.append("contains text that the %s CLI session reports as an error (%s)"
                            % (network_os, pat.pattern.decode() if isinstance(pat.pattern, bytes) else pat.pattern))
                break
    else:
        for pat in _GENERIC_ERROR_PATTERNS:
            if pat.search(s):
                errs.append("contains text that network CLIs report as an error (%s)" % pat.pattern)
                break
    return errs


def _check(kind: str, name: str, v, network_os=None):
    """Return (normalized value, [errors])."""
    if kind == "name":
        if not _is_str(v) or not _NAME_RE.match(v):
            return None, ["%s must be a site or router name ([A-Za-z0-9_.-], max 64)" % name]
        return v, []
    if kind == "ip":
        if not _is_str(v) or not re.match(r"[0-9A-Fa-f:.]{2,45}\Z", v):
            return None, ["%s must be an IPv4 or IPv6 address" % name]
        try:
            ip = ipaddress.ip_address(v)
        except ValueError:
            return None, ["%s must be an IPv4 or IPv6 address" % name]
        if ip.is_unspecified or ip.is_multicast or ip.is_loopback:
            return None, ["%s must be a unicast peer address" % name]
        return str(ip), []
    if kind == "asn":
        if isinstance(v, bool) or not (isinstance(v, int) or (_is_str(v) and _ASN_RE.match(v))):
            return None, ["%s must be an AS number (1-4294967295)" % name]
        n = int(v)
        if not 1 <= n <= 4294967295:
            return None, ["%s must be an AS number (1-4294967295)" % name]
        return n, []
    if kind == "description":
        if not _is_str(v):
            return None, ["%s must be a string" % name]
        # CLIs store the words of a description separated by single spaces
        norm = re.sub(r" +", " ", v).strip(" ")
        errs = _bad_chars(v, network_os)
        if not errs and not norm:
            errs.append("is empty")
        if len(norm) > 80:
            errs.append("is longer than 80 characters")
        return (norm if not errs else None), ["%s %s" % (name, e) for e in errs]
    if kind == "secret":
        if not _is_str(v) or not re.match(r"[!-~]{1,80}\Z", v):
            return None, ["%s must be 1-80 printable ASCII characters without spaces" % name]
        errs = ["%s %s" % (name, e) for e in _bad_chars(v, network_os)]
        return (v if not errs else None), errs
    if kind == "ifname":
        if not _is_str(v) or not _IFNAME_RE.match(v):
            return None, ["%s must be an interface name ([A-Za-z0-9_.:/-], max 64)" % name]
        return v, []
    if kind == "updown":
        if v not in ("up", "down"):
            return None, ["%s must be up or down" % name]
        return str(v), []
    if kind == "path":
        if not _is_str(v) or not _PATH_RE.match(v) or any(p in ("..", ".") for p in v.split("/")):
            return None, ["%s must be an absolute path of [A-Za-z0-9_./-] without . or .. parts" % name]
        return v.rstrip("/") or "/", []
    raise AnsibleFilterError("netops: unknown parameter kind %r" % kind)


def netops_params(params, spec, network_os=None):
    """Check and normalize the task parameters against a spec.

    spec: {name: {kind: ip|asn|name|description|secret|ifname|updown|path, required: bool}}
    network_os: the host's ansible_network_os (free text is checked against its CLI).
    Returns {"errors": [...], "values": {name: normalized or None}}. Parameters the spec
    does not name are ignored; None counts as absent."""
    if not isinstance(params, dict):
        return {"errors": ["params must be a mapping"], "values": {}}
    errors, values = [], {}
    for name, s in spec.items():
        v = params.get(name)
        if v is None or (v == "" and not s.get("required")):
            if s.get("required"):
                errors.append("parameter %s is required" % name)
            values[name] = None
            continue
        norm, errs = _check(s["kind"], name, v, network_os)
        errors.extend(errs)
        values[name] = norm
    return wrap_var({"errors": errors, "values": values})


def netops_mask(commands):
    """Hide secrets in config lines (neighbor ... password X, etc.)."""
    def one(line):
        return _SECRET_LINE_RE.sub(lambda m: m.group(1) + MASK, line)
    if commands is None:
        return []
    if isinstance(commands, str):
        return wrap_var("\n".join(one(l) for l in commands.split("\n")))
    return wrap_var([one(l) for l in commands])


# ---------------------------------------------------------------- FRR running-config
def _lines(running: str) -> list[str]:
    return [l.rstrip("\r") for l in (running or "").split("\n")]


def netops_frr_bgp_asn(running):
    """Local AS of the default-VRF "router bgp" (None when there is none)."""
    for l in _lines(running):
        m = re.match(r"router bgp (\d+)\s*$", l)
        if m:
            return int(m.group(1))
    return None


def netops_frr_section(running, header):
    """The indented lines under a top-level line of the running config."""
    out, inside = [], False
    for l in _lines(running):
        if inside:
            if l.startswith(" "):
                out.append(l)
                continue
            break
        if l == header:
            inside = True
    return out


def _neighbor(block, ip):
    pre = " neighbor %s " % ip
    lines = [l for l in block if l.startswith(pre)]
    info = {"exists": bool(lines), "remote_as": None, "description": None, "password": None}
    for l in lines:
        rest = l[len(pre):]
        for key in ("remote-as", "description", "password"):
            if rest.startswith(key + " "):
                info[key.replace("-", "_")] = rest[len(key) + 1:]
    return info


def netops_frr_add_peer_plan(running, p):
    """What add_peer has to change on an FRR router.

    Returns {asn, exists, current_as, error, config, rollback_config, lines}; config is
    "" when nothing is missing. rollback_config undoes config (removes a neighbor that
    did not exist, restores changed description/password lines)."""
    asn = netops_frr_bgp_asn(running)
    ip, peer_as = p["ip"], p["as"]
    plan = {"asn": asn, "exists": False, "current_as": None, "error": None,
            "config": "", "rollback_config": "", "lines": []}
    if asn is None:
        plan["error"] = "the device has no 'router bgp' process"
        return wrap_var(plan)
    block = netops_frr_section(running, "router bgp %d" % asn)
    cur = _neighbor(block, ip)
    plan["exists"], plan["current_as"] = cur["exists"], cur["remote_as"]
    if cur["exists"] and cur["remote_as"] != str(peer_as):
        plan["error"] = ("neighbor %s already exists with remote-as %s (asked: %s); "
                         "nothing changed, remove it first" % (ip, cur["remote_as"], peer_as))
        return wrap_var(plan)
    want = [" neighbor %s remote-as %s" % (ip, peer_as)]
    if p.get("description"):
        want.append(" neighbor %s description %s" % (ip, p["description"]))
    if p.get("password"):
        want.append(" neighbor %s password %s" % (ip, p["password"]))
    missing = [l for l in want if l not in block]
    plan["lines"] = [l.strip() for l in missing]
    if missing:
        plan["config"] = "\n".join(["router bgp %d" % asn] + missing)
        if not cur["exists"]:
            back = [" no neighbor %s" % ip]
        else:
            back = []
            for key in ("description", "password"):
                if any(l.startswith(" neighbor %s %s " % (ip, key)) for l in missing):
                    back.append(" neighbor %s %s %s" % (ip, key, cur[key]) if cur[key] is not None
                                else " no neighbor %s %s" % (ip, key))
        plan["rollback_config"] = "\n".join(["router bgp %d" % asn] + back) if back else ""
    return wrap_var(plan)


def netops_frr_remove_peer_plan(running, ip):
    asn = netops_frr_bgp_asn(running)
    plan = {"asn": asn, "exists": False, "config": "", "error": None}
    if asn is None:
        return wrap_var(plan)     # no BGP at all: nothing to remove
    cur = _neighbor(netops_frr_section(running, "router bgp %d" % asn), ip)
    plan["exists"] = cur["exists"]
    if cur["exists"]:
        plan["config"] = "router bgp %d\n no neighbor %s" % (asn, ip)
    return wrap_var(plan)


def _json(text):
    try:
        return json.loads(text) if text and text.strip() else {}
    except ValueError:
        return None


def netops_frr_peer_state(text, ip):
    """bgpState of one neighbor from "show bgp neighbors <ip> json" ("absent" if none)."""
    d = _json(text)
    if not isinstance(d, dict):
        return "absent"
    n = d.get(ip)
    if not isinstance(n, dict):
        return "absent"
    return n.get("bgpState", "unknown")


def _by_address(peers):
    """Peers sorted by address (IPv4 before IPv6, numerically), anything unparsable last."""
    def key(p):
        try:
            a = ipaddress.ip_address(p["peer"])
            return (a.version, int(a), p["peer"])
        except ValueError:
            return (9, 0, p["peer"])
    return sorted(peers, key=key)


def netops_frr_peers(text):
    """Peers from FRR "show bgp neighbors json" in netops' shape."""
    d = _json(text)
    if d is None:
        raise AnsibleFilterError("netops: 'show bgp neighbors json' did not return JSON: %r" % (text or "")[:200])
    peers = []
    for ip, n in d.items():
        if not isinstance(n, dict) or "remoteAs" not in n and "bgpState" not in n:
            continue
        state = n.get("bgpState", "unknown")
        est = state == "Established"
        pfx = 0
        for af in (n.get("addressFamilyInfo") or {}).values():
            if isinstance(af, dict):
                pfx += int(af.get("acceptedPrefixCounter", 0) or 0)
        peers.append({
            "peer": ip,
            "remote_as": n.get("remoteAs"),
            "state": state,
            "uptime": n.get("bgpTimerUpString") if est else None,
            "prefixes_received": pfx if est else 0,
            "description": n.get("nbrDesc"),
        })

    return wrap_var(_by_address(peers))


def netops_frr_interfaces(text):
    """Interfaces from FRR "show interface json": [{name, state, admin_state, addresses}]."""
    d = _json(text)
    if not isinstance(d, dict):
        raise AnsibleFilterError("netops: 'show interface json' did not return JSON")
    out = []
    for name, i in sorted(d.items()):
        if not isinstance(i, dict):
            continue
        out.append({
            "name": name,
            "state": i.get("operationalStatus", "unknown"),
            "admin_state": i.get("administrativeStatus", "unknown"),
            "addresses": [a.get("address") for a in i.get("ipAddresses", []) if isinstance(a, dict) and a.get("address")],
        })
    return wrap_var(out)


def netops_frr_version(text):
    """{version, hostname} from FRR "show version"."""
    m = re.search(r"FRRouting (\S+) \(([^)]*)\)", text or "")
    return wrap_var({"version": m.group(1) if m else None, "hostname": m.group(2) if m else None})


def netops_frr_uptime(text):
    """Routing-stack uptime: the oldest "Connect Time" in "show zebra client summary"
    (the daemons connect to zebra when they start). FRR has no system uptime command."""
    best = None
    for l in (text or "").split("\n"):
        m = re.match(r"(\S+)\s+(\d\d:\d\d:\d\d|\d+d\d\dh\d\dm|\d+w\dd\d\dh)\s", l)
        if m:
            secs = _uptime_secs(m.group(2))
            if best is None or secs > best[0]:
                best = (secs, m.group(2))
    return best[1] if best else None


def _uptime_secs(s):
    m = re.match(r"(\d+):(\d+):(\d+)$", s)
    if m:
        return int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3))
    total = 0
    for n, u in re.findall(r"(\d+)([wdhm])", s):
        total += int(n) * {"w": 604800, "d": 86400, "h": 3600, "m": 60}[u]
    return total


def netops_config_text(text):
    """Running config as saved/compared: CLI output without the volatile header, one
    trailing newline."""
    lines = _lines(text)
    while lines and (lines[0].strip() in ("", "Building configuration...", "Current configuration:")):
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines) + "\n"


def netops_unified_diff(before, after, fromfile="backup", tofile="running", context=3):
    """Unified diff text of two configs ("" when equal); secrets masked."""
    a = (before or "").splitlines(keepends=True)
    b = (after or "").splitlines(keepends=True)
    diff = "".join(difflib.unified_diff(a, b, fromfile=fromfile, tofile=tofile, n=int(context)))
    return wrap_var(netops_mask(diff) if diff else "")


# ---------------------------------------------------------------- NAPALM getters
def netops_one_line(text):
    """A (multi-line) device message as one line: the runtime keeps a failure's first line."""
    return wrap_var(" | ".join(l.strip() for l in str(text if text is not None else "").splitlines() if l.strip()))


def _vrf_peers(bgp):
    return ((bgp or {}).get("global") or {}).get("peers") or {}


def netops_napalm_peer_as(bgp_neighbors, ip):
    """Remote AS of a neighbor in get_bgp_neighbors (global VRF); 0 when not configured."""
    n = _vrf_peers(bgp_neighbors).get(ip)
    return int(n.get("remote_as") or 0) if isinstance(n, dict) else 0


def _details(facts):
    out = {}
    for _as, lst in ((facts or {}).get("napalm_bgp_neighbors_detail") or {}).get("global", {}).items():
        for d in lst or []:
            out[d.get("remote_address")] = d
    return out


def netops_napalm_peer_state(facts, ip):
    """BGP state of a neighbor from napalm_bgp_neighbors_detail ("absent" if none)."""
    d = _details(facts).get(ip)
    return d.get("connection_state") or "unknown" if d else "absent"


def _hms(secs):
    secs = int(secs or 0)
    if secs >= 86400:
        return "%dd%02dh%02dm" % (secs // 86400, secs % 86400 // 3600, secs % 3600 // 60)
    return "%02d:%02d:%02d" % (secs // 3600, secs % 3600 // 60, secs % 60)


def netops_napalm_peers(facts):
    """show_peers' shape from napalm_bgp_neighbors (+ _detail for the state)."""
    det = _details(facts)
    peers = []
    for ip, n in _vrf_peers((facts or {}).get("napalm_bgp_neighbors")).items():
        state = (det.get(ip) or {}).get("connection_state") or ("Established" if n.get("is_up") else "unknown")
        est = state == "Established"
        pfx = sum(int(af.get("accepted_prefixes", 0) or 0) for af in (n.get("address_family") or {}).values())
        peers.append({"peer": ip, "remote_as": n.get("remote_as"), "state": state,
                      "uptime": _hms(n.get("uptime")) if est else None, "prefixes_received": pfx if est else 0,
                      "description": n.get("description") or None})

    return wrap_var(_by_address(peers))


# ---------------------------------------------------------------- compliance (NAPALM validate)
def netops_expected_peers(value):
    """Check the expected peers ([{ip, as}]) of show_compliance: {errors, peers}."""
    if value is None:
        return wrap_var({"errors": ["no expected peers: the runtime passes params.expected_peers (from the source of "
                                    "truth), or set netops_expected_peers: [{ip: ..., as: ...}] in the inventory"], "peers": []})
    if not isinstance(value, (list, tuple)):
        return wrap_var({"errors": ["expected_peers must be a list of {ip, as}"], "peers": []})
    errors, peers = [], []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            errors.append("expected_peers[%d] must be {ip, as}" % i)
            continue
        ip, e1 = _check("ip", "expected_peers[%d].ip" % i, item.get("ip"))
        asn, e2 = _check("asn", "expected_peers[%d].as" % i, item.get("as"))
        errors.extend(e1 + e2)
        if not e1 and not e2:
            peers.append({"ip": ip, "as": asn})
    return wrap_var({"errors": errors, "peers": sorted(peers, key=lambda p: (ipaddress.ip_address(p["ip"]).version, int(ipaddress.ip_address(p["ip"]))))})


def netops_validation_doc(peers):
    """NAPALM validate document: exactly these BGP peers (strict), each with its remote AS."""
    want = {"_mode": "strict"}
    for p in peers:
        want[p["ip"]] = {"remote_as": int(p["as"])}
    return [{"get_bgp_neighbors": {"global": {"peers": want}}}]


def _sub(d, *keys):
    for k in keys:
        d = (d or {}).get(k) or {}
    return d


def netops_compliance(report, expected):
    """show_compliance's result from NAPALM's compliance_report and the expected peers."""
    peers = _sub(report, "get_bgp_neighbors", "present", "global", "diff", "present", "peers", "diff")
    vrf_missing = "global" in (_sub(report, "get_bgp_neighbors").get("missing") or [])
    by_ip = {p["ip"]: p for p in expected}
    missing = set(peers.get("missing") or []) | (set(by_ip) if vrf_missing else set())
    wrong = []
    for ip, r in (peers.get("present") or {}).items():
        if not r.get("complies", True):
            actual = _sub(r, "diff", "present", "remote_as").get("actual_value")
            wrong.append({"ip": ip, "as": by_ip[ip]["as"], "actual": actual})
    return wrap_var({
        "complies": bool((report or {}).get("complies")),
        "expected": expected,
        "missing": [by_ip[ip] for ip in sorted(missing, key=lambda x: int(ipaddress.ip_address(x)))],
        "wrong_as": sorted(wrong, key=lambda w: int(ipaddress.ip_address(w["ip"]))),
        "unexpected": [{"ip": ip, "as": None} for ip in sorted(peers.get("extra") or [], key=lambda x: int(ipaddress.ip_address(x)))],
    })


class FilterModule(object):
    def filters(self):
        return {
            "netops_params": netops_params,
            "netops_mask": netops_mask,
            "netops_frr_bgp_asn": netops_frr_bgp_asn,
            "netops_frr_section": netops_frr_section,
            "netops_frr_add_peer_plan": netops_frr_add_peer_plan,
            "netops_frr_remove_peer_plan": netops_frr_remove_peer_plan,
            "netops_frr_peer_state": netops_frr_peer_state,
            "netops_frr_peers": netops_frr_peers,
            "netops_frr_interfaces": netops_frr_interfaces,
            "netops_frr_version": netops_frr_version,
            "netops_frr_uptime": netops_frr_uptime,
            "netops_config_text": netops_config_text,
            "netops_unified_diff": netops_unified_diff,
            "netops_one_line": netops_one_line,
            "netops_napalm_peer_as": netops_napalm_peer_as,
            "netops_napalm_peer_state": netops_napalm_peer_state,
            "netops_napalm_peers": netops_napalm_peers,
            "netops_expected_peers": netops_expected_peers,
            "netops_validation_doc": netops_validation_doc,
            "netops_compliance": netops_compliance,
        }

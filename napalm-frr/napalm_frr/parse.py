"""FRR command output (vtysh JSON and text) → NAPALM getter structures (napalm.base.models)."""
from __future__ import annotations

import json
import re

VENDOR = "FRRouting"


def loads(text: str, command: str) -> dict:
    try:
        d = json.loads(text) if text.strip() else {}
    except ValueError as e:
        raise ValueError("%r did not return JSON: %s" % (command, text.strip()[:200])) from e
    return d if isinstance(d, dict) else {}


def running_text(text: str) -> str:
    """show running-config without the volatile header; one trailing newline."""
    lines = (text or "").replace("\r", "").split("\n")
    while lines and lines[0].strip() in ("", "Building configuration...", "Current configuration:"):
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines) + "\n"


_SECRET = re.compile(r"^(\s*(?:neighbor \S+ password|password|enable password|ip ospf authentication-key|ip ospf message-digest-key \d+ md5|key-string)\s+)\S.*$", re.M)


def sanitize(config: str) -> str:
    """Replace secrets in a configuration by <removed> (NAPALM's sanitized=True)."""
    return _SECRET.sub(lambda m: m.group(1) + "<removed>", config)


def version(text: str) -> tuple[str, str]:
    """(os_version, hostname) from show version."""
    m = re.search(r"FRRouting (\S+) \(([^)]*)\)", text or "")
    return (m.group(1), m.group(2)) if m else ("", "")


def uptime_seconds(text: str) -> float:
    """Routing-stack uptime: the oldest zebra client connect time (FRR has no system uptime)."""
    best = -1.0
    for l in (text or "").split("\n"):
        m = re.match(r"\S+\s+(\d+):(\d+):(\d+)\s", l)
        secs = None
        if m:
            secs = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3))
        else:
            m = re.match(r"\S+\s+((?:\d+[wdhm])+)\s", l)
            if m:
                secs = sum(int(n) * {"w": 604800, "d": 86400, "h": 3600, "m": 60}[u] for n, u in re.findall(r"(\d+)([wdhm])", m.group(1)))
        if secs is not None and secs > best:
            best = float(secs)
    return best


def interfaces(d: dict) -> dict:
    out = {}
    for name, i in sorted(d.items()):
        if not isinstance(i, dict):
            continue
        out[name] = {
            "is_up": i.get("operationalStatus") == "up",
            "is_enabled": i.get("administrativeStatus") == "up",
            "description": str(i.get("description", "") or ""),
            "last_flapped": -1.0,
            "mtu": int(i.get("mtu", 0) or 0),
            "speed": float(i.get("speed", 0) or 0),
            "mac_address": str(i.get("hardwareAddress", "") or ""),
        }
    return out


def interfaces_ip(d: dict) -> dict:
    out = {}
    for name, i in sorted(d.items()):
        fams: dict = {}
        for a in (i or {}).get("ipAddresses", []) if isinstance(i, dict) else []:
            addr = str(a.get("address", ""))
            if "/" not in addr:
                continue
            ip, plen = addr.split("/", 1)
            fam = "ipv6" if ":" in ip else "ipv4"
            fams.setdefault(fam, {})[ip] = {"prefix_length": int(plen)}
        if fams:
            out[name] = fams
    return out


def _afs(n: dict) -> dict:
    out = {}
    for af, info in (n.get("addressFamilyInfo") or {}).items():
        if not isinstance(info, dict):
            continue
        fam = "ipv6" if af.lower().startswith("ipv6") else "ipv4" if af.lower().startswith("ipv4") else af
        acc = int(info.get("acceptedPrefixCounter", 0) or 0)
        out[fam] = {"received_prefixes": acc, "accepted_prefixes": acc,
                    "sent_prefixes": int(info.get("sentPrefixCounter", 0) or 0)}
    return out


def _uptime(n: dict) -> int:
    return int(n.get("bgpTimerUpMsec", 0) or 0) // 1000 if n.get("bgpState") == "Established" else 0


def bgp_neighbors(nbrs: dict, router_id: str, local_as: int) -> dict:
    peers = {}
    for ip, n in sorted(nbrs.items()):
        if not isinstance(n, dict) or "remoteAs" not in n:
            continue
        peers[ip] = {
            "local_as": int(n.get("localAs", local_as) or local_as),
            "remote_as": int(n["remoteAs"]),
            "remote_id": str(n.get("remoteRouterId", "0.0.0.0")),
            "is_up": n.get("bgpState") == "Established",
            "is_enabled": not n.get("adminShutDown", False) and "Admin" not in str(n.get("bgpState", "")),
            "description": str(n.get("nbrDesc", "") or ""),
            "uptime": _uptime(n),
            "address_family": _afs(n),
        }
    return {"global": {"router_id": router_id, "peers": peers}}


def bgp_neighbors_detail(nbrs: dict, router_id: str, local_as: int) -> dict:
    by_as: dict = {}
    for ip, n in sorted(nbrs.items()):
        if not isinstance(n, dict) or "remoteAs" not in n:
            continue
        ms = n.get("messageStats") or {}
        afs = _afs(n)
        v4 = afs.get("ipv4", {"received_prefixes": 0, "accepted_prefixes": 0, "sent_prefixes": 0})
        by_as.setdefault(int(n["remoteAs"]), []).append({
            "up": n.get("bgpState") == "Established",
            "local_as": int(n.get("localAs", local_as) or local_as),
            "remote_as": int(n["remoteAs"]),
            "router_id": router_id,
            "local_address": str(n.get("hostLocal", "") or ""),
            "routing_table": "global",
            "local_address_configured": "updateSource" in n,
            "local_port": int(n.get("portLocal", 0) or 0),
            "remote_address": ip,
            "remote_port": int(n.get("portForeign", 0) or 0),
            "multihop": bool(n.get("externalBgpNbrMaxHopsAway", 1) not in (1, None) if n.get("nbrExternalLink") else False),
            "multipath": False,
            "remove_private_as": False,
            "import_policy": "",
            "export_policy": "",
            "input_messages": int(ms.get("totalRecv", 0) or 0),
            "output_messages": int(ms.get("totalSent", 0) or 0),
            "input_updates": int(ms.get("updatesRecv", 0) or 0),
            "output_updates": int(ms.get("updatesSent", 0) or 0),
            "messages_queued_out": int(ms.get("depthOutq", 0) or 0),
            "connection_state": str(n.get("bgpState", "")),
            "previous_connection_state": str(n.get("lastResetDueTo", "") and "Established" or ""),
            "last_event": str(n.get("lastResetDueTo", "") or ""),
            "suppress_4byte_as": False,
            "local_as_prepend": False,
            "holdtime": int(n.get("bgpTimerHoldTimeMsec", 0) or 0) // 1000,
            "configured_holdtime": int(n.get("bgpTimerConfiguredHoldTimeMsec", n.get("bgpTimerHoldTimeMsec", 0)) or 0) // 1000,
            "keepalive": int(n.get("bgpTimerKeepAliveIntervalMsec", 0) or 0) // 1000,
            "configured_keepalive": int(n.get("bgpTimerConfiguredKeepAliveIntervalMsec", n.get("bgpTimerKeepAliveIntervalMsec", 0)) or 0) // 1000,
            "active_prefix_count": v4["accepted_prefixes"],
            "received_prefix_count": v4["received_prefixes"],
            "accepted_prefix_count": v4["accepted_prefixes"],
            "suppressed_prefix_count": 0,
            "advertised_prefix_count": v4["sent_prefixes"],
            "flap_count": int(n.get("connectionsDropped", 0) or 0),
        })
    return {"global": by_as}

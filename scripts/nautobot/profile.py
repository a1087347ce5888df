# Where the App's time goes (issue 7): run inside the throwaway Nautobot with
#   NETOPS_PROFILE_RUNS=6 nautobot-server --config=.nautobot/nautobot_config.py shell \
#     --command "exec(open('scripts/nautobot/profile.py').read())"
# Each run: an add peer of 10.0.0.5 AS65200 at bma (prepare, commit) and its removal (prepare,
# commit), through the App's view with Django's test client and the admin's API token (so
# Nautobot's middleware, authentication and change logging are all in), timing each request,
# counting its SQL queries and their time, and, for the last run, a cProfile of each request
# (top functions by cumulative time). Prints a table. What it leaves in Nautobot: the change log
# of every request (ObjectChanges with the bench change messages, Notes on bma's Location) and
# AS65200 when it created it (a removal keeps the AS); the peer itself is removed again. When a
# request fails (or the run is interrupted) the changes in flight are aborted, the removal first,
# then the add, so no Reserved/Planned or Deprecated records are left behind.
# (The first run of a process pays one-time caches, URL resolver and the like: use RUNS ≥ 4.)
# To compare with another checkout's App: PYTHONPATH=<that checkout>/nautobot-app (searched
# before the editable install).
import cProfile
import io
import json
import os
import pstats
import time
import uuid

from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext
from nautobot.users.models import Token

RUNS = int(os.environ.get("NETOPS_PROFILE_RUNS", "6"))
TOP = int(os.environ.get("NETOPS_PROFILE_TOP", "30"))
token = Token.objects.filter(user__username="netops-admin").first()
client = Client(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_HOST="127.0.0.1")
actor = {"user": "bench", "channel": "#bench", "via": "chat", "command": "!add peer ip=10.0.0.5 as=65200 in=bma"}


def plan(kind, txn, before_peer=None):
    change = {"kind": kind, "site": "bma", "ip": "10.0.0.5", "routers": ["bma-edge1"], "description": "bench peer"}
    if kind == "add_peer":
        change["as"] = 65200
    return {"txn": txn, "change": change, "actor": actor, "before": {"peer": before_peer, "allocation": None}, "prefix": "10.0.0.4/30"}


def call(phase, p, prof=None):
    body = json.dumps({"phase": phase, "plan": p})
    with CaptureQueriesContext(connection) as q:
        t0, c0 = time.perf_counter(), time.process_time()
        if prof:
            prof.enable()
        r = client.post("/api/plugins/netops-sot/changes/", body, content_type="application/json")
        if prof:
            prof.disable()
        ms, cpu = (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000
    if r.status_code != 200:
        raise SystemExit(f"{phase} {p['change']['kind']}: HTTP {r.status_code} {r.content[:300]!r}")
    sql_ms = sum(float(x["time"]) for x in q.captured_queries) * 1000
    return ms, len(q.captured_queries), sql_ms, cpu


rows = {}
profiles = {}
for i in range(RUNS):
    last = i == RUNS - 1
    add = plan("add_peer", str(uuid.uuid4()))
    peer = {"ip": "10.0.0.5", "as": 65200, "description": "bench peer", "routers": ["bma-edge1"], "site": "bma"}
    rem = plan("remove_peer", str(uuid.uuid4()), before_peer=peer)
    started = []  # the changes of this run with a phase sent, to abort on failure
    done = False
    try:
        for key, phase, p in [("add prepare", "prepare", add), ("add commit", "commit", add), ("remove prepare", "prepare", rem), ("remove commit", "commit", rem)]:
            if p not in started:
                started.append(p)
            prof = cProfile.Profile() if last else None
            rows.setdefault(key, []).append(call(phase, p, prof))
            if prof:
                profiles[key] = prof
        done = True
    finally:
        if not done:
            for p in reversed(started):
                r = client.post("/api/plugins/netops-sot/changes/", json.dumps({"phase": "abort", "plan": p}), content_type="application/json")
                print(f"aborted {p['change']['kind']} txn {p['txn']}: HTTP {r.status_code}")


def med(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2] if len(xs) % 2 else (xs[len(xs) // 2 - 1] + xs[len(xs) // 2]) / 2


print(f"| request | wall ms (median of {RUNS}) | Python CPU ms | SQL queries | SQL ms |")
print("| --- | ---: | ---: | ---: | ---: |")
for k, xs in rows.items():
    print(f"| {k} | {med([x[0] for x in xs]):.0f} | {med([x[3] for x in xs]):.0f} | {med([x[1] for x in xs]):.0f} | {med([x[2] for x in xs]):.1f} |")
for k, prof in profiles.items():
    s = io.StringIO()
    pstats.Stats(prof, stream=s).sort_stats(os.environ.get("NETOPS_PROFILE_SORT", "cumulative")).print_stats(TOP)
    print(f"\n### cProfile {k}\n{s.getvalue()}")

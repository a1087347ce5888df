"""Build st2check samples: chat commands with the alias and parameters they must give, and
webhook payloads made by `netops parse-syslog` from device lines (a recovery and a flap summary
shaped as the bridge sends them), each with the rules that must fire.  Usage: st2check-samples.py OUT.yaml"""
import json, os, subprocess, sys, yaml
SHARED = os.environ.get('NETOPS_SHARED') or os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared')
lines = {
 'down': '<30>Nov 24 22:39:30 bma-edge1 bgpd[14540]: [PXVXG-TFNNT] %ADJCHANGE: neighbor 10.0.0.1(vm) in vrf default Down Admin. shutdown',
 'up': '<30>Nov 24 22:39:40 bma-edge1 bgpd[14540]: [PXVXG-TFNNT] %ADJCHANGE: neighbor 10.0.0.1(vm) in vrf default Up',
 'ifdown': '<31>Nov 24 22:38:57 bma-edge1 zebra[14927]: [SBFM4-2P25V] MESSAGE: ZEBRA_INTERFACE_DOWN to-peer1 vrf default(0)',
 'ifup': '<31>Nov 24 22:39:57 bma-edge1 zebra[14927]: [SBFM4-2P25V] MESSAGE: ZEBRA_INTERFACE_UP to-peer1 vrf default(0)',
 'commit': open(SHARED + '/corpus/napalm-logs/tests/config/eos/USER_WRITE_CONFIG/default/syslog.msg').read().strip() if False else None,
}
import glob
lines['commit'] = open(sorted(glob.glob(SHARED + '/corpus/napalm-logs/tests/config/eos/USER_WRITE_CONFIG/*/syslog.msg'))[0]).read().strip()
lines['junos_bgp'] = open(sorted(glob.glob(SHARED + '/corpus/napalm-logs/tests/config/junos/BGP_NEIGHBOR_STATE_CHANGED/*/syslog.msg'))[0]).read().strip()
ev = {}
for k, l in lines.items():
    out = subprocess.run(['node', 'dist/cli/netops.js', 'parse-syslog'], input=l + '\n', capture_output=True, text=True).stdout
    ev[k] = json.loads(out)
for k in ev: ev[k]['site'] = 'bma'
ev['up']['recovers'] = ev['down']['id']; ev['up']['down_seconds'] = 10
ev['ifup']['recovers'] = ev['ifdown']['id']; ev['ifup']['down_seconds'] = 60
flap = dict(ev['down']); flap['error'] = 'BGP_NEIGHBOR_FLAPPING'; flap['flaps'] = 12; flap['summary'] = 'bma-edge1: 10.0.0.1 flapped 12 times in 5 min, now Idle'
ev['flap'] = flap
netops_commit = dict(ev['commit']); netops_commit['user'] = 'netops'
# what the bridge adds when the audit log names a change on the router (bridge/correlate/)
down_lc = dict(ev['down']); down_lc['last_change'] = {'who': 'alice', 'via': 'chat', 'channel': 'netops', 'task': 'add_peer', 'summary': 'added peer 10.0.0.1 AS65100', 'status': 'changed', 'at': '2026-11-24T22:27:30Z', 'ago_s': 720, 'ago': '12 min', 'touches': True, 'id': '20261124T222730Z-0a1b2c3d'}
ifdown_lc = dict(ev['ifdown']); ifdown_lc['last_change'] = {'who': 'bob', 'via': 'terminal', 'channel': None, 'task': 'set_interface', 'summary': 'set interface to-peer1 down (in progress)', 'status': 'running', 'at': '2026-11-24T22:38:55Z', 'ago_s': 2, 'ago': '2 s', 'touches': True, 'id': '20261124T223855Z-4e5f6a7b'}
none_lc = dict(ev['up']); none_lc['last_change'] = None
expect = {'down': ['bgp_session_down'], 'up': ['bgp_session_recovered'], 'ifdown': ['interface_down'], 'ifup': ['interface_recovered'],
          'commit': ['config_committed'], 'flap': ['flapping'], 'junos_bgp': None}
samples = {'webhooks': []}
for k, e in ev.items():
    w = {'trigger': 'netops.device_event', 'payload': e}
    if k in expect and expect[k] is not None: w['expect_rules'] = expect[k]
    samples['webhooks'].append(w)
samples['webhooks'].append({'trigger': 'netops.device_event', 'payload': netops_commit, 'expect_rules': []})
samples['webhooks'].append({'trigger': 'netops.device_event', 'payload': down_lc, 'expect_rules': ['bgp_session_down']})
samples['webhooks'].append({'trigger': 'netops.device_event', 'payload': ifdown_lc, 'expect_rules': ['interface_down']})
samples['webhooks'].append({'trigger': 'netops.device_event', 'payload': none_lc, 'expect_rules': ['bgp_session_recovered']})
samples['commands'] = [
  {'text': 'add peer in=bma ip=10.0.0.1 as=65100', 'expect_alias': 'add_peer', 'expect_params': {'in': 'bma', 'ip': '10.0.0.1', 'as': 65100}},
  {'text': 'add peer 10.0.0.1 as 65100 in bma', 'expect_alias': 'add_peer', 'expect_params': {'in': 'bma', 'ip': '10.0.0.1', 'as': 65100}},
  {'text': 'remove peer in=bma ip=10.0.0.1', 'expect_alias': 'remove_peer'},
  {'text': 'show peers in=bma', 'expect_alias': 'show_peers'},
  {'text': 'show facts in gbg', 'expect_alias': 'show_facts', 'expect_params': {'in': 'gbg'}},
  {'text': 'set interface to-peer2 down in=bma', 'expect_alias': 'set_interface', 'expect_params': {'name': 'to-peer2', 'state': 'down', 'in': 'bma'}},
  {'text': 'backup config in=bma', 'expect_alias': 'backup_config'},
  {'text': 'show config diff of bma', 'expect_alias': 'show_config_diff'},
  {'text': 'add a peer please', 'expect_alias': None},
  # approvals (docs/chat.md): the workflow's alias, and approve / deny of netops.decide
  {'text': 'request add peer in=bma ip=10.0.0.1 as=65100', 'expect_alias': 'add_peer_approved', 'expect_params': {'in': 'bma', 'ip': '10.0.0.1', 'as': 65100}},
  {'text': 'request remove peer in=bma ip=10.0.0.1', 'expect_alias': 'remove_peer_approved', 'expect_params': {'in': 'bma', 'ip': '10.0.0.1'}},
  {'text': 'approve 5f1e2d3c4b5a69788796a5b4', 'expect_alias': 'approve', 'expect_params': {'request': '5f1e2d3c4b5a69788796a5b4', 'decision': 'approve'}},
  {'text': 'deny 5f1e2d3c4b5a69788796a5b4 not in the change window', 'expect_alias': 'deny', 'expect_params': {'request': '5f1e2d3c4b5a69788796a5b4', 'reason': 'not in the change window', 'decision': 'deny'}},
  {'text': 'deny 5f1e2d3c4b5a69788796a5b4', 'expect_alias': 'deny', 'expect_params': {'request': '5f1e2d3c4b5a69788796a5b4', 'reason': '-', 'decision': 'deny'}},
]
print(json.dumps({k: ev[k]['error'] for k in ev}), file=sys.stderr)
yaml.safe_dump(samples, open(sys.argv[1], 'w'), sort_keys=False)

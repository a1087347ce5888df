"""napalm-frr against the live lab (bma-edge1 over ssh → vtysh, through the lab's ProxyCommand)."""
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from napalm.base import models
from napalm.base.exceptions import CommitConfirmException, CommitError, ConnectionException, MergeConfigException
from conftest import model_ok as napalm_model_ok

from conftest import HOST, optional_args, vtysh

PEER1 = "router bgp 65000\n neighbor 10.0.0.1 remote-as 65100\n neighbor 10.0.0.1 description transit a\n"


def wait_for(pred, timeout=30.0, step=0.5):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


def established(device, ip):
    return device.get_bgp_neighbors()["global"]["peers"].get(ip, {}).get("is_up")


def test_is_alive_and_facts(device):
    assert device.is_alive() == {"is_alive": True}
    facts = device.get_facts()
    assert napalm_model_ok(models.FactsDict, facts)
    assert facts["hostname"] == "bma-edge1" and facts["vendor"] == "FRRouting"
    assert facts["os_version"].startswith("8.") and facts["uptime"] > 0
    assert {"mgmt0", "to-peer1", "to-peer2", "lo"} <= set(facts["interface_list"])


def test_interfaces(device):
    ifs = device.get_interfaces()
    for name, i in ifs.items():
        assert napalm_model_ok(models.InterfaceDict, i), name
    assert ifs["to-peer1"]["is_up"] and ifs["to-peer1"]["is_enabled"] and ifs["mgmt0"]["mtu"] == 1500
    ips = device.get_interfaces_ip()
    for name, fams in ips.items():
        for addr, e in fams.get("ipv4", {}).items():
            assert napalm_model_ok(models.InterfacesIPDictEntry, e), (name, addr)
    assert ips["mgmt0"]["ipv4"] == {HOST: {"prefix_length": 30}}
    assert ips["to-peer1"]["ipv4"] == {"10.0.0.2": {"prefix_length": 30}}


def test_merge_compare_commit_and_bgp_getters(device):
    device.load_merge_candidate(config=PEER1)
    assert device.compare_config() == (" router bgp 65000\n+ neighbor 10.0.0.1 remote-as 65100\n"
                                       "+ neighbor 10.0.0.1 description transit a")
    assert "neighbor 10.0.0.1" not in vtysh("show running-config")     # nothing before commit
    device.commit_config()
    assert " neighbor 10.0.0.1 remote-as 65100" in vtysh("show running-config")
    assert wait_for(lambda: established(device, "10.0.0.1"))
    bgp = device.get_bgp_neighbors()
    assert napalm_model_ok(models.BGPStateNeighborsPerVRFDict, bgp["global"])
    p = bgp["global"]["peers"]["10.0.0.1"]
    assert napalm_model_ok(models.BGPStateNeighborDict, p)
    assert (bgp["global"]["router_id"], p["local_as"], p["remote_as"], p["description"]) == (HOST, 65000, 65100, "transit a")
    assert napalm_model_ok(models.BGPStateAddressFamilyDict, p["address_family"]["ipv4"])
    detail = device.get_bgp_neighbors_detail()
    [d] = detail["global"][65100]
    assert napalm_model_ok(models.PeerDetailsDict, d)
    assert d["up"] and d["remote_address"] == "10.0.0.1" and d["local_address"] == "10.0.0.2"
    # the same candidate again: nothing to change
    device.load_merge_candidate(config=PEER1)
    assert device.compare_config() == ""
    # NAPALM's own validate (compliance_report) reads the getters
    report = device.compliance_report(validation_source=[{"get_bgp_neighbors": {"global": {"peers": {"10.0.0.1": {"remote_as": 65100, }}}}}])
    assert report["complies"] is True, report
    bad = device.compliance_report(validation_source=[{"get_bgp_neighbors": {"global": {"peers": {"10.0.0.1": {"remote_as": 65999}}}}}])
    assert bad["complies"] is False


def test_get_config(device):
    cfg = device.get_config()
    assert napalm_model_ok(models.ConfigDict, cfg)
    assert cfg["running"].startswith("!\nfrr version") and "router bgp 65000" in cfg["running"]
    device.load_merge_candidate(config=PEER1.replace("description transit a", "password s3cret"))
    assert device.get_config(retrieve="candidate")["candidate"].count("s3cret") == 1
    assert "s3cret" not in device.get_config(retrieve="candidate", sanitized=True)["candidate"]


def test_router_rejection_reaches_the_caller_in_full_and_nothing_is_kept(device):
    before = vtysh("show running-config")
    # the local parser accepts it; the router refuses the second line (no remote-as yet)
    device.load_merge_candidate(config="router bgp 65000\n neighbor 10.0.0.5 remote-as 65200\n neighbor 10.0.0.77 description orphan\n")
    with pytest.raises(CommitError) as e:
        device.commit_config()
    msg = str(e.value)
    assert "rejected 'router bgp 65000 / neighbor 10.0.0.77 description orphan': % Specify remote-as or peer-group commands first" in msg, msg
    assert "\n" not in msg and "restored" in msg
    assert vtysh("show running-config") == before


def test_candidate_that_does_not_parse_is_refused_at_load(device):
    with pytest.raises(MergeConfigException, match="Unknown command"):
        device.load_merge_candidate(config="router bgp 65000\n neighbor 10.0.0.1 no-such-keyword\n")


def test_replace_discard_rollback(device):
    device.load_merge_candidate(config=PEER1)
    device.commit_config()
    running = device.get_config(retrieve="running")["running"]
    replaced = running.replace(" neighbor 10.0.0.1 remote-as 65100\n neighbor 10.0.0.1 description transit a\n",
                               " neighbor 10.0.0.5 remote-as 65200\n")
    device.load_replace_candidate(config=replaced)
    diff = device.compare_config()
    assert diff == (" router bgp 65000\n- neighbor 10.0.0.1 remote-as 65100\n- neighbor 10.0.0.1 description transit a\n"
                    "+ neighbor 10.0.0.5 remote-as 65200"), diff
    device.discard_config()
    assert device.compare_config() == ""
    device.load_replace_candidate(config=replaced)
    device.commit_config()
    now = vtysh("show running-config")
    assert " neighbor 10.0.0.5 remote-as 65200" in now and "neighbor 10.0.0.1" not in now
    device.rollback()
    now = vtysh("show running-config")
    assert " neighbor 10.0.0.1 remote-as 65100" in now and "neighbor 10.0.0.5" not in now


def test_revert_in_reverts_unless_confirmed(device):
    device.load_merge_candidate(config=PEER1)
    device.commit_config(revert_in=4)
    assert device.has_pending_commit()
    assert "neighbor 10.0.0.1 remote-as" in vtysh("show running-config")
    with pytest.raises(CommitError, match="waits for confirmation"):
        device.load_merge_candidate(config=PEER1)
        device.commit_config()
    assert wait_for(lambda: "neighbor 10.0.0.1" not in vtysh("show running-config"), timeout=20)
    assert not wait_for(lambda: not device.has_pending_commit(), timeout=5) is False
    with pytest.raises(CommitConfirmException):
        device.confirm_commit()


def test_confirm_commit_keeps_the_change(device):
    device.load_merge_candidate(config=PEER1)
    device.commit_config(revert_in=3)
    device.confirm_commit()
    assert not device.has_pending_commit()
    time.sleep(5)
    assert "neighbor 10.0.0.1 remote-as 65100" in vtysh("show running-config")


def test_client_killed_before_confirming_still_reverts(lab_required, state_dir):
    from conftest import reset_edge
    reset_edge()
    script = textwrap.dedent("""
        import sys, time
        from napalm import get_network_driver
        d = get_network_driver("frr")(%r, "netops", None, 30, %r)
        d.open()
        d.load_merge_candidate(config=%r)
        d.commit_config(revert_in=4)
        print("committed", flush=True)
        time.sleep(600)
    """) % (HOST, optional_args(state_dir), PEER1)
    p = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().strip() == "committed"
        assert "neighbor 10.0.0.1 remote-as" in vtysh("show running-config")
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
        assert wait_for(lambda: "neighbor 10.0.0.1" not in vtysh("show running-config"), timeout=20)
    finally:
        if p.poll() is None:
            p.kill()
        reset_edge()


def test_unreachable_and_unknown_host_key(lab_required, state_dir):
    from napalm import get_network_driver
    opts = optional_args(state_dir)
    opts["known_hosts"] = os.path.join(state_dir, "empty_known_hosts")
    open(opts["known_hosts"], "w").close()
    d = get_network_driver("frr")(HOST, "netops", None, 10, opts)
    with pytest.raises(ConnectionException, match="not found in known_hosts"):
        d.open()

"""Unit tests of the playbooks' Python filters (playbooks/filter_plugins), without the lab."""
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "playbooks", "filter_plugins"))
import netops_filters as f  # noqa: E402
import netops_render as r  # noqa: E402

SPEC = {"ip": {"kind": "ip", "required": True}, "as": {"kind": "asn", "required": True},
        "description": {"kind": "description"}, "password": {"kind": "secret"}}


@pytest.mark.parametrize("ip", ["0.0.0.0", "127.0.0.1", "224.0.0.5", "::1", "10.0.0.300", "x"])
def test_refuses_non_unicast_or_malformed_addresses(ip):
    assert f.netops_params({"ip": ip, "as": 65100}, SPEC)["errors"]


@pytest.mark.parametrize("asn", [0, 4294967296, "65.1", True, -1])
def test_refuses_bad_as_numbers(asn):
    assert any("AS number" in e for e in f.netops_params({"ip": "10.0.0.1", "as": asn}, SPEC)["errors"])


@pytest.mark.parametrize("desc", ["a?b", "a#b", "a>b", "line\nbreak", "x\u2028y", "% Unknown command"])
def test_refuses_cli_breaking_descriptions(desc):
    assert f.netops_params({"ip": "10.0.0.1", "as": 1, "description": desc}, SPEC)["errors"]


def test_normalizes_and_keeps_inert_text():
    v = f.netops_params({"ip": "10.0.0.1", "as": "65100", "description": "  a   {{ x }}  $(id) "}, SPEC)
    assert v["errors"] == []
    assert v["values"] == {"ip": "10.0.0.1", "as": 65100, "description": "a {{ x }} $(id)", "password": None}


def test_masks_secrets_in_lines_and_diffs():
    assert f.netops_mask(["neighbor 10.0.0.1 password s3cret", "neighbor 10.0.0.1 remote-as 1"]) == \
        ["neighbor 10.0.0.1 password ********", "neighbor 10.0.0.1 remote-as 1"]
    assert f.netops_mask("+ neighbor 10.0.0.1 password s3cret\n") == "+ neighbor 10.0.0.1 password ********\n"


def test_frr_add_peer_plan_conflict_and_rollback():
    running = "router bgp 65000\n neighbor 10.0.0.1 remote-as 65100\nexit\n"
    assert "already exists with remote-as 65100" in f.netops_frr_add_peer_plan(running, {"ip": "10.0.0.1", "as": 65200})["error"]
    plan = f.netops_frr_add_peer_plan("router bgp 65000\nexit\n", {"ip": "10.0.0.5", "as": 65200, "description": "d"})
    assert plan["config"] == "router bgp 65000\n neighbor 10.0.0.5 remote-as 65200\n neighbor 10.0.0.5 description d"
    assert plan["rollback_config"] == "router bgp 65000\n no neighbor 10.0.0.5"


def test_one_line_keeps_every_line_of_a_device_message():
    msg = "cannot install config: bma-edge1 rejected 'x':\n% Unknown command: x\n\nline 2"
    assert f.netops_one_line(msg) == "cannot install config: bma-edge1 rejected 'x': | % Unknown command: x | line 2"


NBRS = {"global": {"router_id": "1.1.1.1", "peers": {
    "10.0.0.1": {"remote_as": 65100, "is_up": True, "uptime": 3725, "description": "a",
                 "address_family": {"ipv4": {"accepted_prefixes": 2}}},
    "10.0.0.5": {"remote_as": 65200, "is_up": False, "uptime": 0, "description": "", "address_family": {}}}}}
DETAIL = {"global": {65100: [{"remote_address": "10.0.0.1", "connection_state": "Established"}],
                     65200: [{"remote_address": "10.0.0.5", "connection_state": "Active"}]}}


def test_napalm_peers_and_states():
    assert f.netops_napalm_peer_as(NBRS, "10.0.0.1") == 65100 and f.netops_napalm_peer_as(NBRS, "10.9.9.9") == 0
    facts = {"napalm_bgp_neighbors": NBRS, "napalm_bgp_neighbors_detail": DETAIL}
    assert f.netops_napalm_peer_state(facts, "10.0.0.5") == "Active"
    assert f.netops_napalm_peer_state(facts, "10.9.9.9") == "absent"
    assert f.netops_napalm_peers(facts) == [
        {"peer": "10.0.0.1", "remote_as": 65100, "state": "Established", "uptime": "01:02:05", "prefixes_received": 2, "description": "a"},
        {"peer": "10.0.0.5", "remote_as": 65200, "state": "Active", "uptime": None, "prefixes_received": 0, "description": None}]


def test_expected_peers_and_validation_document():
    assert f.netops_expected_peers(None)["errors"][0].startswith("no expected peers")
    assert f.netops_expected_peers([{"ip": "127.0.0.1", "as": 1}])["errors"]
    ok = f.netops_expected_peers([{"ip": "10.0.0.5", "as": "65200"}, {"ip": "10.0.0.1", "as": 65100}])
    assert ok == {"errors": [], "peers": [{"ip": "10.0.0.1", "as": 65100}, {"ip": "10.0.0.5", "as": 65200}]}
    assert f.netops_validation_doc(ok["peers"]) == [{"get_bgp_neighbors": {"global": {"peers": {
        "_mode": "strict", "10.0.0.1": {"remote_as": 65100}, "10.0.0.5": {"remote_as": 65200}}}}}]


def test_compliance_from_napalms_own_report():
    from napalm.base.validate import compare
    expected = [{"ip": "10.0.0.1", "as": 65100}, {"ip": "10.0.0.5", "as": 65999}, {"ip": "10.0.0.9", "as": 1}]
    doc = f.netops_validation_doc(expected)[0]["get_bgp_neighbors"]
    actual = {"global": {"peers": {"10.0.0.1": {"remote_as": 65100}, "10.0.0.5": {"remote_as": 65200}, "10.0.0.7": {"remote_as": 7}}}}
    report = {"get_bgp_neighbors": compare(doc, actual), "complies": False}
    assert f.netops_compliance(report, expected) == {
        "complies": False, "expected": expected, "missing": [{"ip": "10.0.0.9", "as": 1}],
        "wrong_as": [{"ip": "10.0.0.5", "as": 65999, "actual": 65200}], "unexpected": [{"ip": "10.0.0.7", "as": None}]}


def test_render_checks_parameters_with_the_playbooks_spec():
    with pytest.raises(r.RenderError, match="description contains"):
        r.checked_params("add_peer", {"in": "bma", "ip": "10.0.0.1", "as": 1, "description": "a?"})
    assert r.checked_params("remove_peer", {"in": "bma", "ip": "10.0.0.1"}) == {"in": "bma", "ip": "10.0.0.1"}
    assert r.junos_quote('a "b" \\c') == 'a \\"b\\" \\\\c'

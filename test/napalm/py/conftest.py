"""Shared fixtures of the napalm-frr tests: the lab router bma-edge1 (lab/up.sh must be up:
the mocha wrapper test/napalm/driver.test.ts brings it up under the lab lock)."""
import os
import subprocess
import tempfile

import pytest

LAB_RUN = "/run/netops-lab"
HOST, NETNS, ASN = "192.0.2.2", "no-bma-edge1", 65000


def vtysh(*commands: str) -> str:
    args = ["vtysh", "-N", NETNS]
    for c in commands:
        args += ["-c", c]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def reset_edge():
    """bma-edge1 back to the lab's initial state: no neighbors."""
    run = vtysh("show running-config")
    nbrs = sorted({l.split()[1] for l in run.splitlines() if l.startswith(" neighbor ")})
    if nbrs:
        vtysh("configure terminal", "router bgp %d" % ASN, *["no neighbor %s" % n for n in nbrs])


def optional_args(state_dir: str) -> dict:
    return {"key_file": LAB_RUN + "/ssh/id_ed25519", "proxy_command": "%s/bin/mgmt-proxy %s 22" % (LAB_RUN, HOST),
            "known_hosts": LAB_RUN + "/ssh/known_hosts", "state_dir": state_dir}


@pytest.fixture
def lab_required():
    if not os.path.exists(LAB_RUN + "/mgmt-hosts"):
        pytest.fail("the lab is not up (run under: flock /run/lock/netops-lab.lock, lab/up.sh)")


@pytest.fixture
def state_dir():
    with tempfile.TemporaryDirectory(prefix="napalm-frr-") as d:
        yield d


@pytest.fixture
def device(lab_required, state_dir):
    from napalm import get_network_driver
    reset_edge()
    d = get_network_driver("frr")(HOST, "netops", None, 30, optional_args(state_dir))
    d.open()
    yield d
    d.close()
    reset_edge()


def model_ok(model, data) -> bool:
    """napalm.base.test.helpers.test_model, also for fields typed Dict[..]/List[..] (which
    isinstance cannot check): same keys as the model, each value of the model's type."""
    import typing
    ann = model.__annotations__
    assert set(ann) == set(data), "keys %s != model %s" % (sorted(data), sorted(ann))
    for k, t in ann.items():
        origin = typing.get_origin(t) or t
        assert isinstance(data[k], origin), "%s: %r is not %s" % (k, data[k], t)
        if origin is dict and typing.get_args(t):
            kt, vt = typing.get_args(t)
            for kk, vv in data[k].items():
                assert isinstance(kk, kt), (k, kk)
                if hasattr(vt, "__annotations__"):
                    model_ok(vt, vv)
    return True

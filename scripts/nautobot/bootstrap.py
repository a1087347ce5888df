# Seed the throwaway Nautobot (run by up.sh inside `nautobot-server shell`): an admin user and
# its API token (written to $NETOPS_NAUTOBOT_TOKEN_FILE, mode 0600, never printed), then the
# lab's sites, edge routers, interfaces, addresses, peering prefixes, ASes and routing
# instances. Idempotent (get_or_create everywhere).
import os

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from nautobot.dcim.models import Device, DeviceType, Interface, Location, LocationType, Manufacturer, Platform
from nautobot.extras.models import CustomField, Role, Status
from nautobot.ipam.models import IPAddress, Namespace, Prefix
from nautobot.users.models import ObjectPermission, Token
from nautobot_bgp_models.models import AutonomousSystem, BGPRoutingInstance, Peering

# ------------------------------------------------------------------ admin + token
User = get_user_model()
admin, _ = User.objects.get_or_create(username="netops-admin", defaults={"is_superuser": True, "is_staff": True})
admin.set_unusable_password()
admin.save()
token_file = os.environ["NETOPS_NAUTOBOT_TOKEN_FILE"]


def token_for(user, path, description):
    """Keep the token in `path` (mode 0600) if it is still the user's, else create one there."""
    key = open(path).read().strip() if os.path.exists(path) else ""
    if not key or not Token.objects.filter(key=key, user=user).exists():
        tok = Token.objects.create(user=user, description=description)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(tok.key + "\n")


token_for(admin, token_file, "netops tests (scripts/nautobot/up.sh)")

# ------------------------------------------------------------------ the lab (mirrors lab/lib.sh)
SITES = {"bma": "Lab site bma", "gbg": "Lab site gbg"}
ROUTERS = {
    "bma-edge1": {"site": "bma", "asn": 65000, "mgmt": "192.0.2.2/30",
                  "links": {"to-peer1": "10.0.0.2/30", "to-peer2": "10.0.0.6/30"}},
    "gbg-edge1": {"site": "gbg", "asn": 65001, "mgmt": "192.0.2.6/30", "links": {"to-peer1": "10.0.1.2/30"}},
}
PEERING = {"bma": ["10.0.0.0/30", "10.0.0.4/30"], "gbg": ["10.0.1.0/30"]}
MGMT = {"bma": "192.0.2.0/30", "gbg": "192.0.2.4/30"}


def ct(model):
    return ContentType.objects.get_for_model(model)


active = Status.objects.get(name="Active")
for model in (Location, Device, Interface, Prefix, IPAddress):
    active.content_types.add(ct(model))
site_type, _ = LocationType.objects.get_or_create(name="Site")
site_type.content_types.add(ct(Device), ct(Prefix))
edge_role, _ = Role.objects.get_or_create(name="edge-router", defaults={"description": "netops-managed edge router"})
edge_role.content_types.add(ct(Device))
peering_role, _ = Role.objects.get_or_create(name="peering", defaults={"description": "netops peering prefix"})
peering_role.content_types.add(ct(Prefix))
mgmt_role, _ = Role.objects.get_or_create(name="management", defaults={"description": "management network"})
mgmt_role.content_types.add(ct(Prefix))
ns = Namespace.objects.get(name="Global")
vendor, _ = Manufacturer.objects.get_or_create(name="FRRouting")
dtype, _ = DeviceType.objects.get_or_create(manufacturer=vendor, model="FRR lab router")
frr, _ = Platform.objects.get_or_create(name="frr", defaults={"network_driver": "frr", "manufacturer": vendor})

locs = {}
for name, desc in SITES.items():
    locs[name], _ = Location.objects.get_or_create(
        name=name, location_type=site_type, defaults={"status": active, "description": desc})


def prefix(cidr, site, role):
    p = Prefix.objects.filter(network=cidr.split("/")[0], prefix_length=int(cidr.split("/")[1]), namespace=ns).first()
    if p is None:
        p = Prefix(prefix=cidr, namespace=ns, status=active, role=role, type="network")
        p.validated_save()
    p.locations.add(locs[site])
    return p


for site, cidrs in PEERING.items():
    for cidr in cidrs:
        prefix(cidr, site, peering_role)
for site, cidr in MGMT.items():
    prefix(cidr, site, mgmt_role)


def ip(cidr, desc):
    a = IPAddress.objects.filter(host=cidr.split("/")[0], parent__namespace=ns).first()
    if a is None:
        a = IPAddress(address=cidr, namespace=ns, status=active, description=desc)
        a.validated_save()
    return a


for name, r in ROUTERS.items():
    dev, _ = Device.objects.get_or_create(
        name=name, location=locs[r["site"]],
        defaults={"role": edge_role, "device_type": dtype, "status": active, "platform": frr})
    ifaces = {**r["links"], "lo": None, "mgmt0": r["mgmt"]}
    for ifname, cidr in ifaces.items():
        kind = "virtual" if ifname == "lo" else "other"
        intf, _ = Interface.objects.get_or_create(
            device=dev, name=ifname, defaults={"type": kind, "status": active, "mgmt_only": ifname == "mgmt0"})
        if cidr:
            a = ip(cidr, f"{name} {ifname}")
            if not intf.ip_addresses.filter(pk=a.pk).exists():
                intf.add_ip_addresses(a)
    mgmt_ip = ip(r["mgmt"], f"{name} mgmt0")
    if dev.primary_ip4_id != mgmt_ip.pk:
        dev.primary_ip4 = mgmt_ip
        dev.validated_save()
    asn, _ = AutonomousSystem.objects.get_or_create(asn=r["asn"], defaults={"status": active, "description": f"{name}"})
    BGPRoutingInstance.objects.get_or_create(
        device=dev, autonomous_system=asn, defaults={"router_id": mgmt_ip, "status": active})
# the record netops keeps on each address and peering it writes (who, when, from where, txn)
netops_cf, _ = CustomField.objects.get_or_create(
    key="netops", defaults={"label": "netops", "type": "json", "description": "netops change record (who, when, txn)"})
netops_cf.content_types.add(ct(IPAddress), ct(Peering))

# ------------------------------------------------------------------ a view-only user + token
# (token-viewer beside the admin's): the tests check that the netops_sot App enforces Nautobot's
# object permissions for the token's user instead of bypassing them.
viewer, _ = User.objects.get_or_create(username="netops-viewer", defaults={"is_superuser": False, "is_staff": False})
viewer.set_unusable_password()
viewer.save()
view_all, _ = ObjectPermission.objects.get_or_create(name="netops-viewer: view", defaults={"actions": ["view"]})
view_all.object_types.set(ContentType.objects.filter(app_label__in=["dcim", "ipam", "extras", "nautobot_bgp_models"]))
view_all.users.add(viewer)
token_for(viewer, os.path.join(os.path.dirname(token_file), "token-viewer"), "netops tests: view only (scripts/nautobot/up.sh)")
print("seeded")

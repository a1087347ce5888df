"""The site view netops reads, from the ORM: the same shape as netops' GraphQL query
(sot/nautobot/query.ts), so the TypeScript mapping is shared by both paths.

Every queryset is restricted to what the requesting user may view (Nautobot's object
permissions), as the REST and GraphQL APIs do.
"""

from django.db.models import Prefetch
from nautobot.dcim.models import Device, Interface, Location
from nautobot.ipam.models import IPAddress, Prefix
from nautobot_bgp_models.models import AutonomousSystem, BGPRoutingInstance, PeerEndpoint, Peering

ROUTER_ROLE = "edge-router"
PEERING_ROLE = "peering"
SITE_TYPE = "Site"


def _status(obj):
    return {"name": obj.status.name} if obj.status_id else None


def _ip_ref(ip):
    return {"id": str(ip.id), "host": ip.host} if ip else None


def endpoints_queryset(user):
    """PeerEndpoints with what the view needs of them, one query."""
    return PeerEndpoint.objects.restrict(user, "view").select_related(
        "routing_instance__device", "autonomous_system", "source_ip"
    ).order_by("pk")


def peering_dict(peering):
    return {
        "id": str(peering.id),
        "status": _status(peering),
        "_custom_field_data": peering._custom_field_data,  # pylint: disable=protected-access
        "endpoints": [
            {
                "id": str(e.id),
                "description": e.description,
                "routing_instance": (
                    {"id": str(e.routing_instance.id), "device": {"name": e.routing_instance.device.name}}
                    if e.routing_instance
                    else None
                ),
                "autonomous_system": (
                    {"id": str(e.autonomous_system.id), "asn": e.autonomous_system.asn} if e.autonomous_system else None
                ),
                "source_ip": _ip_ref(e.source_ip),
            }
            for e in peering.endpoints.all()
        ],
    }


def ip_dict(ip):
    return {
        "id": str(ip.id),
        "host": ip.host,
        "address": f"{ip.host}/{ip.mask_length}",
        "description": ip.description,
        "status": _status(ip),
        "_custom_field_data": ip._custom_field_data,  # pylint: disable=protected-access
        "interfaces": [
            {"name": i.name, "device": {"name": i.device.name} if i.device_id else None} for i in ip.interfaces.all()
        ],
    }


def site_locations(user, name):
    """The Location named `name` (a list of 0 or 1, as GraphQL returns it)."""
    return list(Location.objects.restrict(user, "view").filter(name=name))


def read_site(user, name, asns=()):
    """The site's raw view: {locations, devices, prefixes, autonomous_systems}; None when unknown."""
    locations = site_locations(user, name)
    if not locations:
        return None
    location = locations[0]
    where = location.descendants(include_self=True)

    interfaces = Interface.objects.restrict(user, "view").prefetch_related(
        Prefetch("ip_addresses", IPAddress.objects.restrict(user, "view").only("id", "host", "mask_length"))
    )
    instances = (
        BGPRoutingInstance.objects.restrict(user, "view")
        .select_related("autonomous_system", "router_id")
        .prefetch_related(
            Prefetch(
                "endpoints",
                PeerEndpoint.objects.restrict(user, "view").select_related("peering__status").prefetch_related(
                    Prefetch("peering__endpoints", endpoints_queryset(user))
                ),
            )
        )
    )
    devices = (
        Device.objects.restrict(user, "view")
        .filter(location__in=where, role__name=ROUTER_ROLE)
        .select_related("platform", "primary_ip4")
        .prefetch_related(Prefetch("interfaces", interfaces), Prefetch("bgp_routing_instances", instances))
        .order_by("name")
    )
    ip_addresses = IPAddress.objects.restrict(user, "view").select_related("status").prefetch_related("interfaces__device")
    prefixes = (
        Prefix.objects.restrict(user, "view")
        .filter(locations__in=where, role__name=PEERING_ROLE)
        .distinct()
        .select_related("namespace")
        .prefetch_related(Prefetch("ip_addresses", ip_addresses))
        .order_by("network")
    )
    ases = AutonomousSystem.objects.restrict(user, "view").filter(asn__in=list(asns)) if asns else []

    return {
        "locations": [{"id": str(location.id), "name": location.name, "description": location.description}],
        "devices": [
            {
                "id": str(d.id),
                "name": d.name,
                "platform": (
                    {"name": d.platform.name, "network_driver": d.platform.network_driver, "napalm_driver": d.platform.napalm_driver}
                    if d.platform
                    else None
                ),
                "primary_ip4": {"host": d.primary_ip4.host} if d.primary_ip4 else None,
                "interfaces": [
                    {
                        "name": i.name,
                        "mgmt_only": i.mgmt_only,
                        "ip_addresses": [_ip_ref(a) for a in i.ip_addresses.all()],
                    }
                    for i in d.interfaces.all()
                ],
                "bgp_routing_instances": [
                    {
                        "id": str(ri.id),
                        "autonomous_system": {"asn": ri.autonomous_system.asn},
                        "router_id": {"host": ri.router_id.host} if ri.router_id else None,
                        "endpoints": [{"peering": peering_dict(e.peering)} for e in ri.endpoints.all() if e.peering_id],
                    }
                    for ri in d.bgp_routing_instances.all()
                ],
            }
            for d in devices
        ],
        "prefixes": [
            {
                "id": str(p.id),
                "prefix": str(p.prefix),
                "description": p.description,
                "namespace": {"id": str(p.namespace_id)},
                "ip_addresses": [ip_dict(a) for a in p.ip_addresses.all()],
            }
            for p in prefixes
        ],
        "autonomous_systems": [{"id": str(a.id), "asn": a.asn} for a in ases],
    }


def read_sites(user):
    """Every Location of type Site, by name."""
    qs = Location.objects.restrict(user, "view").filter(location_type__name=SITE_TYPE).order_by("name")
    return [{"id": str(x.id), "name": x.name, "description": x.description} for x in qs]


__all__ = ["read_site", "read_sites", "peering_dict", "ip_dict", "endpoints_queryset", "Peering"]

"""The two-phase peer changes, server-side: the same semantics as netops' stock-REST path
(sot/nautobot/write.ts), each phase in one database transaction (the caller's atomic block).

prepare: add_peer → AS created when missing, IP Address Reserved, one Peering per router
Planned with its two endpoints; remove_peer → IP Deprecated, Peerings Deprovisioning.
commit: Active (or, for a removal, deleted). abort: delete what this txn created and restore
`plan.before`. Each finds its records by the txn in the `netops` custom field and is idempotent.

Object permissions: every object is written through `restrict(user, action)` querysets, and a
created or changed object must still match the user's constraints after the write (as
Nautobot's own API views check), else PermissionDenied rolls the transaction back.
Change logging is Nautobot's own (its middleware's web change context of this request): every
save and delete here is an ObjectChange with the token's user and the request id. The change
message (phase, txn, what, chat user, channel, command) goes into that change context's detail,
so each ObjectChange of the phase carries it (`change_context_detail`, shown by
/api/extras/object-changes/ and filterable there); a message longer than the field
(CHANGELOG_MAX_CHANGE_CONTEXT_DETAIL, 400) is truncated there and also written whole as a Note
on each object written (on the Location for deletions), as the stock-REST path does.
"""

from datetime import datetime, timezone
import ipaddress

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from nautobot.dcim.models import Device, Location
from nautobot.extras.constants import CHANGELOG_MAX_CHANGE_CONTEXT_DETAIL
from nautobot.extras.models import Note, ObjectChange, Status
from nautobot.extras.signals import change_context_state
from nautobot.ipam.models import IPAddress, Prefix
from nautobot_bgp_models.models import AutonomousSystem, PeerEndpoint, Peering

from .site import PEERING_ROLE, ROUTER_ROLE

CUSTOM_FIELD = "netops"
STATUS = {
    "ip_pending": "Reserved",
    "ip_active": "Active",
    "ip_removing": "Deprecated",
    "peering_pending": "Planned",
    "peering_active": "Active",
    "peering_removing": "Deprovisioning",
}


class Conflict(Exception):
    """The change cannot be applied to what Nautobot holds (HTTP 409)."""


class Claimed(Conflict):
    """A record the change needs is pending for another txn (HTTP 409, `netops: claimed`)."""

    def __init__(self, what, site, other):
        super().__init__(f"{what} at {site} became part of another change (transaction {other}) after this one was planned")
        self.site = site
        self.other = other


def _perm(model, action):
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def require(user, model, action):
    """Refuse early when the user lacks the model permission for `action`."""
    perm = _perm(model, action)
    if not user.has_perm(perm):
        raise PermissionDenied(f"permission {perm} is required")


def _allowed(obj, user, action):
    """The object is within the user's constraints for `action` (restrict() is a no-op for a
    superuser, as in Nautobot's own views: nothing to ask the database then)."""
    if user.is_superuser:
        return True
    return type(obj).objects.restrict(user, action).filter(pk=obj.pk).exists()


def save(obj, user, action):
    """validated_save, then check the saved object is within the user's `action` constraints; an
    existing object must be within them before the write too (as Nautobot's views fetch it)."""
    require(user, type(obj), action)
    if action != "add" and not _allowed(obj, user, action):
        raise PermissionDenied(f"{_perm(type(obj), action)} does not cover {obj}")
    try:
        obj.validated_save()
    except ValidationError as e:
        raise Conflict(f"{type(obj).__name__}: {'; '.join(e.messages)}") from e
    if not _allowed(obj, user, action):
        raise PermissionDenied(f"{_perm(type(obj), action)} does not cover {obj}")
    return obj


def link_peer(z, user):
    """Store the external endpoint's `peer` (the router's endpoint, just created and validated).
    Under deferred change logging z's create is logged at the end from the object in memory, so
    it shows the peer already: one UPDATE of that column spares a second full save, whose
    pre_save signal would serialize z once more only to cache a "before" nobody uses. Otherwise
    (change logged as it happens) a normal save, so the change log gets the update."""
    ctx = change_context_state.get()
    if ctx is None or not ctx.defer_object_changes:
        return save(z, user, "add")
    type(z).objects.filter(pk=z.pk).update(peer=z.peer)
    if not _allowed(z, user, "add"):
        raise PermissionDenied(f"{_perm(type(z), 'add')} does not cover {z}")
    return z


def delete(obj, user):
    require(user, type(obj), "delete")
    if not _allowed(obj, user, "delete"):
        raise PermissionDenied(f"{_perm(type(obj), 'delete')} does not cover {obj}")
    obj.delete()


def log_as(message):
    """Make `message` the change-context detail of this request: every ObjectChange written from
    now on in this phase carries it. True when it fits the field whole (else it is truncated
    there and note_all() must also write it whole)."""
    ctx = change_context_state.get()
    if ctx is None:
        return False
    ctx.context_detail = message[:CHANGELOG_MAX_CHANGE_CONTEXT_DETAIL]
    return len(message) <= CHANGELOG_MAX_CHANGE_CONTEXT_DETAIL


def note_all(user, objects, message, logged=False):
    """One Note per object (Notes are change-logged too), unless the message is in the change log
    already (`logged`: log_as() took it whole)."""
    if logged:
        return
    for obj in objects:
        save(
            Note(assigned_object_type=ContentType.objects.get_for_model(obj), assigned_object_id=obj.pk, note=message, user=user),
            user,
            "add",
        )


def change_message(actor, txn, phase, what):
    where = f"chat {actor.get('channel') or '(no channel)'}" if actor.get("via") == "chat" else "terminal"
    return f"netops {phase} txn {txn}: {what}; by {actor.get('user')} via {where}; command: {actor.get('command')}"


def record_of(obj):
    r = (obj._custom_field_data or {}).get(CUSTOM_FIELD)  # pylint: disable=protected-access
    return dict(r) if isinstance(r, dict) else {}


def set_record(obj, rec):
    obj._custom_field_data = {**(obj._custom_field_data or {}), CUSTOM_FIELD: rec}  # pylint: disable=protected-access


def _now():
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _status(name):
    return Status.objects.get(name=name)


class Site:
    """The site's records a change touches, read for `change` ip (locked for the transaction)."""

    def __init__(self, user, name, ip):
        # one change per site at a time, whatever the runtime's own locks do (row lock, one query)
        loc = Location.objects.restrict(user, "view").select_for_update(of=("self",)).filter(name=name).first()
        if loc is None:
            raise Conflict(f"site {name} is no longer in Nautobot")
        self.location = loc
        self.user = user
        self.where = where = loc.descendants(include_self=True)
        self.prefixes = list(
            Prefix.objects.restrict(user, "view").filter(locations__in=where, role__name=PEERING_ROLE).distinct().select_related("namespace")
        )
        self.ip = (
            IPAddress.objects.restrict(user, "view")
            .filter(parent__in=self.prefixes, host=ip)
            .select_related("status")
            .first()
        )
        ext = PeerEndpoint.objects.filter(
            routing_instance__isnull=True,
            source_ip__host=ip,
            peering__endpoints__routing_instance__device__location__in=where,
        ).values("peering_id")
        self.peerings = list(
            Peering.objects.restrict(user, "view")
            .filter(pk__in=ext)
            .select_related("status")
            .prefetch_related("endpoints__routing_instance__device")
            .order_by("pk")
        )

    def routers_of(self, peering):
        return [e.routing_instance.device.name for e in peering.endpoints.all() if e.routing_instance_id]


def _base_record(plan, asn, pending):
    a = plan["actor"]
    c = plan["change"]
    return {
        "owner": f"bgp-peer AS{asn}",
        "site": c["site"],
        "ip": c["ip"],
        "as": asn,
        "by": a.get("user"),
        "at": _now(),
        "via": a.get("via"),
        "channel": a.get("channel"),
        "txn": plan["txn"],
        "pending": pending,
    }


def _ensure_as(user, asn):
    """The AS record, created when missing (a concurrent create of the same AS is re-read)."""
    have = AutonomousSystem.objects.filter(asn=asn).first()
    if have:
        return have, False
    try:
        with transaction.atomic():
            return save(AutonomousSystem(asn=asn, status=_status("Active"), description=f"peer AS{asn} (netops)"), user, "add"), True
    except (Conflict, IntegrityError):  # validation saw it, or the unique index did (a concurrent create)
        again = AutonomousSystem.objects.filter(asn=asn).first()
        if again is None:
            raise
        return again, False


def _create_peer(site, plan, ip, asn, description, routers, active):
    """The IP Address (unless it exists) and one Peering + two endpoints per router. Returns the objects to note."""
    user = site.user
    prefix = next((p for p in site.prefixes if str(p.prefix) == plan.get("prefix")), None)
    if prefix is None:
        raise Conflict(f"peering prefix {plan.get('prefix')} is no longer at site {site.location.name}")
    rec = _base_record(plan, asn, None if active else "add")
    written = []
    ip_obj = site.ip
    if ip_obj is not None and not (plan.get("before") or {}).get("allocation") and not active:
        # the address was free when the change was planned: someone took it since
        raise Conflict(f"IP Address {ip} in {prefix.prefix} was created since the change was planned ({record_of(ip_obj).get('owner') or ip_obj.description or 'another owner'})")
    as_obj, created_as = _ensure_as(user, asn)
    if ip_obj is None:
        ip_obj = IPAddress(
            address=f"{ip}/{prefix.prefix_length}",
            namespace=prefix.namespace,
            status=_status(STATUS["ip_active" if active else "ip_pending"]),
            description=description or "",
        )
        set_record(ip_obj, rec)
        save(ip_obj, user, "add")
        written.append(ip_obj)
    peering_rec = {**rec, "createdAs": True} if created_as else rec
    net = ipaddress.ip_network(str(prefix.prefix), strict=False)
    for name in routers:
        ri = Device.objects.restrict(user, "view").filter(name=name, location__in=site.where, role__name=ROUTER_ROLE).first()
        instance = ri.bgp_routing_instances.select_related("router_id").first() if ri else None
        if instance is None:
            raise Conflict(f"router {name} has no BGP routing instance in Nautobot")
        own = list(IPAddress.objects.filter(interfaces__device=ri).distinct())
        local = next((a for a in own if a.host != ip and ipaddress.ip_address(a.host) in net), None) or next(
            (a for a in own if instance.router_id_id and a.pk == instance.router_id_id), None
        )
        if local is None:
            raise Conflict(f"router {name} has no address in {prefix.prefix} nor a router-id address on an interface")
        peering = Peering(status=_status(STATUS["peering_active" if active else "peering_pending"]))
        set_record(peering, peering_rec)
        save(peering, user, "add")
        # each endpoint's `peer` is the other one (what the BGP app's Peering.update_peers() sets),
        # with one save less: the external endpoint first (its validation is cheap), then the
        # router's with its peer (validated once: the routing-instance checks are the costly
        # part), then the external one's peer
        z = save(PeerEndpoint(peering=peering, source_ip=ip_obj, autonomous_system=as_obj, description=description or ""), user, "add")
        z.peer = save(PeerEndpoint(peering=peering, routing_instance=instance, source_ip=local, peer=z), user, "add")
        link_peer(z, user)
        written.append(peering)
    return written


def _claimer(obj):
    """The txn a record is pending for (a removal's marker, else the adding txn), or None."""
    rec = record_of(obj)
    if rec.get("pending") == "remove" or rec.get("removeTxn"):
        return rec.get("removeTxn")
    return rec.get("txn") if rec.get("pending") else None


def _refuse_claimed(site, ip, txn):
    """Refuse (Claimed) when the address or one of its peerings is pending for another txn; checked
    under the Location row lock, before anything is written."""
    for obj in [*([site.ip] if site.ip else []), *site.peerings]:
        other = _claimer(obj)
        if other and other != txn:
            raise Claimed(ip, site.location.name, other)


def _commit_ran(site, txn):
    """This removal txn's commit ran: its change message is in the change log (the detail of the
    ObjectChanges of its deletions) or, when it did not fit there, in a Note on the Location."""
    prefix = f"netops commit txn {txn}:"
    if ObjectChange.objects.filter(change_context_detail__startswith=prefix).exists():
        return True
    return Note.objects.filter(assigned_object_id=site.location.pk, note__startswith=prefix).exists()


def _marked(obj, txn):
    """The record carries this removal txn's marker (set by its prepare)."""
    return record_of(obj).get("removeTxn") == txn


def prepare(user, plan):
    c = plan["change"]
    site = Site(user, c["site"], c["ip"])
    txn = plan["txn"]
    if c["kind"] == "add_peer":
        if any(record_of(p).get("txn") == txn for p in site.peerings):
            return "prepared already"
        _refuse_claimed(site, c["ip"], txn)
        on = {r for p in site.peerings for r in site.routers_of(p)}
        routers = [r for r in c["routers"] if r not in on]
        if not routers:
            return "nothing to record"
        msg = change_message(plan["actor"], txn, "prepare", f"add peer {c['ip']} AS{c['as']} on {', '.join(routers)} (pending)")
        logged = log_as(msg)
        written = _create_peer(site, plan, c["ip"], c["as"], c.get("description"), routers, active=False)
        note_all(user, written, msg, logged)
        return "prepared"
    _refuse_claimed(site, c["ip"], txn)  # another removal's marks stay its own
    logged = log_as(change_message(plan["actor"], txn, "prepare", f"remove peer {c['ip']} (pending)"))
    marked = []
    for obj, status in [*[(p, STATUS["peering_removing"]) for p in site.peerings], *([(site.ip, STATUS["ip_removing"])] if site.ip else [])]:
        if _marked(obj, txn) and obj.status is not None and obj.status.name == status:
            continue  # prepared already
        obj.status = _status(status)
        set_record(obj, {**record_of(obj), "pending": "remove", "removeTxn": txn})
        save(obj, user, "change")
        marked.append(obj)
    if not marked:
        return "prepared already"
    note_all(user, marked, change_message(plan["actor"], txn, "prepare", f"remove peer {c['ip']} (pending)"), logged)
    return "prepared"


def commit(user, plan):
    c = plan["change"]
    site = Site(user, c["site"], c["ip"])
    txn = plan["txn"]
    if c["kind"] == "add_peer":
        mine = [p for p in site.peerings if record_of(p).get("txn") == txn and (p.status is None or p.status.name != STATUS["peering_active"])]
        ip = site.ip if site.ip and record_of(site.ip).get("txn") == txn and site.ip.status.name != STATUS["ip_active"] else None
        if not mine and not ip:
            if any(record_of(p).get("txn") == txn for p in site.peerings) or (plan.get("before") or {}).get("peer"):
                return "committed already"
            raise Conflict(f"nothing prepared for txn {txn} (peer {c['ip']} at {c['site']})")
        msg = change_message(plan["actor"], txn, "commit", f"peer {c['ip']} AS{c['as']} active")
        logged = log_as(msg)
        done = []
        for obj, status in [*[(p, STATUS["peering_active"]) for p in mine], *([(ip, STATUS["ip_active"])] if ip else [])]:
            obj.status = _status(status)
            set_record(obj, {**record_of(obj), "pending": None})
            save(obj, user, "change")
            done.append(obj)
        note_all(user, done, msg, logged)
        return "committed"
    # remove_peer: delete what this txn's prepare marked, nothing else (a peer added again since,
    # or marked by another removal, is not this commit's to delete)
    peerings = [p for p in site.peerings if _marked(p, txn)]
    ip = site.ip if site.ip and _marked(site.ip, txn) else None
    if not peerings and not ip:
        return "removed already"
    msg = change_message(plan["actor"], txn, "commit", f"removed peer {c['ip']} and released the address")
    logged = log_as(msg)
    for p in peerings:
        delete(p, user)  # its endpoints cascade
    if ip:
        delete(ip, user)
    note_all(user, [site.location], msg, logged)
    return "committed"


def abort(user, plan):
    c = plan["change"]
    site = Site(user, c["site"], c["ip"])
    txn = plan["txn"]
    before = plan.get("before") or {}
    if c["kind"] == "add_peer":
        mine = [p for p in site.peerings if record_of(p).get("txn") == txn]
        ip = site.ip if site.ip and record_of(site.ip).get("txn") == txn and not before.get("allocation") else None
        if not mine and not ip:
            return "aborted already"
        msg = change_message(plan["actor"], txn, "abort", f"rolled back add peer {c['ip']} AS{c['as']}")
        logged = log_as(msg)
        created_as = any(record_of(p).get("createdAs") for p in mine)
        for p in mine:
            delete(p, user)
        if ip:
            delete(ip, user)
        as_obj = AutonomousSystem.objects.filter(asn=c["as"]).first() if created_as else None
        if as_obj is not None:
            try:
                with transaction.atomic():
                    delete(as_obj, user)
            except (ProtectedError, PermissionDenied):
                pass  # still used by another peer, or not the user's to delete: keep it (as the REST path does)
        note_all(user, [site.location], msg, logged)
        return "aborted"
    # remove_peer: put back what this txn marked (only that: another removal's marks are its own)
    msg = change_message(plan["actor"], txn, "abort", f"restored peer {c['ip']}")
    logged = log_as(msg)
    touched = False
    for obj, active in [*[(p, STATUS["peering_active"]) for p in site.peerings], *([(site.ip, STATUS["ip_active"])] if site.ip else [])]:
        if not _marked(obj, txn):
            continue
        rec = record_of(obj)
        rec.pop("removeTxn", None)
        obj.status = _status(active)
        set_record(obj, {**rec, "pending": None})
        save(obj, user, "change")
        touched = True
    # what this txn's commit already deleted: recreate it from plan.before, only when that commit
    # ran (a peer another removal deleted is not this abort's to bring back)
    peer = before.get("peer")
    on = {r for p in site.peerings for r in site.routers_of(p)}
    missing = [r for r in peer["routers"] if r not in on] if peer else []
    if peer and (missing or not site.ip) and _commit_ran(site, txn):
        again = Site(user, c["site"], c["ip"])
        touched = bool(_create_peer(again, plan, peer["ip"], peer["as"], peer.get("description"), missing, active=True)) or touched
    if touched:
        note_all(user, [site.location], msg, logged)
        return "aborted"
    return "aborted already"


PHASES = {"prepare": prepare, "commit": commit, "abort": abort}

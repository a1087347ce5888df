"""REST views of netops_sot: Nautobot's authentication (API token or session), the token's
write flag for POST, and Nautobot's object permissions on every object read or written."""

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from contextlib import nullcontext

from django.db import IntegrityError, transaction
from nautobot.extras.context_managers import deferred_change_logging_for_bulk_operation
from nautobot.users.models import Token
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import __version__, changes
from ..site import read_site, read_sites

KINDS = ("add_peer", "remove_peer")


class TokenWriteEnabled(BasePermission):
    """A read-only API token may read, never write (as Nautobot's TokenPermissions)."""

    message = "this API token is not write-enabled"

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or not isinstance(request.auth, Token) or request.auth.write_enabled


class NetopsView(APIView):
    permission_classes = [IsAuthenticated, TokenWriteEnabled]


class StatusView(NetopsView):
    """GET: the app is installed (netops detects it with this)."""

    def get(self, request):
        return Response({"app": "netops_sot", "version": __version__, "phases": list(changes.PHASES), "kinds": list(KINDS)})


class SitesView(NetopsView):
    """GET: the Locations of type Site the user may view."""

    def get(self, request):
        return Response({"sites": read_sites(request.user)})


class SiteView(NetopsView):
    """GET sites/<name>/?asn=N&asn=M: the site's view (the GraphQL read's shape); 404 when unknown."""

    def get(self, request, name):
        try:
            asns = [int(a) for a in request.query_params.getlist("asn")]
        except ValueError:
            return Response({"netops": "bad_request", "detail": "asn must be integers"}, status=status.HTTP_400_BAD_REQUEST)
        data = read_site(request.user, name, asns)
        if data is None:
            return Response({"netops": "unknown_site", "detail": f"no Location named {name}"}, status=status.HTTP_404_NOT_FOUND)
        return Response(data)


def _bad_plan(body):
    """What is wrong with a change request body, or None."""
    if not isinstance(body, dict):
        return "a JSON object {phase, plan} is required"
    if body.get("phase") not in changes.PHASES:
        return f"phase must be one of {', '.join(changes.PHASES)}"
    plan = body.get("plan")
    if not isinstance(plan, dict) or not isinstance(plan.get("txn"), str) or not isinstance(plan.get("actor"), dict):
        return "plan must be netops' Plan (txn, change, actor, before, prefix)"
    c = plan.get("change")
    if not isinstance(c, dict) or c.get("kind") not in KINDS or not isinstance(c.get("site"), str) or not isinstance(c.get("ip"), str):
        return f"plan.change must be one of {', '.join(KINDS)} with site and ip"
    routers = c.get("routers")
    if not isinstance(routers, list) or not all(isinstance(r, str) for r in routers):
        return "plan.change.routers must be a list of router names"
    if c["kind"] == "add_peer" and (type(c.get("as")) is not int):  # noqa: E721 (a bool is not an AS)
        return "plan.change.as must be an integer for add_peer"
    if not isinstance(plan.get("before", {}), (dict, type(None))) or not isinstance(plan.get("prefix", ""), (str, type(None))):
        return "plan.before must be an object and plan.prefix a string"
    return None


class ChangeView(NetopsView):
    """POST {phase: prepare|commit|abort, plan}: one phase of a change, in one transaction."""

    def post(self, request):
        problem = _bad_plan(request.data)
        if problem:
            return Response({"netops": "bad_request", "detail": problem}, status=status.HTTP_400_BAD_REQUEST)
        phase, plan = request.data["phase"], request.data["plan"]
        # Phases that only create and update: Nautobot's deferred change logging (as its bulk views
        # use) serializes each object once, in its final state, into one bulk insert of
        # ObjectChanges (same user, request id and context). Phases that delete log each deletion
        # as it happens, so the snapshot is taken before the object is gone.
        deletes = phase == "abort" or (phase == "commit" and plan["change"]["kind"] == "remove_peer")
        try:
            with transaction.atomic(), (nullcontext() if deletes else deferred_change_logging_for_bulk_operation()):
                result = changes.PHASES[phase](request.user, plan)
        except DjangoPermissionDenied as e:
            raise PermissionDenied(str(e)) from e
        except changes.Claimed as e:  # raised under the Location row lock; nothing was written
            return Response({"netops": "claimed", "detail": str(e), "site": e.site, "txn": e.other}, status=status.HTTP_409_CONFLICT)
        except (changes.Conflict, IntegrityError, ObjectDoesNotExist) as e:
            return Response({"netops": "conflict", "detail": str(e)}, status=status.HTTP_409_CONFLICT)
        return Response({"phase": phase, "txn": plan["txn"], "result": result})

# -*- coding: utf-8 -*-
"""The configuration a change task sends, per platform: playbooks/templates/<task>/<platform>.j2
rendered with plain Jinja2 from the task's checked parameters (p) and the router's
inventory facts (host: local_as, router_id, mgmt_interface).

One code path for both users: the playbooks (filter netops_render) and
`netops chat "<text>" --render <platform>` (this file run as a script:
stdin {"task", "platform", "params", "host"} → stdout {"config"}; exit 2 on bad input)."""
from __future__ import annotations

import json
import os
import sys

import jinja2

PLATFORMS = ("frr", "eos", "junos", "ios", "iosxr", "nxos")
TEMPLATES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "templates")


class RenderError(Exception):
    """A task or platform without a template, or a template variable that is missing."""


def junos_quote(s) -> str:
    """Text inside a Junos double-quoted string."""
    return str(s).replace("\\", "\\\\").replace('"', '\\"')


def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), trim_blocks=True, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined, autoescape=False)
    env.filters["junos_quote"] = junos_quote
    return env


def tasks() -> list:
    """Change tasks that have templates."""
    return sorted(d for d in os.listdir(TEMPLATES) if os.path.isdir(os.path.join(TEMPLATES, d)))


def netops_render(task, platform, p, host) -> str:
    """The configuration text of a change task on a platform."""
    if platform not in PLATFORMS:
        raise RenderError("unknown platform %r (one of: %s)" % (platform, ", ".join(PLATFORMS)))
    if task not in tasks():
        raise RenderError("task %r has no configuration templates (tasks that have: %s)" % (task, ", ".join(tasks())))
    try:
        tpl = _env().get_template("%s/%s.j2" % (task, platform))
    except jinja2.TemplateNotFound:
        raise RenderError("no template %s/%s.j2 in %s" % (task, platform, TEMPLATES))
    try:
        return tpl.render(p=dict(p), host=dict(host))
    except jinja2.UndefinedError as e:
        raise RenderError("%s/%s.j2: %s" % (task, platform, e))


class FilterModule(object):
    def filters(self):
        return {"netops_render": netops_render}


def checked_params(task: str, params: dict) -> dict:
    """The parameters as the playbook's preflight checks and normalizes them (netops_params
    with the playbook's own netops_spec); RenderError listing the problems."""
    import yaml
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from netops_filters import netops_params
    with open(os.path.join(os.path.dirname(TEMPLATES), task + ".yml")) as f:
        spec = dict(yaml.safe_load(f)[0]["vars"]["netops_spec"])
    spec["in"] = {"kind": "name", "required": True}
    res = netops_params(params, spec)
    if res["errors"]:
        raise RenderError("invalid parameters: " + "; ".join(res["errors"]))
    return {k: v for k, v in res["values"].items()}


def main() -> int:
    try:
        req = json.load(sys.stdin)
        if req["task"] not in tasks():
            raise RenderError("task %r has no configuration templates (tasks that have: %s)" % (req["task"], ", ".join(tasks())))
        p = checked_params(req["task"], req.get("params") or {})
        print(json.dumps({"config": netops_render(req["task"], req["platform"], p, req.get("host") or {})}))
        return 0
    except (RenderError, KeyError, ValueError) as e:
        print(json.dumps({"error": str(e)}))
        return 2


if __name__ == "__main__":
    sys.exit(main())

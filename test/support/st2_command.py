"""Build the command line StackStorm's local-shell-script runner runs for an action.

Reads {"entry": path, "parameters": <action metadata parameters>, "values": {...}} as JSON on
stdin and prints the command string. Re-expresses, in our own words, what st2 does
(st2common/util/param.py get_finalized_params: defaults fill missing values;
util/action_db.py get_args; models/system/action.py ShellScriptAction._get_script_arguments:
None and "" omitted, True -> bare --name, False omitted, anything else --name=shlex.quote(str(v))),
so that str() of lists and floats is Python's own.
"""
import json
import shlex
import sys

req = json.load(sys.stdin)
params = req["parameters"]
values = dict(req["values"])
context = {"api_user": "chatuser", "source_channel": "ops"}
for name, meta in params.items():
    if "type" not in meta:          # runner parameter override (e.g. timeout): not an argument
        continue
    if name not in values and "default" in meta:
        d = meta["default"]
        if isinstance(d, str) and "{{" in d:
            key = d.split("action_context.")[1].split()[0].split("|")[0].strip(" }")
            d = context.get(key, "")
        values[name] = d
parts = []
for name, value in values.items():
    if value is None or (isinstance(value, str) and len(value) < 1):
        continue
    if isinstance(value, bool):
        if value is True:
            parts.append("--" + name)
        continue
    parts.append("%s=%s" % (shlex.quote("--" + name), shlex.quote(str(value))))
print("%s %s" % (shlex.quote(req["entry"]), " ".join(parts)))

"""Render StackStorm chat formats with real Jinja2, set up as st2common/util/jinja.py does.

stdin: JSON list of {"format", "context", "strict"}; stdout: JSON list of {"text"} or {"error"}.
strict: StrictUndefined (st2api renders ack formats so); else Undefined (chatops result formats).
"""
import json
import sys

import jinja2
import jinja2.sandbox


def environment(strict):
    env = jinja2.sandbox.SandboxedEnvironment(
        undefined=jinja2.StrictUndefined if strict else jinja2.Undefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.tests["in"] = lambda item, list: item in list
    return env


def main():
    out = []
    for case in json.load(sys.stdin):
        try:
            text = environment(case["strict"]).from_string(case["format"]).render(case["context"])
            out.append({"text": text})
        except Exception as e:  # the error is part of what is compared
            out.append({"error": "%s: %s" % (type(e).__name__, e)})
    json.dump(out, sys.stdout)


main()

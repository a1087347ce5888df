"""Drive a netops Orquesta workflow with orquesta's own WorkflowConductor (no StackStorm).

stdin: {"spec": <workflow YAML text>, "inputs": {...}, "st2": {...ctx().st2...},
        "outcomes": {"<task id>": {"status": "succeeded"|"failed"|"timeout", "result": {...}, "pending": bool}}}
stdout: {"ran": [{"task", "action", "input"}], "paused_on": [...], "status": ..., "output": ...}
Each task the conductor schedules is run the way StackStorm reports an action execution:
running → (pending: the workflow pauses, as for core.ask; then it resumes) → its outcome.
A task without a scripted outcome succeeds with an empty result.
"""
import json
import sys

import orquesta_compat  # noqa: F401  (Python 3.11 shims for orquesta 1.2.0; see that file)
from orquesta import conducting, events, statuses
from orquesta.specs import native


def main():
    req = json.load(sys.stdin)
    spec = native.WorkflowSpec(req["spec"])
    errors = spec.inspect(app_ctx={"st2": req["st2"]})
    if errors:
        json.dump({"errors": errors}, sys.stdout, default=str)
        return 1
    conductor = conducting.WorkflowConductor(spec, context={"st2": req["st2"]}, inputs=req["inputs"])
    conductor.request_workflow_status(statuses.RUNNING)
    ran, paused_on = [], []
    for _ in range(50):
        todo = conductor.get_next_tasks()
        if not todo:
            break
        for t in todo:
            for action in t["actions"]:
                ran.append({"task": t["id"], "action": action["action"], "input": action["input"]})
            out = req["outcomes"].get(t["id"], {})
            conductor.update_task_state(t["id"], t["route"], events.ActionExecutionEvent(statuses.RUNNING))
            if out.get("pending"):
                conductor.update_task_state(t["id"], t["route"], events.ActionExecutionEvent(statuses.PENDING))
                paused_on.append({"task": t["id"], "workflow": conductor.get_workflow_status()})
                conductor.request_workflow_status(statuses.RESUMING)
            status = {"succeeded": statuses.SUCCEEDED, "failed": statuses.FAILED, "timeout": statuses.EXPIRED}[out.get("status", "succeeded")]
            conductor.update_task_state(t["id"], t["route"], events.ActionExecutionEvent(status, result=out.get("result", {})))
    json.dump({"ran": ran, "paused_on": paused_on, "status": conductor.get_workflow_status(), "output": conductor.get_workflow_output(),
               "errors": conductor.errors}, sys.stdout, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())

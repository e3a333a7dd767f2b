"""What a coordinator's script does against a Prefect server, run in its own process by the server-mode tests.

``python -m tests.server.prefect_client run DEPLOYMENT JSON_PARAMS`` → the flow run id (does not wait);
``… wait ID STATE [SECONDS]`` → waits until the run is in STATE (or a final state), prints its state and result;
``… resume ID JSON_INPUT`` → resumes a paused run with that typed input;
``… artifacts ID`` → the keys and types of the run's artifacts.
Everything is printed as one JSON line on stdout.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time


async def main(command: str, *args: str) -> object:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId
    from prefect.deployments import run_deployment
    from prefect.flow_runs import resume_flow_run

    if command == "run":
        run = await run_deployment(args[0], parameters=json.loads(args[1]), timeout=0)
        return str(run.id)
    async with get_client() as client:
        if command == "wait":
            wanted, limit = args[1], float(args[2]) if len(args) > 2 else 240
            deadline = time.monotonic() + limit
            while True:
                run = await client.read_flow_run(args[0])
                state = run.state
                if (
                    state.name == wanted
                    or state.type.value == wanted
                    or state.is_final()
                    or time.monotonic() > deadline
                ):
                    result = None
                    if state.is_completed():
                        try:
                            result = await state.result(raise_on_failure=False, fetch=True)
                        except Exception:  # noqa: BLE001 — results are not persisted unless configured
                            result = None
                    return {"state": state.name, "type": state.type.value, "message": state.message, "result": result}
                await asyncio.sleep(1)
        if command == "resume":
            await resume_flow_run(args[0], run_input=json.loads(args[1]))
            return "resumed"
        if command == "artifacts":
            artifacts = await client.read_artifacts(
                artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[args[0]]))
            )
            return [{"key": a.key, "type": a.type} for a in artifacts]
    raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(*sys.argv[1:])), ensure_ascii=False, default=str))

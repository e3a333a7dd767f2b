"""The coordinator's answer from the CLI reaches a compile-report run that is paused for it on the Prefect server."""

from __future__ import annotations

import asyncio

__all__ = ["resume_paused_report_runs"]


def resume_paused_report_runs(plan: str, obligation: str, period: str, answer: dict) -> list[str]:
    """Resume every paused ``compile-report`` run for (plan, obligation, period) with ``answer``; their ids."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowFilter,
        FlowFilterName,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateName,
    )
    from prefect.flow_runs import aresume_flow_run

    async def run() -> list[str]:
        async with get_client() as client:
            paused = await client.read_flow_runs(
                flow_filter=FlowFilter(name=FlowFilterName(any_=["compile-report"])),
                flow_run_filter=FlowRunFilter(state=FlowRunFilterState(name=FlowRunFilterStateName(any_=["Paused"]))),
            )
        ids = []
        for flow_run in paused:
            given = flow_run.parameters
            if (given.get("plan"), given.get("obligation"), given.get("period")) == (plan, obligation, period):
                await aresume_flow_run(flow_run.id, run_input=answer)
                ids.append(str(flow_run.id))
        return ids

    return asyncio.run(run())

"""Prefect's runner for every deployment with its schedule: what ``dondoc serve`` (one machine) starts as a child
process, ``python -m dondoc.deployments.serve``, against the Prefect API that ``PREFECT_API_URL`` names.

The deployments, their flows and their schedules are those of ``deployments/prefect.yaml`` (read by
:mod:`dondoc.schedules`; ``dondoc serve`` prints them when it starts), with ``DONDOC_SCHEDULE_<FLOW>`` overrides
applied: nothing about a schedule is written here. The one without a schedule, compile-report, runs on demand (from
the Prefect UI or API; without Prefect: ``dondoc report build``, ``dondoc report approve``, ``dondoc report send``).
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Mapping

from dondoc.schedules import Planned, planned

__all__ = ["deployments", "main"]


def _flow(entrypoint: str):
    """``dondoc.flows.chase.chase`` (a module path, as in prefect.yaml) → that flow object."""
    module, attribute = entrypoint.rsplit(".", 1)
    return getattr(importlib.import_module(module), attribute)


def _schedules(entry: Planned) -> list:
    from prefect.schedules import Cron, Interval

    if entry.cron:
        return [Cron(entry.cron, timezone=entry.timezone)]
    if entry.every_seconds:
        return [Interval(entry.every_seconds, timezone=entry.timezone)]
    return []


def deployments(env: Mapping[str, str] | None = None) -> list:
    """The deployments with their effective schedules, built without a server (inspectable in tests)."""
    from prefect.deployments.runner import EntrypointType

    entries = planned(os.environ if env is None else env)
    # by module path, like prefect.yaml: the runner finds the flows in an installed wheel as in a checkout
    return [
        _flow(e.entrypoint).to_deployment(
            name=e.name, schedules=_schedules(e), description=e.description, entrypoint_type=EntrypointType.MODULE_PATH
        )
        for e in entries
    ]


def main() -> int:
    """Serve the deployments until SIGTERM / Ctrl-C; refuses without ``PREFECT_API_URL`` (a throw-away API has no
    scheduler: nothing would ever run)."""
    if not os.environ.get("PREFECT_API_URL", "").strip():
        print("PREFECT_API_URL chưa đặt / is not set: dùng / use `dondoc serve`", file=sys.stderr)
        return 2
    from prefect import serve

    serve(*deployments(), pause_on_shutdown=False, print_starting_message=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())

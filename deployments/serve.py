"""Prefect's runner for every deployment with its schedule: what ``dondoc serve`` (one machine) starts as a child
process, ``python -m deployments.serve``, against the Prefect API that ``PREFECT_API_URL`` names.

The schedules come from ``deployments/prefect.yaml`` (read by :mod:`dondoc.schedules`), in Asia/Ho_Chi_Minh:
sync daily at 06:00; chase on working days at 08:00 (the policy skips holidays and quiet periods itself); ingest
every 5 minutes; the coordinators' status digest on Mondays at 07:30; compile-report on demand (from the UI or by
API; without Prefect: ``dondoc report build``, ``approve``, ``send``). ``DONDOC_SCHEDULE_<FLOW>`` overrides one.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from dondoc.schedules import Planned, planned

__all__ = ["deployments", "main"]


def _flow(entrypoint: str):
    """``flows/chase.py:chase`` → the flow object ``dondoc.flows.chase.chase``."""
    file, attribute = entrypoint.split(":")
    module = importlib.import_module(".".join(Path(file).with_suffix("").parts))
    return getattr(module, attribute)


def _schedules(entry: Planned) -> list:
    from prefect.schedules import Cron, Interval

    if entry.cron:
        return [Cron(entry.cron, timezone=entry.timezone)]
    if entry.every_seconds:
        return [Interval(entry.every_seconds, timezone=entry.timezone)]
    return []


def deployments(env: Mapping[str, str] | None = None) -> list:
    """The deployments with their effective schedules, built without a server (inspectable in tests)."""
    entries = planned(os.environ if env is None else env)
    return [_flow(e.entrypoint).to_deployment(name=e.name, schedules=_schedules(e), description=e.description)
            for e in entries]


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

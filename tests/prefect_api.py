"""What the schedule tests read from a running Prefect server (its REST API, nothing written) and from /proc.

The tests that use this never create a flow run: every run they see was made by the server's scheduler.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import httpx


def deployments(api_url: str) -> dict[str, str]:
    """Deployment id → ``flow-name/deployment-name``."""
    flows = {f["id"]: f["name"] for f in httpx.post(f"{api_url}/flows/filter", json={}, timeout=30).json()}
    return {
        d["id"]: f"{flows.get(d['flow_id'], '?')}/{d['name']}"
        for d in httpx.post(f"{api_url}/deployments/filter", json={}, timeout=30).json()
    }


def flow_runs(api_url: str) -> list[dict]:
    """Every flow run, each with ``deployment`` (``flow/name``) added."""
    names = deployments(api_url)
    runs = httpx.post(
        f"{api_url}/flow_runs/filter", json={"limit": 200, "sort": "EXPECTED_START_TIME_ASC"}, timeout=30
    ).json()
    for run in runs:
        run["deployment"] = names.get(run["deployment_id"])
    return runs


def by_the_scheduler(run: dict) -> bool:
    """Created by a deployment's schedule (not by a person, a script or an automation)."""
    return bool(run.get("auto_scheduled")) and (run.get("created_by") or {}).get("type") == "SCHEDULE"


def wait_for(what: Callable[[], object], seconds: float, describe: Callable[[], str]) -> object:
    """``what()`` once it is truthy; fails with ``describe()`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            value = what()
        except httpx.HTTPError:
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds:.0f} s: {describe()}")
        time.sleep(2)


def descendants(pid: int) -> set[int]:
    """Every living process below ``pid`` (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    """Running (a zombie waiting to be reaped does not count)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"


def environment_without(prefixes: tuple[str, ...]) -> dict[str, str]:
    """This process's environment without the variables that start with ``prefixes``."""
    return {key: value for key, value in os.environ.items() if not key.startswith(prefixes)}

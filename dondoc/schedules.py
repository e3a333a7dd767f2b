"""The schedules of dondoc's deployments: read once from ``deployments/prefect.yaml``, overridable by environment.

``deployments/prefect.yaml`` is the one place where each deployment's cron and time zone are written; ``dondoc
serve`` (one machine) and ``deployments/server/run.sh`` (a work pool) both use it. ``DONDOC_SCHEDULE_<FLOW>``
replaces the schedule of one flow (``<FLOW>`` is the flow's file name in upper case: ``SYNC_PLANS``, ``CHASE``,
``INGEST_REPLIES``, ``STATUS_DIGEST``, ``COMPILE_REPORT``) with:

- a cron expression, e.g. ``*/2 * * * *`` (still in Asia/Ho_Chi_Minh);
- ``every 30s``, ``every 10m`` or ``every 2h``: an interval;
- ``off``: no schedule (the deployment still runs on demand).

``python -m dondoc.schedules OUT`` writes ``prefect.yaml`` with the overrides applied (``run.sh`` deploys that).
No Prefect import here: the schedules are plain data that tests and the CLI read without a server.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dondoc.errors import UsageError

__all__ = ["PREFECT_YAML", "Planned", "override_variable", "planned", "write_prefect_yaml"]

# dondoc/deployments is the repository's deployments/ (a symlink in a checkout, a subpackage in the wheel)
PREFECT_YAML = Path(__file__).resolve().parent / "deployments" / "prefect.yaml"
_EVERY = re.compile(r"^every\s+(\d+)\s*([smh])$")
_UNITS = {"s": 1, "m": 60, "h": 3600}
_CRON_FIELD = re.compile(r"^[0-9*/,\-A-Za-z?LW#]+$")


@dataclass(frozen=True, slots=True)
class Planned:
    """One deployment: its name, flow entry point and schedule (``cron`` or ``every_seconds``, or neither)."""

    name: str
    entrypoint: str
    description: str
    timezone: str
    cron: str | None = None
    every_seconds: int | None = None

    @property
    def flow_name(self) -> str:
        """``chase`` for ``dondoc.flows.chase.chase``, ``compile-report`` for ``dondoc.flows.compile_report.…``."""
        return _flow_module(self.entrypoint).replace("_", "-")

    @property
    def flow_key(self) -> str:
        """``CHASE`` for ``dondoc.flows.chase.chase``: the suffix of its override variable."""
        return _flow_module(self.entrypoint).upper()

    @property
    def schedule_text(self) -> str:
        """The schedule for people: ``cron 0 8 * * 1-5 (Asia/Ho_Chi_Minh)``, ``mỗi 30 giây``, ``theo yêu cầu``."""
        if self.cron:
            return f"cron {self.cron} ({self.timezone})"
        if self.every_seconds:
            return f"mỗi {self.every_seconds} giây / every {self.every_seconds} s"
        return "theo yêu cầu / on demand"


def _flow_module(entrypoint: str) -> str:
    """``chase`` for the module path ``dondoc.flows.chase.chase`` (module ``dondoc.flows.chase``, flow ``chase``)."""
    return entrypoint.rsplit(".", 2)[-2]


def override_variable(entrypoint: str) -> str:
    """The environment variable that overrides the schedule of the flow at ``entrypoint``."""
    return f"DONDOC_SCHEDULE_{_flow_module(entrypoint).upper()}"


def _load(path: Path) -> dict:
    from ruamel.yaml import YAML

    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def _overridden(entry: Planned, value: str) -> Planned:
    text = " ".join(value.split()).lower()
    name = override_variable(entry.entrypoint)
    if text == "off":
        return Planned(entry.name, entry.entrypoint, entry.description, entry.timezone)
    if match := _EVERY.match(text):
        seconds = int(match.group(1)) * _UNITS[match.group(2)]
        if seconds < 10:
            raise UsageError(f"{name}={value!r}: khoảng cách tối thiểu 10 giây / the shortest interval is 10 s")
        return Planned(entry.name, entry.entrypoint, entry.description, entry.timezone, every_seconds=seconds)
    fields = text.split(" ")
    if len(fields) == 5 and all(_CRON_FIELD.match(f) for f in fields):
        _check_cron(name, " ".join(fields))
        return Planned(entry.name, entry.entrypoint, entry.description, entry.timezone, cron=" ".join(fields))
    raise UsageError(
        f"{name}={value!r}: không phải lịch hợp lệ / not a schedule — a cron expression "
        "('*/5 * * * *'), 'every 30s' / 'every 10m' / 'every 2h', or 'off'"
    )


def _check_cron(name: str, cron: str) -> None:
    """Prefect's own cron check decides (the expression reaches Prefect unchanged)."""
    from prefect._internal.schemas.validators import validate_cron_string

    try:
        validate_cron_string(cron)
    except ValueError:
        raise UsageError(f"{name}={cron!r}: biểu thức cron không hợp lệ / invalid cron expression") from None


def planned(env: Mapping[str, str], path: Path = PREFECT_YAML) -> list[Planned]:
    """Every deployment of ``path`` with its schedule, ``DONDOC_SCHEDULE_<FLOW>`` overrides from ``env`` applied."""
    result = []
    for spec in _load(path)["deployments"]:
        [schedule] = spec.get("schedules") or [{}]
        entry = Planned(
            name=spec["name"],
            entrypoint=spec["entrypoint"],
            description=spec.get("description", ""),
            timezone=schedule.get("timezone", "Asia/Ho_Chi_Minh"),
            cron=schedule.get("cron"),
        )
        value = env.get(override_variable(entry.entrypoint), "").strip()
        result.append(_overridden(entry, value) if value else entry)
    return result


def write_prefect_yaml(env: Mapping[str, str], target: Path, source: Path = PREFECT_YAML) -> list[Planned]:
    """``source`` with each deployment's schedules replaced by its effective one (overrides applied) → ``target``."""
    from ruamel.yaml import YAML

    yaml = YAML()  # round trip: comments and order kept
    spec = yaml.load(source.read_text(encoding="utf-8"))
    entries = {entry.name: entry for entry in planned(env, source)}
    for deployment in spec["deployments"]:
        entry = entries[deployment["name"]]
        if entry.cron:
            deployment["schedules"] = [{"cron": entry.cron, "timezone": entry.timezone}]
        elif entry.every_seconds:
            deployment["schedules"] = [{"interval": entry.every_seconds, "timezone": entry.timezone}]
        else:
            deployment.pop("schedules", None)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8") as out:
        yaml.dump(spec, out)
    return list(entries.values())


def main(argv: list[str]) -> int:
    """``python -m dondoc.schedules OUT``: write the effective prefect.yaml; print one line per deployment."""
    import os

    if len(argv) != 1:
        print("usage: python -m dondoc.schedules OUT.yaml", file=sys.stderr)
        return 2
    try:
        entries = write_prefect_yaml(os.environ, Path(argv[0]))
    except UsageError as error:
        print(f"Lỗi / error: {error}", file=sys.stderr)
        return 1
    for entry in entries:
        print(f"{entry.name}: {entry.schedule_text}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

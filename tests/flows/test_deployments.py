"""The deployments can be built and inspected without a server; schedules are in Hà Nội time, written once in
deployments/prefect.yaml, and DONDOC_SCHEDULE_<FLOW> overrides them."""

import datetime as dt

import pytest
import yaml

from dondoc.errors import UsageError
from dondoc.schedules import PREFECT_YAML, planned, write_prefect_yaml


def test_every_flow_is_deployed_with_its_schedule():
    from dondoc.deployments.serve import deployments

    built = {d.name: d for d in deployments({})}
    assert set(built) == {"daily", "working-days", "every-5-minutes", "weekly", "on-demand"}
    digest = built["weekly"].schedules[0].schedule
    assert (digest.cron, digest.timezone) == ("30 7 * * 1", "Asia/Ho_Chi_Minh")
    chase = built["working-days"].schedules[0].schedule
    assert (chase.cron, chase.timezone) == ("0 8 * * 1-5", "Asia/Ho_Chi_Minh")
    assert built["every-5-minutes"].schedules[0].schedule.cron == "*/5 * * * *"
    assert (built["daily"].schedules[0].schedule.cron) == "0 6 * * *"
    assert built["on-demand"].schedules == []
    assert built["working-days"].description.startswith("Đôn đốc")
    parameters = built["working-days"]._parameter_openapi_schema.properties
    assert {"plan", "obligation", "period", "agency", "dry_run", "now"} <= set(parameters)


def test_prefect_yaml_matches_serve():
    spec = yaml.safe_load(PREFECT_YAML.read_text(encoding="utf-8"))
    assert {d["name"]: d["entrypoint"] for d in spec["deployments"]} == {
        "daily": "dondoc.flows.sync_plans.sync_plans",
        "working-days": "dondoc.flows.chase.chase",
        "every-5-minutes": "dondoc.flows.ingest_replies.ingest_replies",
        "weekly": "dondoc.flows.status_digest.status_digest",
        "on-demand": "dondoc.flows.compile_report.compile_report_flow",
    }


def test_a_schedule_is_overridden_per_flow_by_the_environment():
    from dondoc.deployments.serve import deployments

    built = {
        d.name: d
        for d in deployments(
            {
                "DONDOC_SCHEDULE_CHASE": "every 30s",
                "DONDOC_SCHEDULE_SYNC_PLANS": "*/2 * * * *",
                "DONDOC_SCHEDULE_STATUS_DIGEST": "off",
                "DONDOC_SCHEDULE_INGEST_REPLIES": " every 2m ",
            }
        )
    }
    chase = built["working-days"].schedules[0].schedule
    assert (chase.interval, chase.timezone) == (dt.timedelta(seconds=30), "Asia/Ho_Chi_Minh")
    assert built["daily"].schedules[0].schedule.cron == "*/2 * * * *"
    assert built["weekly"].schedules == []
    assert built["every-5-minutes"].schedules[0].schedule.interval == dt.timedelta(minutes=2)


@pytest.mark.parametrize(
    "value, says",
    [
        ("sometimes", "not a schedule"),
        ("every 5s", "shortest interval is 10 s"),
        ("61 * * * *", "invalid cron"),
        ("* * *", "not a schedule"),
    ],
)
def test_a_bad_override_names_the_variable(value, says):
    with pytest.raises(UsageError, match=says) as raised:
        planned({"DONDOC_SCHEDULE_CHASE": value})
    assert str(raised.value).startswith(f"DONDOC_SCHEDULE_CHASE={value!r}")


def test_the_work_pool_file_gets_the_same_overrides(tmp_path):
    entries = write_prefect_yaml(
        {"DONDOC_SCHEDULE_STATUS_DIGEST": "every 20s", "DONDOC_SCHEDULE_CHASE": "off"}, tmp_path / "prefect.yaml"
    )
    spec = yaml.safe_load((tmp_path / "prefect.yaml").read_text(encoding="utf-8"))
    deployments = {d["name"]: d for d in spec["deployments"]}
    assert deployments["weekly"]["schedules"] == [{"interval": 20, "timezone": "Asia/Ho_Chi_Minh"}]
    assert "schedules" not in deployments["working-days"]
    assert deployments["daily"]["schedules"] == [{"cron": "0 6 * * *", "timezone": "Asia/Ho_Chi_Minh"}]
    assert spec["pull"] == yaml.safe_load(PREFECT_YAML.read_text(encoding="utf-8"))["pull"]
    assert [e.schedule_text for e in entries if e.name == "weekly"] == ["mỗi 20 giây / every 20 s"]


def test_served_schedules_are_the_values_written_in_prefect_yaml():
    """Both deployment forms come from one file: each served deployment has exactly the cron, time zone, flow and
    description that prefect.yaml gives it (values compared, not only names)."""
    from dondoc.deployments.serve import deployments

    spec = yaml.safe_load(PREFECT_YAML.read_text(encoding="utf-8"))
    written = {d["name"]: d for d in spec["deployments"]}
    served = {d.name: d for d in deployments({})}
    assert set(served) == set(written)
    for name, deployment in served.items():
        assert [(s.schedule.cron, s.schedule.timezone) for s in deployment.schedules] == [
            (s["cron"], s["timezone"]) for s in written[name].get("schedules", [])
        ], name
        assert deployment.description == written[name]["description"]
        assert deployment.entrypoint == written[name]["entrypoint"]


@pytest.mark.parametrize(
    "env",
    [
        {},
        {
            "DONDOC_SCHEDULE_CHASE": "every 30s",
            "DONDOC_SCHEDULE_SYNC_PLANS": "*/2 * * * *",
            "DONDOC_SCHEDULE_STATUS_DIGEST": "off",
            "DONDOC_SCHEDULE_INGEST_REPLIES": "every 2h",
        },
    ],
    ids=["as written", "overridden"],
)
def test_both_deployment_forms_have_the_same_schedule_values(env, tmp_path):
    """dondoc serve's deployments and the work pool's prefect.yaml (what run.sh deploys) are built from the same
    schedules: per deployment, the same cron or interval (in seconds) and time zone, with or without overrides."""
    from dondoc.deployments.serve import deployments

    served = {
        d.name: [
            (s.schedule.cron, None, s.schedule.timezone)
            if getattr(s.schedule, "cron", None)
            else (None, s.schedule.interval.total_seconds(), s.schedule.timezone)
            for s in d.schedules
        ]
        for d in deployments(env)
    }
    write_prefect_yaml(env, tmp_path / "prefect.yaml")
    written = {
        d["name"]: [(s.get("cron"), s.get("interval"), s["timezone"]) for s in d.get("schedules", [])]
        for d in yaml.safe_load((tmp_path / "prefect.yaml").read_text(encoding="utf-8"))["deployments"]
    }
    assert served == written
    if env:  # the overrides reached both forms
        assert written["working-days"] == [(None, 30, "Asia/Ho_Chi_Minh")]
        assert written["every-5-minutes"] == [(None, 7200, "Asia/Ho_Chi_Minh")]
        assert written["daily"] == [("*/2 * * * *", None, "Asia/Ho_Chi_Minh")]
        assert written["weekly"] == []

"""The deployments can be built and inspected without a server; schedules are in Hà Nội time."""

import yaml

from dondoc.resources import shipped


def test_every_flow_is_deployed_with_its_schedule():
    from deployments.serve import deployments

    built = {d.name: d for d in deployments()}
    assert set(built) == {"daily", "working-days", "every-5-minutes", "weekly", "on-demand"}
    digest = built["weekly"].schedules[0].schedule
    assert (digest.cron, digest.timezone) == ("30 7 * * 1", "Asia/Ho_Chi_Minh")
    chase = built["working-days"].schedules[0].schedule
    assert (chase.cron, chase.timezone) == ("0 8 * * 1-5", "Asia/Ho_Chi_Minh")
    assert built["every-5-minutes"].schedules[0].schedule.cron == "*/5 * * * *"
    parameters = built["working-days"]._parameter_openapi_schema.properties
    assert {"plan", "obligation", "period", "agency", "dry_run", "now"} <= set(parameters)


def test_prefect_yaml_matches_serve():
    spec = yaml.safe_load((shipped("config").parent / "deployments" / "prefect.yaml").read_text(encoding="utf-8"))
    assert {d["name"]: d["entrypoint"] for d in spec["deployments"]} == {
        "daily": "flows/sync_plans.py:sync_plans", "working-days": "flows/chase.py:chase",
        "every-5-minutes": "flows/ingest_replies.py:ingest_replies",
        "weekly": "flows/status_digest.py:status_digest",
        "on-demand": "flows/compile_report.py:compile_report_flow"}

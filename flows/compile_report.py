"""The ``compile-report`` flow: compile, wait for the coordinator's approval, send up the chain."""

from __future__ import annotations

import datetime as dt

from prefect import flow, pause_flow_run, task
from prefect.artifacts import create_markdown_artifact
from prefect.client.orchestration import get_client
from prefect.exceptions import FlowPauseTimeout
from prefect.runtime import flow_run
from prefect.states import Failed, State
from pydantic import BaseModel

from dondoc.db.ids import row_id
from dondoc.errors import faults_explained
from dondoc.operations import opened, reports
from dondoc.settings import Settings
from dondoc.vocabulary import percent

ACTOR = "schedule:compile-report"  # who acts in the audit log (the approver is named by ``by``)

__all__ = ["Approval", "compile_report_flow", "timed_out"]


class Approval(BaseModel):
    """What the coordinator answers in the Prefect UI when the run pauses."""

    approve: bool = True
    by: str = ""  # who approves and signs: a signer of the coordinating agency (id, name or title)
    comment: str = ""  # when not approved: what to change before the report is built again


@task(name="compile")
def compile_task(settings: Settings, plan: str, obligation: str, period: str, now: dt.datetime) -> tuple[int, dict]:
    with faults_explained(), opened(settings) as app:
        built = reports.build(app, plan, obligation=obligation, period=period, now=now)
    row, data = built.row, built.data
    files = {kind: str(path) for kind, path in built.files.items()}
    return row_id(row), {
        "summary": row.summary,
        "files": files,
        "label": data.period_label,
        "title": data.obligation_title,
        "missing": [a.name for a in data.missing_agencies],
    }


@task(name="approve-and-send")
def approve_and_send(settings: Settings, report_id: int, by: str, now: dt.datetime) -> int:
    with faults_explained(), opened(settings) as app:
        # approve_by: approved here unless `dondoc report approve` did it already
        return reports.send(app, report_id, actor=ACTOR, now=now, approve_by=by).mails.sent


@task(name="reject")
def reject_task(settings: Settings, report_id: int, comment: str) -> None:
    with faults_explained(), opened(settings) as app:
        # only_draft: `dondoc report reject` may have done it already
        reports.reject(
            app, report_id, comment=comment or "không duyệt (không có ghi chú)", actor=ACTOR, only_draft=True
        )


def _markdown(info: dict) -> str:
    s = info["summary"]
    lines = [
        f"## {info['title']} {info['label']}",
        "",
        "| | |",
        "|---|---|",
        f"| Tỷ lệ báo cáo | {s['submitted']}/{s['expected']} ({percent(s['reporting_rate'])}) |",
        f"| Tỷ lệ đúng hạn | {s['on_time']}/{s['expected']} ({percent(s['timeliness_rate'])}) |",
        f"| Muộn / thiếu / miễn | {s['late']} / {s['missing']} / {s['excused']} |",
        "",
    ]
    if info["missing"]:
        lines += ["Chưa gửi: " + ", ".join(info["missing"]), ""]
    lines += [f"- {kind}: `{path}`" for kind, path in info["files"].items()]
    return "\n".join(lines)


def _span(delta: dt.timedelta) -> tuple[str, str]:
    """A waiting time for people, in Vietnamese and English: ('7 ngày', '7 day(s)'), ('30 giây', '30 second(s)')."""
    seconds = int(delta.total_seconds())
    for size, vi, en in ((86400, "ngày", "day(s)"), (3600, "giờ", "hour(s)"), (60, "phút", "minute(s)")):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size} {vi}", f"{seconds // size} {en}"
    return f"{seconds} giây", f"{seconds} second(s)"


def timed_out(report_id: int, waited: dt.timedelta) -> str:
    """What a run that waited in vain for approval says (its final state's message)."""
    vi, en = _span(waited)
    return (
        f"Hết thời gian chờ duyệt ({vi}) / no approval within {en}: báo cáo #{report_id} vẫn là bản nháp, chưa "
        f"gửi / report #{report_id} stays a draft, not sent — duyệt và gửi bằng / approve and send with "
        f"`dondoc report approve {report_id}` và / and `dondoc report send {report_id}`"
    )


def _end_expired_pause(state: State) -> None:
    """Put ``state`` on the server for this run, whose pause has expired.

    Prefect's orchestration refuses any ordinary transition out of an expired
    pause and puts its own ``Failed`` ("The flow was failed and never
    resumed.") in its place; the server's pause-expiration service does the
    same when the process waiting is gone. Forced, the run ends with our
    message, which names the draft and the commands that approve it.
    """
    with get_client(sync_client=True) as client:
        client.set_flow_run_state(flow_run.id, state=state, force=True)


@flow(name="compile-report", log_prints=True)
def compile_report_flow(
    plan: str,
    obligation: str,
    period: str,
    require_approval: bool = True,
    approval_timeout_hours: float | None = None,
    now: dt.datetime | None = None,
) -> dict | State:
    """Tổng hợp báo cáo: compile; pause for the coordinator's approval; then send it up.

    With ``require_approval`` false the report is compiled and left as a draft
    (approve later with `dondoc report approve`). The pause lasts
    ``approval_timeout_hours``, else the ``DONDOC_APPROVAL_TIMEOUT`` setting (7
    days); when nobody answers in time the run ends ``Failed`` with a message
    that names the draft, which stays approvable from the CLI.
    """
    settings = Settings()
    moment = now or dt.datetime.now(dt.UTC)
    report_id, info = compile_task(settings, plan, obligation, period, moment)
    create_markdown_artifact(key="consolidated-report", markdown=_markdown(info), description="Báo cáo tổng hợp")
    result = {"report": report_id, **info["summary"], "status": "draft"}
    if not require_approval:
        return result
    wait = settings.approval_timeout if approval_timeout_hours is None else dt.timedelta(hours=approval_timeout_hours)
    seconds = max(1, round(wait.total_seconds()))
    try:
        answer = pause_flow_run(wait_for_input=Approval, timeout=seconds, poll_interval=min(10, max(1, seconds // 4)))
    except FlowPauseTimeout:
        message = timed_out(report_id, wait)
        print(message)
        _end_expired_pause(Failed(message=message))
        return Failed(message=message, data={**result, "status": "timed-out"})
    if answer.approve:
        sent = approve_and_send(settings, report_id, answer.by, moment)
        result.update(status="sent", mails=sent)
    else:
        reject_task(settings, report_id, answer.comment)
        result.update(status="rejected", comment=answer.comment)
    return result

"""Reminders rendered once per group and filled in are the bytes of reminders rendered one by one."""

from __future__ import annotations

import datetime as dt

import jinja2
from sqlmodel import Session

from dondoc.chase import DeadlineView, MailSetup, compose_reminder, plan_reminders
from dondoc.mail.render import SharedRender, jinja_environment
from dondoc.policy import PolicyFile, Reminder
from dondoc.resources import shipped
from dondoc.sync import sync_catalog
from dondoc.workdays import WorkCalendar

NOW = dt.datetime(2026, 12, 8, 2, tzinfo=dt.UTC)


def test_reminders_of_the_shipped_plans_are_the_same_bytes_rendered_once_per_group(catalog, engine):
    setup = MailSetup(
        env=jinja_environment(shipped("templates")),
        sender="dondoc@so.example.org",
        sender_name="Hệ thống đôn đốc báo cáo",
        domain="so.example.org",
        reply_local="baocao",
        hmac_key=b"k",
        attach_files=False,
    )
    calendar = WorkCalendar(catalog.calendar_years.values())
    with Session(engine) as session:
        sync_catalog(catalog, session=session, now=NOW, horizon_days=60)
        planned = plan_reminders(
            session, catalog, PolicyFile(), calendar, NOW, setup.timezone, force_stage="due@2026-12-08"
        )
        items = [(DeadlineView.of(row), reminder) for row, reminder in planned]
    # every open deadline twice: as a plain stage and as an escalated overdue one (copies, other words)
    items += [(view, Reminder(view.id, "overdue-2@x", reminder.on, 2, True)) for view, reminder in items]
    assert len(items) > 100
    texts = SharedRender(setup.env)
    shared = [
        compose_reminder(setup, set(), catalog, calendar, view, reminder, NOW, texts).raw for view, reminder in items
    ]
    alone = [compose_reminder(setup, set(), catalog, calendar, view, reminder, NOW).raw for view, reminder in items]
    assert shared == alone
    # the shipped plans give agencies their own targets and copies, so groups are small; some are shared
    assert 1 < len(texts.groups) < len(items) and max(seen for _, seen in texts.groups.values()) > SharedRender.CHECKED
    assert all(marked is not None for marked, _ in texts.groups.values())


def _env(templates: dict[str, str]) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.DictLoader(templates),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",)),
    )


def test_a_template_that_filters_a_filled_value_or_prints_a_varying_one_is_rendered_mail_by_mail():
    env = _env({"a.txt": "{{ name|upper }} {{ n }}", "b.html": "<p>{{ name }}</p>{{ reply_to }}"})
    texts = SharedRender(env)
    names = [("Ủy ban <A>", "x@example.org"), ("Sở B & C", "y@example.org"), ("Xã D", "z@example.org")]
    got = [
        texts.render(("a.txt", "b.html"), {"name": n, "n": 1, "reply_to": r}, ("name",), ("reply_to",))
        for n, r in names
    ]
    assert got == [[f"{n.upper()} 1", f"<p>{jinja2.utils.markupsafe.escape(n)}</p>{r}"] for n, r in names]
    assert list(texts.groups.values())[0][0] is None


def test_a_plain_template_is_filled_and_escaped_for_html():
    env = _env({"a.txt": "Kính gửi {{ name }} ({{ n }})", "b.html": "<p>{{ name }}</p>"})
    texts = SharedRender(env)
    got = [
        texts.render(("a.txt", "b.html"), {"name": n, "n": 1, "id": i}, ("name",), ("id",))
        for i, n in enumerate(["A", "B", "Sở <C> & D", "E"])
    ]
    assert got[2] == ["Kính gửi Sở <C> & D (1)", "<p>Sở &lt;C&gt; &amp; D</p>"]
    assert len(texts.groups) == 1 and list(texts.groups.values())[0][0] is not None

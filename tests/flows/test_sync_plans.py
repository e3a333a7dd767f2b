"""The sync-plans flow on a real (test) Prefect server."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.support.config import PLAN, write_config

pytestmark = [pytest.mark.prefect, pytest.mark.slow]


def test_sync_plans_flow_materialises_then_is_idempotent(prefect_harness, tmp_path, monkeypatch):
    from dondoc.flows.sync_plans import sync_plans

    monkeypatch.setenv("DONDOC_CONFIG_DIR", str(write_config(tmp_path / "config")))
    monkeypatch.setenv("DONDOC_DATA_DIR", str(tmp_path / "data"))
    now = dt.datetime(2021, 3, 1, 1, 0, tzinfo=dt.UTC)
    first = sync_plans(now=now)
    assert first["created"]["deadlines"] == 6
    assert first["deadlines_total"] == 6
    second = sync_plans(now=now)
    assert (second["created"], second["updated"], second["retired"]) == ({}, {}, {})


def test_sync_plans_flow_fails_on_invalid_config_and_says_where(prefect_harness, tmp_path, monkeypatch):
    from prefect.states import State

    from dondoc.flows.sync_plans import sync_plans

    monkeypatch.setenv("DONDOC_CONFIG_DIR", str(write_config(tmp_path / "config", plan=PLAN.replace("20/5", "31/2"))))
    monkeypatch.setenv("DONDOC_DATA_DIR", str(tmp_path / "data"))
    state: State = sync_plans(return_state=True)
    assert state.is_failed()
    assert "demo-2021.yaml:14: 31/2: day 31 does not exist in month 2" in str(state.message) + repr(
        state.result(raise_on_failure=False)
    )

"""Chases big enough to compose in worker processes (each chunk queued already claimed by its run), on PostgreSQL:
two runs at once send each reminder once, and a run over its rate limit leaves the rest pending for the next."""

from __future__ import annotations

import pytest

from dondoc.chase import PIPELINE_MIN
from dondoc.db.tables import OutboxStatus
from dondoc.mail.sink import MaildirSink
from tests.integration.test_crash import MORNING, big_config, cli_env, dondoc, rows

AGENCIES = PIPELINE_MIN + 100  # composed in worker processes, in chunks


@pytest.mark.slow
@pytest.mark.postgres
def test_two_pipelined_chase_runs_at_once_on_postgres_send_each_reminder_once(tmp_path, pg_url):
    big_config(tmp_path / "config", agencies=AGENCIES)
    with MaildirSink(tmp_path / "mail") as sink:
        env = {**cli_env(tmp_path, sink.port, pg_url), "DONDOC_COMPOSE_WORKERS": "1"}
        assert dondoc(env, "sync", "--now", "2021-03-01").wait(120) == 0
        runs = [dondoc(env, "chase", "--now", MORNING) for _ in range(2)]
        results = [run.communicate(timeout=300) for run in runs]
        assert [run.returncode for run in runs] == [0, 0], [e.decode()[-2000:] for _, e in results]
        assert sink.stats.received == AGENCIES  # not a single resend: a row is queued by one run, sent by it
        assert set(sink.stats.delivered.values()) == {1} and len(sink.stats.delivered) == AGENCIES
        outbox = rows(pg_url)
        assert {r.status for r in outbox} == {OutboxStatus.SENT} and {r.attempts for r in outbox} == {1}
        assert {r.claimed_by for r in outbox} == {None}


@pytest.mark.slow
@pytest.mark.postgres
def test_a_pipelined_chase_over_its_rate_limit_queues_the_rest_pending_for_the_next_run(tmp_path, pg_url):
    big_config(tmp_path / "config", agencies=AGENCIES)
    with MaildirSink(tmp_path / "mail") as sink:
        env = {**cli_env(tmp_path, sink.port, pg_url), "DONDOC_COMPOSE_WORKERS": "1", "DONDOC_SMTP_RATE_LIMIT": "300"}
        assert dondoc(env, "sync", "--now", "2021-03-01").wait(120) == 0
        first = dondoc(env, "chase", "--now", MORNING)
        _, err = first.communicate(timeout=300)
        assert first.returncode == 0, err.decode()[-2000:]
        outbox = rows(pg_url)
        assert sink.stats.received == 300 and len(outbox) == AGENCIES
        assert sorted(r.status for r in outbox).count(OutboxStatus.PENDING) == AGENCIES - 300
        assert {r.attempts for r in outbox if r.status == OutboxStatus.PENDING} == {0}
        for _ in range(2):
            rerun = dondoc(env, "chase", "--now", MORNING)
            _, err = rerun.communicate(timeout=300)
            assert rerun.returncode == 0, err.decode()[-2000:]
        assert sink.stats.received == AGENCIES and set(sink.stats.delivered.values()) == {1}
        assert {r.status for r in rows(pg_url)} == {OutboxStatus.SENT}

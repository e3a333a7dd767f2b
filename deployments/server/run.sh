#!/usr/bin/env bash
# dondoc in server mode on a machine without Docker: a Prefect server, a process work pool, N workers.
#
#   deployments/server/run.sh start     # migrate + sync, Prefect server (unless PREFECT_API_URL answers), deploy, workers
#   deployments/server/run.sh status    # what runs, and `dondoc doctor`
#   deployments/server/run.sh stop      # workers and the Prefect server this script started
#
# Settings come from the environment (or an env file named by DONDOC_ENV_FILE, e.g. /etc/dondoc/dondoc.env,
# mode 0600 — see deployments/server/dondoc.env.example); nothing secret is written by this script.
#   DONDOC_DATABASE_URL       the application's PostgreSQL, e.g. postgresql+psycopg://dondoc@db.example.org/dondoc
#   DONDOC_HMAC_KEY, DONDOC_SMTP_*, DONDOC_INBOX=imap + DONDOC_IMAP_*   (see the README's settings table)
#   PREFECT_API_DATABASE_CONNECTION_URL   the Prefect server's own PostgreSQL (postgresql+asyncpg://…);
#                                         unset: SQLite under PREFECT_HOME (fine for one machine)
#   PREFECT_SERVER_PORT (4200), DONDOC_WORKERS (2), DONDOC_RUN_DIR (pids and logs; default $DONDOC_DATA_DIR/run)
#   DONDOC_SCHEDULE_<FLOW>    overrides one schedule of deployments/prefect.yaml (cron, 'every 30s', 'off'; README)
#   PREFECT_SERVER_SERVICES_SCHEDULER_MIN_RUNS / _MAX_RUNS   runs scheduled ahead per schedule (default here: 1,
#                                         so a machine that was off runs a missed slot once, not once per slot)
#   DONDOC_PYTHON (the Python of the virtual environment where dondoc is installed; default: python3 on PATH)
set -euo pipefail
cd "$(dirname "$0")/../.."   # the repository (the flows' working directory; entrypoints are module paths)
ROOT=$(pwd)
if [ -n "${DONDOC_ENV_FILE:-}" ]; then set -a; . "$DONDOC_ENV_FILE"; set +a; fi
PY=${DONDOC_PYTHON:-python3}
BIN=$(dirname "$(command -v "$PY")")
export DONDOC_CODE_DIR=$ROOT DO_NOT_TRACK=1 PREFECT_SERVER_ANALYTICS_ENABLED=false
export DONDOC_DATA_DIR=${DONDOC_DATA_DIR:-$ROOT/dondoc-data}
RUN=${DONDOC_RUN_DIR:-$DONDOC_DATA_DIR/run}
PORT=${PREFECT_SERVER_PORT:-4200}
export PREFECT_API_URL=${PREFECT_API_URL:-http://127.0.0.1:$PORT/api}
WORKERS=${DONDOC_WORKERS:-2}
mkdir -p "$RUN" && chmod 700 "$RUN"

say() { echo "== $*"; }
healthy() { "$PY" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + '/health', timeout=2)" \
              "$PREFECT_API_URL" >/dev/null 2>&1; }
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start() {
  say "database: migrations and plans (dondoc sync)"
  "$BIN/dondoc" sync >"$RUN/sync.log" 2>&1 || { cat "$RUN/sync.log" >&2; exit 1; }
  "$PY" -m dondoc.schedules "$RUN/prefect.yaml" >"$RUN/schedules.log" 2>&1 || { cat "$RUN/schedules.log" >&2; exit 1; }
  if healthy; then
    say "Prefect API already answers at $PREFECT_API_URL"
  else
    say "starting the Prefect server on 127.0.0.1:$PORT"
    PREFECT_SERVER_SERVICES_SCHEDULER_MIN_RUNS=${PREFECT_SERVER_SERVICES_SCHEDULER_MIN_RUNS:-1} \
    PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS=${PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS:-1} \
      nohup "$BIN/prefect" server start --host 127.0.0.1 --port "$PORT" >"$RUN/prefect-server.log" 2>&1 &
    echo $! >"$RUN/prefect-server.pid"
    for _ in $(seq 1 120); do healthy && break; sleep 1; done
    healthy || { echo "the Prefect server did not answer within 120 s; see $RUN/prefect-server.log" >&2; exit 1; }
  fi
  # a server this script started has no CSRF protection (Prefect's default, unless PREFECT_SERVER_CSRF_PROTECTION_ENABLED
  # says otherwise): its workers and their flow runs skip asking it for a token, one request less per flow run
  if alive "$RUN/prefect-server.pid"; then
    case "${PREFECT_SERVER_CSRF_PROTECTION_ENABLED:-false}" in
      [Tt]rue|1|[Yy]es|[Oo]n) ;;
      *) export PREFECT_CLIENT_CSRF_SUPPORT_ENABLED=${PREFECT_CLIENT_CSRF_SUPPORT_ENABLED:-false} ;;
    esac
  fi
  say "work pool 'dondoc' and the deployments of deployments/prefect.yaml (DONDOC_SCHEDULE_* applied)"
  "$BIN/prefect" work-pool create dondoc --type process >/dev/null 2>&1 || true
  "$BIN/prefect" --no-prompt deploy --all --prefect-file "$RUN/prefect.yaml" >"$RUN/deploy.log" 2>&1 \
    || { cat "$RUN/deploy.log" >&2; exit 1; }
  sed 's/^/   /' "$RUN/schedules.log"
  for i in $(seq 1 "$WORKERS"); do
    if alive "$RUN/worker-$i.pid"; then continue; fi
    say "starting worker $i"
    nohup "$BIN/prefect" worker start --pool dondoc --name "$(hostname)-$i" >"$RUN/worker-$i.log" 2>&1 &
    echo $! >"$RUN/worker-$i.pid"
  done
  say "started; logs in $RUN; the UI at ${PREFECT_API_URL%/api}"
}

stop() {
  for pidfile in "$RUN"/worker-*.pid "$RUN"/prefect-server.pid; do
    [ -f "$pidfile" ] || continue
    if alive "$pidfile"; then
      kill "$(cat "$pidfile")" 2>/dev/null || true
      for _ in $(seq 1 30); do alive "$pidfile" || break; sleep 1; done
      alive "$pidfile" && kill -9 "$(cat "$pidfile")" 2>/dev/null || true
    fi
    rm -f "$pidfile"
  done
  say "stopped"
}

status() {
  for pidfile in "$RUN"/*.pid; do
    [ -f "$pidfile" ] || continue
    if alive "$pidfile"; then echo "running  $(basename "$pidfile" .pid) (pid $(cat "$pidfile"))"
    else echo "stopped  $(basename "$pidfile" .pid)"; fi
  done
  "$BIN/dondoc" doctor
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac

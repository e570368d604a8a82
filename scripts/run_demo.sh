#!/usr/bin/env bash
# Start (or stop) the demo's web server, Celery worker and beat in the background; print URLs and logins.
set -u
cd "$(dirname "$0")/.."
RUN=.local/run
mkdir -p "$RUN"
stop_all() {
  for name in web worker beat; do
    if [ -f "$RUN/$name.pid" ]; then
      kill "$(cat "$RUN/$name.pid")" 2>/dev/null || true
      rm -f "$RUN/$name.pid"
    fi
  done
}
if [ "${1:-}" = "stop" ]; then stop_all; exit 0; fi
PORT="${1:-8000}"
stop_all
BIN=.venv/bin
export DJANGO_SETTINGS_MODULE=ltci.settings.local
nohup $BIN/gunicorn ltci.wsgi:application --env DJANGO_SETTINGS_MODULE=ltci.settings.local \
  -c gunicorn.conf.py --bind 127.0.0.1:"$PORT" --access-logfile "$RUN/web-access.log" >"$RUN/web.log" 2>&1 &
echo $! > "$RUN/web.pid"
nohup $BIN/celery -A ltci worker --loglevel=INFO --concurrency=2 >"$RUN/worker.log" 2>&1 &
echo $! > "$RUN/worker.pid"
nohup $BIN/celery -A ltci beat --loglevel=INFO >"$RUN/beat.log" 2>&1 &
echo $! > "$RUN/beat.pid"
# A fresh machine may have no curl: ask with the venv's Python.
answers() {
  $BIN/python -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5)" \
    "http://127.0.0.1:$PORT/admin/login/" 2>/dev/null
}
for _ in $(seq 1 60); do
  answers && break
  sleep 0.5
done
if ! answers; then
  echo "the web server did not answer; see $RUN/web.log" >&2
  tail -20 "$RUN/web.log" >&2
  exit 1
fi
$BIN/python manage.py demo_info --port "$PORT"
echo "Logs: $RUN/  Stop everything: make stop"

#!/usr/bin/env bash
# The bounded load test of issue 14 (docs/security.md, "Load test"): the demo province on PostgreSQL,
# gunicorn (DEBUG off, LOAD_WEB_WORKERS workers) and a real Celery worker on Redis, LOAD_USERS locust
# users for LOAD_SECONDS mixing page views and pipeline writes (bench/load_writes.py); then every write
# the server acknowledged is looked for in the database (bench/load_check.py).
#
#   LOAD_DATABASE=partyhub_load bash bench/load.sh       # needs bash .ci/services.sh first
#
# Exit 0 only if locust saw no failure (no 5xx, no refused write) and every write is present once.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
DB=${LOAD_DATABASE:-partyhub_load}
export DATABASE_URL=${LOAD_DATABASE_URL:-postgres://partyhub:partyhub@127.0.0.1:5432/$DB}
export REDIS_URL=${LOAD_REDIS_URL:-redis://127.0.0.1:6379/5}
USERS=${LOAD_USERS:-50}
SECONDS_=${LOAD_SECONDS:-300}
PORT=${LOAD_PORT:-8100}
OUT=bench/results/load-$(date -u +%Y%m%dT%H%M%S)
mkdir -p "$OUT"

if [ "${LOAD_FRESH:-1}" = 1 ]; then
    psql "${DATABASE_URL%/*}/postgres" -qc "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
    $BIN/python manage.py migrate -v0
    $BIN/python manage.py load_demo > "$OUT/load_demo.log"
fi
$BIN/python manage.py migrate -v0  # a kept database gets the migrations of this checkout
$BIN/python bench/load_check.py targets "$OUT/targets.json" > /dev/null

$BIN/python manage.py collectstatic --noinput -v0
export DJANGO_DEBUG=0 SECRET_KEY=load-test-$RANDOM$RANDOM$RANDOM$RANDOM ALLOWED_HOSTS=127.0.0.1,localhost \
    EMAIL_URL=smtp://127.0.0.1:2525 LOG_LEVEL=WARNING
setsid $BIN/gunicorn partyhub.wsgi --bind 127.0.0.1:$PORT --workers "${LOAD_WEB_WORKERS:-2}" --timeout 120 \
    --no-control-socket --access-logfile "$OUT/access.log" > "$OUT/gunicorn.log" 2>&1 &
WEB=$!
setsid $BIN/celery -A partyhub worker -c 1 -l warning > "$OUT/worker.log" 2>&1 &
WORKER=$!
trap 'kill -- -$WEB -$WORKER 2>/dev/null || true' EXIT
for _ in $(seq 60); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/dang-nhap/" && break; sleep 1; done

status=0
LOAD_TARGETS="$OUT/targets.json" LOAD_WRITES="$OUT/writes.jsonl" $BIN/python -m locust -f bench/load_writes.py --headless \
    -u "$USERS" -r 5 -t "${SECONDS_}s" --host "http://127.0.0.1:$PORT" --csv "$OUT/load" --only-summary \
    > "$OUT/locust.log" 2>&1 || status=$?
touch "$OUT/writes.jsonl"
$BIN/python bench/load_check.py check "$OUT/writes.jsonl" | tee "$OUT/check.txt" || status=1
grep -E "^(Type|POST|GET|  *Aggregated)" "$OUT/locust.log" | tail -20 || true
server_errors=$(awk '$9 ~ /^5/' "$OUT/access.log" | wc -l)
echo "requests served: $(wc -l < "$OUT/access.log"), 5xx: $server_errors; results in $OUT"
[ "$server_errors" = 0 ] || status=1
exit $status

#!/usr/bin/env bash
# Brings up what the second CI pass (and a developer trying PostgreSQL/Redis locally) needs:
# the Debian packages, PostgreSQL 15 with a `partyhub` role and database, and Redis on
# 127.0.0.1:6379. Safe to run again: every step first checks whether its work is already done.
#
# Run as root on Debian 12:  bash .ci/services.sh
# Then:  DATABASE_URL=postgres://partyhub:partyhub@127.0.0.1:5432/partyhub \
#        REDIS_URL=redis://127.0.0.1:6379/0 make test
set -euo pipefail

cd "$(dirname "$0")/.."
# Redis pidfile and log live here (git-ignored), next to the checkout rather than in /var/run.
STATE_DIR="$PWD/.ci/state"

PG_VERSION=15
PG_CLUSTER=main
PG_PORT=5432
DB_NAME=partyhub
DB_USER=partyhub
DB_PASSWORD=partyhub
REDIS_PORT=6379

log() { printf '[services] %s\n' "$*"; }

if [ "$(id -u)" -ne 0 ]; then
    echo "services.sh needs root (apt-get, pg_ctlcluster, runuser); there is no sudo on these machines." >&2
    exit 1
fi

# --- Debian packages ------------------------------------------------------------------------
# redis-server for Celery and the cache, chromium for the Playwright tests, fonts-noto-core so
# Vietnamese renders in Chromium and WeasyPrint, poppler-utils (pdftotext) for checking PDFs,
# make because .ci/run and the developer commands all go through the Makefile.
packages=(redis-server chromium fonts-noto-core poppler-utils make)
missing=()
for pkg in "${packages[@]}"; do
    # Same data as `dpkg -s`, but just the status: a removed package whose config files remain is
    # still "known" to dpkg and must count as missing. (Piping `dpkg -s` into `grep -q` is a trap
    # under pipefail: grep exits early, dpkg gets SIGPIPE and the pipeline "fails".)
    if [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)" != "install ok installed" ]; then
        missing+=("$pkg")
    fi
done
if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
else
    log "packages already installed"
fi

# --- PostgreSQL -----------------------------------------------------------------------------
# psql as the postgres user (peer authentication on the local socket). cd / first, because
# postgres cannot read the checkout and psql would warn about the working directory.
as_postgres() { (cd / && runuser -u postgres -- "$@"); }
psql_admin() { as_postgres psql --no-psqlrc -v ON_ERROR_STOP=1 -qtA "$@"; }

status=$(pg_lsclusters --no-header | awk -v v="$PG_VERSION" -v c="$PG_CLUSTER" '$1 == v && $2 == c {print $4}')
if [ -z "$status" ]; then
    echo "PostgreSQL cluster $PG_VERSION/$PG_CLUSTER does not exist (pg_lsclusters shows nothing)." >&2
    exit 1
fi
# "online" may carry a suffix (e.g. "online,recovery"); anything else means it is not running.
if [[ "$status" != online* ]]; then
    log "starting PostgreSQL $PG_VERSION/$PG_CLUSTER"
    pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start
fi
# pg_ctlcluster returns once the postmaster runs; wait until it actually accepts connections.
for _ in $(seq 60); do
    pg_isready -q -h 127.0.0.1 -p "$PG_PORT" && break
    sleep 0.5
done
pg_isready -q -h 127.0.0.1 -p "$PG_PORT" || { echo "PostgreSQL does not accept connections on 127.0.0.1:$PG_PORT" >&2; exit 1; }
log "PostgreSQL is up on 127.0.0.1:$PG_PORT"

# CREATEDB because pytest-django creates (and with xdist, one per worker) its own test databases.
# The ALTER runs every time so an existing role is brought back to the expected password/rights.
if [ -z "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'")" ]; then
    log "creating role $DB_USER"
    psql_admin -c "CREATE ROLE $DB_USER"
fi
psql_admin -c "ALTER ROLE $DB_USER WITH LOGIN CREATEDB PASSWORD '$DB_PASSWORD'"
if [ -z "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" ]; then
    log "creating database $DB_NAME"
    as_postgres createdb --owner="$DB_USER" "$DB_NAME"
fi
# Prove the application's own path works: TCP on 127.0.0.1 with scram-sha-256 password auth.
PGPASSWORD="$DB_PASSWORD" psql --no-psqlrc -qtA -h 127.0.0.1 -p "$PG_PORT" -U "$DB_USER" -d "$DB_NAME" -c 'SELECT 1' >/dev/null
log "role and database $DB_NAME ready"

# --- Redis ----------------------------------------------------------------------------------
redis_up() { [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; }
if redis_up; then
    log "Redis already answers on 127.0.0.1:$REDIS_PORT"
else
    # apt does not start services on these machines, so start it by hand. Persistence is off:
    # the broker and cache only hold throw-away test data.
    mkdir -p "$STATE_DIR"
    log "starting Redis on 127.0.0.1:$REDIS_PORT"
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes \
        --pidfile "$STATE_DIR/redis.pid" --logfile "$STATE_DIR/redis.log" --dir "$STATE_DIR" \
        --save '' --appendonly no
    for _ in $(seq 40); do
        redis_up && break
        sleep 0.25
    done
    redis_up || { echo "Redis did not come up; see $STATE_DIR/redis.log" >&2; exit 1; }
fi

log "ready: DATABASE_URL=postgres://$DB_USER:$DB_PASSWORD@127.0.0.1:$PG_PORT/$DB_NAME REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"

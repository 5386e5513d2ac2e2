#!/usr/bin/env bash
# PostgreSQL for the tests: Debian's postgresql package, its "main" cluster started with pg_ctlcluster (as root, no
# standard input), a login role "gateway" allowed to create databases (each test run makes and drops its own).
#   ops/postgres.sh start   starts it (creating the cluster if the package made none) and prints the connection
#                           string for GATEWAY_TEST_POSTGRES
#   ops/postgres.sh stop    stops it
# GATEWAY_PG_PORT picks the port (default 5432), e.g. to stay clear of another PostgreSQL on the machine.
set -euo pipefail
port=${GATEWAY_PG_PORT:-5432}
password=gateway-test
# Only the connection string goes to standard output (the caller captures it); everything the PostgreSQL tools print,
# such as pg_ctlcluster's "Removed stale pid file.", goes to standard error.
exec 3>&1 1>&2
[ "$(id -u)" -eq 0 ] || { echo "ops/postgres.sh: run as root" >&2; exit 1; }
version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$version" ]; then
  version=$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -1 || true)
  [ -n "$version" ] || { echo "ops/postgres.sh: PostgreSQL is not installed (ops/install-deps.sh)" >&2; exit 1; }
  pg_createcluster "$version" main >/dev/null
fi

case "${1:-}" in
  start)
    pg_conftool "$version" main set port "$port"
    if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { print $4 }' | grep -q online; then
      pg_ctlcluster "$version" main start </dev/null 3>&-  # the server must not hold the caller's pipe
    fi
    as_postgres() { runuser -u postgres -- psql -p "$port" -v ON_ERROR_STOP=1 -qAt -c "$1" </dev/null; }
    for _ in $(seq 1 30); do as_postgres "SELECT 1" >/dev/null 2>&1 && break; sleep 1; done
    if [ "$(as_postgres "SELECT count(*) FROM pg_roles WHERE rolname = 'gateway'")" = 0 ]; then
      as_postgres "CREATE ROLE gateway LOGIN CREATEDB PASSWORD '$password'"
    fi
    if [ "$(as_postgres "SELECT count(*) FROM pg_database WHERE datname = 'gateway'")" = 0 ]; then
      as_postgres "CREATE DATABASE gateway OWNER gateway"
    fi
    echo "Host=127.0.0.1;Port=$port;Database=gateway;Username=gateway;Password=$password" >&3
    ;;
  stop)
    pg_ctlcluster "$version" main stop </dev/null
    ;;
  *)
    echo "usage: ops/postgres.sh start|stop" >&2
    exit 2
    ;;
esac

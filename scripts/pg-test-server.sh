#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the backend tests and prints its URL.
#
#   eval "$(scripts/pg-test-server.sh)"   # sets SIGNOFF_TEST_PG
#   cargo test
#
# The server listens on loopback only, trusts local connections (it is for tests), and keeps its
# data in a temporary folder. Stop it with `scripts/pg-test-server.sh stop`.
set -euo pipefail

port="${SIGNOFF_TEST_PG_PORT:-54329}"
dir="${SIGNOFF_TEST_PG_DIR:-${TMPDIR:-/tmp}/signoff-test-pg-$port}"

bin=""
for d in /usr/lib/postgresql/*/bin; do
  [ -x "$d/initdb" ] && bin="$d"
done
if [ -z "$bin" ]; then
  bin="$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")"
fi
if [ ! -x "$bin/initdb" ]; then
  echo "pg-test-server: no PostgreSQL server binaries (install the distribution's postgresql package)" >&2
  exit 1
fi

# PostgreSQL refuses to run as root: run it as the package's `postgres` user then.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
  else
    "$@"
  fi
}

if [ "${1:-}" = stop ]; then
  as_owner "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  exit 0
fi

if ! as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
  rm -rf "$dir"
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200 -c fsync=off" \
    start >/dev/null
fi
echo "export SIGNOFF_TEST_PG=postgresql://postgres@127.0.0.1:$port/postgres"

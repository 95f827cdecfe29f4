# Shared setup of the benchmarks: PostgreSQL, wrk, a database seeded with the bulk seeder, the
# release server on 127.0.0.1, and an API token. Source it; do not run it.
# shellcheck shell=bash
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"
source "$CHIHOI_ROOT/scripts/lib/postgres.sh"

BENCH_MEMBERS="${BENCH_MEMBERS:-1000000}"
BENCH_SECONDS="${BENCH_SECONDS:-15}"
BENCH_OUT="${BENCH_OUT:-$CHIHOI_ROOT/target/bench}"
mkdir -p "$BENCH_OUT"

# PostgreSQL, wrk and pgbench; a database of its own for the benchmarks (BENCH_DATABASE_URL).
bench_prepare() {
  ensure_postgres
  apt_install wrk
  command -v pgbench >/dev/null || [ -x "$PG_BIN/pgbench" ] || apt_install postgresql-contrib
  PGBENCH="$(command -v pgbench || echo "$PG_BIN/pgbench")"
  BENCH_DATABASE_URL="${BENCH_DATABASE_URL:-${DATABASE_URL%/*}/chihoi_bench}"
  local name="${BENCH_DATABASE_URL##*/}"
  if ! psql "$DATABASE_URL" -Atqc "select 1 from pg_database where datname = '$name'" | grep -q 1; then
    psql "$DATABASE_URL" -qc "create database \"$name\"" >/dev/null
  fi
  export BENCH_DATABASE_URL PGBENCH
  say "building chihoi (release)"
  cargo build --release -q -p chihoi
  CHIHOI_BIN="${CARGO_TARGET_DIR:-$CHIHOI_ROOT/target}/release/chihoi"
  DATABASE_URL="$BENCH_DATABASE_URL" "$CHIHOI_BIN" migrate >/dev/null
  say "seeding $BENCH_MEMBERS members with a year of monthly meetings (once per database)"
  DATABASE_URL="$BENCH_DATABASE_URL" "$CHIHOI_BIN" seed --members "$BENCH_MEMBERS" >&2
}

# Starts the release server on a free port; stops it when the calling script exits.
bench_start_server() {
  BENCH_PORT="$(free_port 18080)"
  BENCH_API="http://127.0.0.1:$BENCH_PORT"
  DATABASE_URL="$BENCH_DATABASE_URL" CHIHOI_BIND="127.0.0.1:$BENCH_PORT" CHIHOI_LOG_FORMAT=json \
    CHIHOI_LOG="${CHIHOI_LOG:-warn}" CHIHOI_DB_POOL_SIZE="${CHIHOI_DB_POOL_SIZE:-16}" \
    CHIHOI_RATE_LIMITS="${CHIHOI_RATE_LIMITS:-off}" CHIHOI_RATE_LIMITS_PER_ADDRESS="${CHIHOI_RATE_LIMITS_PER_ADDRESS:-off}" \
    "$CHIHOI_BIN" serve >"$BENCH_OUT/server.log" 2>&1 &
  BENCH_SERVER_PID=$!
  trap 'kill $BENCH_SERVER_PID 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do
    curl -fs "$BENCH_API/readyz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  curl -fs "$BENCH_API/readyz" >/dev/null || die "the server did not become ready (see $BENCH_OUT/server.log)"
  export BENCH_API BENCH_SERVER_PID
}

# An admin account and a bearer token for it (BENCH_TOKEN).
bench_token() {
  local password="bench-${RANDOM}-${RANDOM}-pass"
  printf '%s\n' "$password" | DATABASE_URL="$BENCH_DATABASE_URL" "$CHIHOI_BIN" user create \
    --username "bench-$$" --role admin --unit TW >/dev/null
  BENCH_TOKEN="$(curl -fs "$BENCH_API/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"username\": \"bench-$$\", \"password\": \"$password\"}" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')"
  [ -n "$BENCH_TOKEN" ] || die "could not log in"
  export BENCH_TOKEN
}

# wrk against one URL (optionally with a Lua script): prints "requests/s p50_ms p99_ms errors".
bench_wrk() {
  local connections=$1 url=$2 script=${3:-} out
  out="$(wrk -t "$((connections < 2 ? 1 : 2))" -c "$connections" -d "${BENCH_SECONDS}s" --timeout 60s --latency \
    ${script:+-s "$script"} -H "Authorization: Bearer $BENCH_TOKEN" "$url")"
  printf '%s\n' "$out" >>"$BENCH_OUT/wrk.log"
  printf '%s\n' "$out" | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = ms($2) }
    /^ +99%/ { p99 = ms($2) }
    /Non-2xx/ { errors += $5 }
    /Socket errors/ { errors += 1 }
    END { printf "%.1f %.2f %.2f %d\n", rps, p50, p99, errors }'
}

# pgbench with a script file and variables: prints "tps p50_ms p99_ms errors".
bench_pgbench() {
  local connections=$1 file=$2; shift 2
  local dir; dir="$(mktemp -d)"
  # The baseline runs as the server's connections do: without JIT compilation (db/pool.rs).
  (cd "$dir" && PGOPTIONS="-c jit=off" "$PGBENCH" -n -c "$connections" -j "$((connections < 2 ? 1 : 2))" -T "$BENCH_SECONDS" -l \
    -f "$file" "$@" "$BENCH_DATABASE_URL" >"$dir/out" 2>&1) || { cat "$dir/out" >&2; die "pgbench failed"; }
  local tps; tps="$(awk '/^tps/ { print $3; exit }' "$dir/out")"
  local failed; failed="$(awk -F': ' '/failed transactions/ { split($2, n, " "); print n[1]; exit }' "$dir/out")"
  cat "$dir"/pgbench_log.* | awk '{ print $3 / 1000 }' | sort -n >"$dir/lat"
  local n; n="$(wc -l <"$dir/lat")"
  local p50; p50="$(sed -n "$(( (n + 1) / 2 ))p" "$dir/lat")"
  local p99; p99="$(sed -n "$(( (n * 99 + 99) / 100 ))p" "$dir/lat")"
  rm -rf "$dir"
  printf '%.1f %.2f %.2f %d\n' "$tps" "$p50" "$p99" "${failed:-0}"
}

bench_sql() { psql "$BENCH_DATABASE_URL" -Atqc "$1"; }

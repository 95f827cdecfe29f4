#!/usr/bin/env bash
# chihoi on the Patroni topology of scripts/ha under a steady write load, through three faults:
#   1. kill -9 of the leader's postmaster,
#   2. a planned `patronictl switchover`,
#   3. kill -9 of the etcd member the leader's Patroni talks to.
# For each: seconds from the fault to the first acknowledged write after it, and the errors
# clients saw by status. At the end every acknowledged member id is looked up in the database:
# 0 lost and 0 duplicated (by marker) is the goal. Loopback only, bounded (about 2 minutes).
#   bench/failover.sh                      (FAULTS="kill switchover etcd", CLIENTS=16, SETTLE_S=15)
# Results: target/bench/failover/ and a table on stdout (docs/BENCHMARKS.md). Fails when an
# acknowledged write is missing or doubled, writes never resumed after a fault, or a client saw
# a 500. scripts/test runs a short form: CHIHOI_BIN=<debug binary> FAULTS=kill SETTLE_S=6
# CLIENTS=8 HA_DESTROY=1 (a topology of its own, removed afterwards).
set -euo pipefail
source "$(dirname "$0")/../scripts/lib/common.sh"
cd "$CHIHOI_ROOT"
CLIENTS="${CLIENTS:-16}"
SETTLE_S="${SETTLE_S:-15}"
FAULTS="${FAULTS:-kill switchover etcd}"
OUT="${BENCH_OUT:-${CARGO_TARGET_DIR:-$CHIHOI_ROOT/target}/bench}/failover"
rm -rf "$OUT" && mkdir -p "$OUT"

scripts/ha up >"$OUT/ha-up.log" 2>&1 || { cat "$OUT/ha-up.log" >&2; die "scripts/ha up failed"; }
set -a
# shellcheck disable=SC1091
source "$CHIHOI_ROOT/.data/ha.env"
set +a
PATRONICTL=(patronictl -c "$CHIHOI_HA_PATRONI_CONFIG")
su_sql() { psql "$CHIHOI_HA_SUPERUSER_URL" -Atqc "$1"; }

bin="${CHIHOI_BIN:-}"
if [ -z "$bin" ]; then
  say "building chihoi (release)"
  cargo build --release -q -p chihoi
  bin="${CARGO_TARGET_DIR:-$CHIHOI_ROOT/target}/release/chihoi"
fi
"$bin" migrate >"$OUT/migrate.log" 2>&1
if [ "$(psql "$DATABASE_URL" -Atqc "select count(*) from users where username = 'demo-admin'")" = 0 ]; then
  say "loading the demo data (once)"
  "$bin" seed --demo >"$OUT/seed.log" 2>&1
fi
port="$(free_port 18090)"
api="http://127.0.0.1:$port"
CHIHOI_BIND="127.0.0.1:$port" CHIHOI_LOG_FORMAT=json CHIHOI_LOG=warn CHIHOI_RATE_LIMITS=off \
  CHIHOI_RATE_LIMITS_PER_ADDRESS=off CHIHOI_DB_POOL_SIZE=16 "$bin" serve >"$OUT/server.log" 2>&1 &
server=$!
load=""
cleanup() {
  touch "$OUT/stop"
  kill $server 2>/dev/null || true
  [ -n "$load" ] && kill "$load" 2>/dev/null || true
  [ "${HA_DESTROY:-0}" = 1 ] && scripts/ha destroy >/dev/null 2>&1 || true
}
trap cleanup EXIT
for _ in $(seq 1 100); do curl -fs "$api/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fs "$api/readyz" >/dev/null || die "chihoi did not become ready (see $OUT/server.log)"
token="$(curl -fs "$api/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"username": "demo-admin", "password": "chihoi-demo"}' | sed -E 's/.*"access_token":"([^"]+)".*/\1/')"
unit="$(psql "$DATABASE_URL" -Atqc "select id from org_units where name like '%ấp Rẫy%' and level = 'branch' limit 1")"
[ -n "$unit" ] || die "the demo branch ấp Rẫy is missing"
run_id="$(date +%s)"

say "write load: $CLIENTS clients creating members with Idempotency-Keys"
API="$api" TOKEN="$token" UNIT="$unit" CLIENTS="$CLIENTS" RUN_ID="$run_id" ACKED_FILE="$OUT/acked.tsv" \
  ERRORS_FILE="$OUT/errors.tsv" STOP_FILE="$OUT/stop" python3 bench/failover.py &
load=$!

leader() { "${PATRONICTL[@]}" list -f json | python3 -c 'import json,sys; print(next(m["Member"] for m in json.load(sys.stdin) if m["Role"] == "Leader"))'; }
replica() { "${PATRONICTL[@]}" list -f json | python3 -c 'import json,sys; print(next(m["Member"] for m in json.load(sys.stdin) if m["Role"] in ("Sync Standby", "Replica") and m["State"] in ("streaming", "running")))'; }
# The etcd client port the leader's Patroni holds a connection to.
leader_etcd() {
  local pid
  pid="$(pgrep -f "python3 .*patroni .*/$(leader).yml" | head -n 1)"
  ss -tnpH state established "( dport >= :$((${CHIHOI_HA_PORT:-56000} + 1)) and dport <= :$((${CHIHOI_HA_PORT:-56000} + 3)) )" |
    awk -v pid="pid=$pid," 'index($0, pid) { split($4, a, ":"); print a[2]; exit }'
}

: >"$OUT/faults.tsv"
sleep "$SETTLE_S"
for fault in $FAULTS; do
  now="$(date +%s.%N)"
  case "$fault" in
    kill)
      name="$(leader)"
      pid="$(head -n 1 "$CHIHOI_HA_HOME/data/$name/postmaster.pid")"
      say "fault: kill -9 the postmaster of the leader $name (pid $pid)"
      kill -9 "$pid"
      ;;
    switchover)
      name="$(leader)"
      candidate="$(replica)"
      say "fault: switchover $name → $candidate"
      "${PATRONICTL[@]}" switchover --leader "$name" --candidate "$candidate" --force >"$OUT/switchover.log" 2>&1
      ;;
    etcd)
      port_used="$(leader_etcd)"
      [ -n "$port_used" ] || die "could not see which etcd member the leader talks to"
      member=$((port_used - ${CHIHOI_HA_PORT:-56000}))
      say "fault: kill -9 etcd member e$member (port $port_used), the one the leader talks to"
      kill -9 "$(cat "$CHIHOI_HA_HOME/run/etcd$member.pid")"
      ;;
    *) die "unknown fault $fault" ;;
  esac
  printf '%s\t%s\n' "$fault" "$now" >>"$OUT/faults.tsv"
  sleep "$SETTLE_S"
  if [ "$fault" = etcd ]; then
    scripts/ha up >>"$OUT/ha-up.log" 2>&1 # restarts the killed member
  fi
done
touch "$OUT/stop"
wait "$load" || true
load=""

say "checking every acknowledged write in the database"
cut -f2 "$OUT/acked.tsv" >"$OUT/acked-ids"
psql "$DATABASE_URL" -qc "create temporary table acked (id uuid)" -c "\\copy acked from '$OUT/acked-ids'" \
  -Atc "select count(*) from acked" \
  -Atc "select count(*) from acked a where not exists (select 1 from members m where m.id = a.id)" \
  -Atc "select count(*) from (select address from members where address like 'failover $run_id %' group by address having count(*) > 1) d" \
  -Atc "select count(*) from members where address like 'failover $run_id %'" >"$OUT/check"
mapfile -t check <"$OUT/check"
python3 - "$OUT" "${check[@]}" <<'PY'
import collections, sys
out, acked, lost, duplicated, stored = sys.argv[1], *map(int, sys.argv[2:6])
faults = [l.split("\t") for l in open(f"{out}/faults.tsv").read().split("\n") if l]
acks = sorted(float(l.split("\t")[0]) for l in open(f"{out}/acked.tsv") if l.strip())
errors = [l.rstrip("\n").split("\t") for l in open(f"{out}/errors.tsv") if l.strip()]
print("| fault | writes resumed after (s) | longest pause in acks (s) | client errors, by status |")
print("|---|---|---|---|")
failed = False
for i, (name, at) in enumerate(faults):
    at = float(at)
    end = float(faults[i + 1][1]) if i + 1 < len(faults) else float("inf")
    window = [t for t in acks if at <= t < end]
    failures = [(float(e[0]), e[1]) for e in errors if at <= float(e[0]) < end]
    seen = collections.Counter(status for _, status in failures)
    # Writes resumed: the first acknowledgement after the last failure the fault caused.
    last_failure = max((t for t, _ in failures), default=at)
    resumed = next((t for t in window if t > last_failure), None)
    edges = [at] + window
    pause = max((b - a for a, b in zip(edges, edges[1:])), default=float("nan"))
    shown = f"{resumed - at:.1f}" if resumed is not None else "never"
    print(f"| {name} | {shown} | {pause:.1f} | {dict(seen) or 'none'} |")
    failed |= resumed is None or "500" in seen
print(f"\nacknowledged writes: {acked}; missing afterwards: {lost}; duplicated: {duplicated}; "
      f"rows of this run: {stored}")
sys.exit(0 if lost == 0 and duplicated == 0 and not failed else 1)
PY

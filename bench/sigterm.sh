#!/usr/bin/env bash
# Graceful shutdown under load (issue 9): 12 client threads write visits and read KPIs; after
# a third of the run the release server gets SIGTERM. Every request must either be answered or
# refused at connect (never accepted and then dropped), every acknowledged write must exist
# once, and the process must exit by itself. The clients act as a load balancer (they stop
# sending when /readyz fails) and the server drains for 2 s; SIGTERM_BALANCER=0 with
# CHIHOI_SHUTDOWN_DELAY_S=0 shows clients that ignore readiness instead.
#   bench/sigterm.sh      (uses the benchmark database of bench/reports.sh)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$CHIHOI_ROOT"
bench_prepare
export CHIHOI_SHUTDOWN_DELAY_S="${CHIHOI_SHUTDOWN_DELAY_S:-2}"
bench_start_server
bench_token
members="$(bench_sql "select string_agg(id::text, ' ') from (select id from members where status = 'active' limit 200) m")"
commune="$(bench_sql "select id from org_units where name = 'Xã thử tải 1'")"
month="$(date -d "$(date +%Y-%m-01) -1 month" +%Y-%m)"
DURATION="${SIGTERM_SECONDS:-12}"
(sleep $((DURATION / 3)); say "SIGTERM to the server (pid $BENCH_SERVER_PID)"
 signalled=$(date +%s%N); kill -TERM "$BENCH_SERVER_PID"
 while kill -0 "$BENCH_SERVER_PID" 2>/dev/null; do sleep 0.02; done
 echo "$(( ($(date +%s%N) - signalled) / 1000000 ))" >"$BENCH_OUT/sigterm.exit_ms") &
signaller=$!
BALANCER="${SIGTERM_BALANCER:-1}" API="$BENCH_API" TOKEN="$BENCH_TOKEN" MEMBERS="$members" DURATION="$DURATION" \
  KPIS="/api/v1/reports/kpis?unit=$commune&period=$month" python3 bench/sigterm.py >"$BENCH_OUT/sigterm.json"
wait "$signaller"
python3 - "$BENCH_OUT/sigterm.json" "$BENCH_DATABASE_URL" "$(cat "$BENCH_OUT/sigterm.exit_ms")" <<'PY'
import json, subprocess, sys
r = json.load(open(sys.argv[1])); ids = r["acknowledged"]; c = r["counts"]
sql = "select count(*), count(distinct id) from member_contacts where id = any(string_to_array('%s', ',')::uuid[])" % ",".join(ids)
rows, distinct = map(int, subprocess.run(["psql", sys.argv[2], "-At"], input=sql, capture_output=True, text=True,
                                          check=True).stdout.strip().split("|"))
print(f"answered: {sum(c['answered'].values())} {c['answered']}; refused at connect: {c['refused']}; dropped: {c['dropped']} {r['dropped_detail']}")
print(f"acknowledged writes: {len(ids)}; found in the database: {rows} ({distinct} distinct)")
print(f"server exited {sys.argv[3]} ms after SIGTERM")
errors = sum(v for k, v in c["answered"].items() if int(k) >= 500)
sys.exit(0 if c["dropped"] == 0 and errors == 0 and rows == len(ids) == distinct else 1)
PY

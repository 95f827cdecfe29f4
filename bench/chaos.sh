#!/usr/bin/env bash
# Fault injection (issue 9): 90 s of writes (visits with client ids and Idempotency-Keys); the
# private PostgreSQL is stopped hard at 30 s and started again at 60 s. Reports 5xx answers
# other than 503, the time to the first 503, the time to recover, and checks that every
# acknowledged write exists exactly once afterwards.
#   bench/chaos.sh      (uses the benchmark database of bench/reports.sh)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$CHIHOI_ROOT"
[ -e "$PG_DATA_LINK" ] || die "needs the private cluster of scripts/run (.data/postgres)"
bench_prepare
bench_start_server
bench_token
data="$(private_data_dir)"
members="$(bench_sql "select string_agg(id::text, ' ') from (select id from members where status = 'active' limit 200) m")"
DURATION="${CHAOS_SECONDS:-90}"
(sleep $((DURATION / 3)); say "stopping PostgreSQL (immediate)"; as_pg_owner "$PG_BIN/pg_ctl" -D "$data" stop -m immediate >/dev/null
 sleep $((DURATION / 3)); say "starting PostgreSQL"; as_pg_owner "$PG_BIN/pg_ctl" -D "$data" -l "$data/server.log" -w start >/dev/null) &
faults=$!
API="$BENCH_API" TOKEN="$BENCH_TOKEN" MEMBERS="$members" DURATION="$DURATION" python3 bench/chaos.py >"$BENCH_OUT/chaos.json"
wait "$faults"
DURATION="$DURATION" python3 - "$BENCH_OUT/chaos.json" "$BENCH_DATABASE_URL" <<'PY'
import json, os, subprocess, sys
r = json.load(open(sys.argv[1])); ids = r["acknowledged"]
sql = "select count(*), count(distinct id) from member_contacts where id = any(string_to_array('%s', ',')::uuid[])" % ",".join(ids)
found = subprocess.run(["psql", sys.argv[2], "-At"], input=sql, capture_output=True, text=True, check=True).stdout.strip()
rows, distinct = map(int, found.split("|"))
print(f"acknowledged writes: {len(ids)}; found in the database: {rows} ({distinct} distinct)")
print(f"answers: 503 {r['errors']['503']}, other 5xx {r['errors']['5xx']}, 429 {r['errors']['429']}, other 4xx {r['errors']['other']}, network {r['errors']['network']}")
third = int(os.environ["DURATION"]) // 3
if r["first_503_s"]:
    print(f"PostgreSQL stopped at {third} s, back at {2 * third} s; first 503 at {r['first_503_s']:.1f} s; "
          f"last error at {r['last_error_s']:.1f} s (recovered {r['last_error_s'] - 2 * third:.1f} s after the restart)")
else:
    print("no 503 seen")
sys.exit(0 if rows == len(ids) == distinct and r['errors']['5xx'] == 0 else 1)
PY

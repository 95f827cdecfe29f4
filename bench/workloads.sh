#!/usr/bin/env bash
# The read/write workloads of issue 9 against chihoi, the Node peer (bench/peer: fastify +
# node-postgres, 2 workers, HS256 JWT, the same URLs) and raw PostgreSQL (pgbench with the same
# SQL), on the 1M-member database, at 8, 32 and 64 connections. Prints one table and the
# ratios; results go to docs/BENCHMARKS.md.
#   BENCH_SECONDS=8 bench/workloads.sh      (WORKLOADS="member page search roster kpis")
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$CHIHOI_ROOT"
source "$CHIHOI_ROOT/scripts/lib/tools.sh"
ensure_node

bench_prepare
secret_b64="$(head -c 32 /dev/urandom | base64 | tr -d '\n')"
export CHIHOI_JWT_KEYS="bench:$secret_b64"
bench_start_server
bench_token

say "starting the Node peer (2 workers)"
(cd bench/peer && npm ci --no-audit --no-fund --silent >/dev/null)
peer_port="$(free_port 18081)"
kpi_sql="$(sed -e '/^--/d' -e "s/':path'::ltree/(SELECT path FROM org_units WHERE id = \$1)/g" \
  -e "s/':from'/\$2::date/g" -e "s/':to'/\$3::date/g" bench/sql/kpis_unit.sql)"
PEER_PORT="$peer_port" DATABASE_URL="$BENCH_DATABASE_URL" JWT_SECRET_B64="$secret_b64" KPI_SQL="$kpi_sql" \
  node bench/peer/server.js >"$BENCH_OUT/peer.log" 2>&1 &
peer_pid=$!
trap 'kill $BENCH_SERVER_PID $peer_pid 2>/dev/null || true' EXIT
peer="http://127.0.0.1:$peer_port"
for _ in $(seq 1 50); do curl -fs "$peer/api/v1/members?q=x" -H "Authorization: Bearer $BENCH_TOKEN" >/dev/null 2>&1 && break; sleep 0.2; done

commune="$(bench_sql "select id from org_units where name = 'Xã thử tải 1'")"
branch="$(bench_sql "select id from org_units where parent_id = '$commune' and level = 'branch' order by name limit 1")"
branch_path="$(bench_sql "select path from org_units where id = '$branch'")"
member="$(bench_sql "select id from members where unit_path <@ '$branch_path' order by id limit 1")"
query="thi lan"
activity="$(bench_sql "select id from activities where unit_id = '$branch' and status = 'held' order by held_on desc limit 1")"
held_on="$(bench_sql "select held_on from activities where id = '$activity'")"
ids="$(bench_sql "select string_agg(id::text, ',' order by id) from (select m.id from members m
  join member_placements p on p.member_id = m.id and p.valid_from <= '$held_on' and (p.valid_to is null or p.valid_to > '$held_on')
  where m.unit_path <@ '$branch_path' order by m.id limit 60) m")"
statuses="$(python3 -c "print(','.join(['present'] * 60))")"
ROSTER_BODY="$(python3 -c "import json, sys; print(json.dumps({'entries': [{'member_id': i, 'status': 'present'} for i in sys.argv[1].split(',')]}))" "$ids")"
export ROSTER_BODY
month_from="$(date -d "$(date +%Y-%m-01) -1 month" +%Y-%m-%d)"
month_to="$(date -d "$(date +%Y-%m-01) -1 day" +%Y-%m-%d)"
commune_path="$(bench_sql "select path from org_units where id = '$commune'")"
curl -fs -X PUT "$BENCH_API/api/v1/activities/$activity/attendance" -H "Authorization: Bearer $BENCH_TOKEN" \
  -H 'content-type: application/json' -d "$ROSTER_BODY" >/dev/null || die "chihoi refused the roster"

row() { printf '| %-22s | %5s | %-8s | %9s | %8s | %8s | %6s |\n' "$@"; }
row "workload" "conns" "system" "req/s" "p50 ms" "p99 ms" "errors"
row "----------------------" "-----" "--------" "---------" "--------" "--------" "------"
: >"$BENCH_OUT/ratios"
for workload in ${WORKLOADS:-member page search roster kpis}; do
  script=""
  case "$workload" in
    member) path="/api/v1/members/$member"; sql=member_by_id.sql; vars=(-D "id=$member") ;;
    page) path="/api/v1/members?unit=$branch&limit=20"; sql=branch_page.sql; vars=(-D "path=$branch_path") ;;
    search) path="/api/v1/members?q=${query// /%20}&limit=20"; sql=search.sql; vars=(-D "q=$query") ;;
    roster) path="/api/v1/activities/$activity/attendance"; sql=roster.sql; script="$CHIHOI_ROOT/bench/wrk/roster.lua"
            vars=(-D "activity=$activity" -D "ids={$ids}" -D "statuses={$statuses}") ;;
    kpis) sql=kpis_unit.sql; vars=(-D "path=$commune_path" -D "from=$month_from" -D "to=$month_to")
          path="/api/v1/reports/kpis?unit=$commune&from=$month_from&to=$month_to" ;;
  esac
  for c in 8 32 64; do
    read -r rps p50 p99 err < <(bench_wrk "$c" "$BENCH_API$path" "$script")
    row "$workload" "$c" chihoi "$rps" "$p50" "$p99" "$err"
    read -r prps pp50 pp99 perr < <(bench_wrk "$c" "$peer$path" "$script")
    row "$workload" "$c" "node" "$prps" "$pp50" "$pp99" "$perr"
    read -r tps q50 q99 qerr < <(bench_pgbench "$c" "$CHIHOI_ROOT/bench/sql/$sql" "${vars[@]}")
    row "$workload" "$c" pgbench "$tps" "$q50" "$q99" "$qerr"
    echo "$workload c=$c: chihoi/node $(awk "BEGIN { printf \"%.2f\", $rps / $prps }"), chihoi/pgbench $(awk "BEGIN { printf \"%.2f\", $rps / $tps }")" >>"$BENCH_OUT/ratios"
  done
done
echo
cat "$BENCH_OUT/ratios"
echo "chihoi server peak RSS: $(awk '/VmHWM/ { printf "%.1f MB", $2 / 1024 }' "/proc/$BENCH_SERVER_PID/status")"

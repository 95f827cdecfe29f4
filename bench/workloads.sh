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
# Both servers hold the same number of database connections (chihoi's pool; the peer's two
# workers half each). 8 suits this 2-core machine: 16 backends on 2 cores spent their time
# switching (rosters at c=32: 132 req/s with 16, 173 with 8, 163 with 4; docs/BENCHMARKS.md).
BENCH_DB_CONNECTIONS="${BENCH_DB_CONNECTIONS:-8}"
export CHIHOI_DB_POOL_SIZE="$BENCH_DB_CONNECTIONS"
secret_b64="$(head -c 32 /dev/urandom | base64 | tr -d '\n')"
export CHIHOI_JWT_KEYS="bench:$secret_b64"
bench_start_server
bench_token

say "starting the Node peer (2 workers)"
(cd bench/peer && npm ci --no-audit --no-fund --silent >/dev/null)
peer_port="$(free_port 18081)"
kpi_sql="$(sed -e '/^--/d' -e "s/':path'::ltree/(SELECT path FROM org_units WHERE id = \$1)/g" \
  -e "s/':from'/\$2::date/g" -e "s/':to'/\$3::date/g" bench/sql/kpis_unit.sql)"
PEER_PORT="$peer_port" PEER_POOL="$((BENCH_DB_CONNECTIONS / 2))" DATABASE_URL="$BENCH_DATABASE_URL" JWT_SECRET_B64="$secret_b64" KPI_SQL="$kpi_sql" \
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
# Rosters: MEETINGS meetings of the commune's branches (32 by default: 32 branch heads after
# their evening meetings; MEETINGS=1 is the old one-meeting case), each with 60 members placed
# there that day and 4 versions of the roster (member k absent), drawn at random per request.
meetings="${MEETINGS:-32}"
bench_sql "DROP TABLE IF EXISTS bench_rosters;
  CREATE TABLE bench_rosters AS
  WITH acts AS (SELECT a.id, a.held_on, o.path FROM activities a JOIN org_units o ON o.id = a.unit_id
                WHERE o.parent_id = '$commune' AND o.level = 'branch' AND a.status = 'held' AND a.starts_at < now()
                ORDER BY a.held_on DESC, a.id LIMIT $meetings),
       people AS (SELECT a.id AS activity, ARRAY(SELECT m.id FROM members m
                    JOIN member_placements p ON p.member_id = m.id AND p.valid_from <= a.held_on
                         AND (p.valid_to IS NULL OR p.valid_to > a.held_on)
                    WHERE m.unit_path <@ a.path ORDER BY m.id LIMIT 60) AS ids FROM acts a)
  SELECT row_number() OVER (ORDER BY activity, v) AS k, activity, ids,
         ARRAY(SELECT CASE WHEN i = v THEN 'absent' ELSE 'present' END FROM generate_series(1, 60) i) AS statuses
  FROM people, generate_series(1, 4) v" >/dev/null
rosters="$(bench_sql "select count(*) from bench_rosters")"
export ROSTER_FILE="$BENCH_OUT/rosters.tsv"
bench_sql "select '/api/v1/activities/' || activity || '/attendance' || chr(9) ||
  json_build_object('entries', (select json_agg(json_build_object('member_id', i, 'status', s))
                                from unnest(ids, statuses) u(i, s)))::text from bench_rosters order by k" >"$ROSTER_FILE"
month_from="$(date -d "$(date +%Y-%m-01) -1 month" +%Y-%m-%d)"
month_to="$(date -d "$(date +%Y-%m-01) -1 day" +%Y-%m-%d)"
commune_path="$(bench_sql "select path from org_units where id = '$commune'")"
first_roster="$(head -n 1 "$ROSTER_FILE")"
curl -fs -X PUT "$BENCH_API${first_roster%%$'\t'*}" -H "Authorization: Bearer $BENCH_TOKEN" \
  -H 'content-type: application/json' -d "${first_roster#*$'\t'}" >/dev/null || die "chihoi refused the roster"

row() { printf '| %-22s | %5s | %-8s | %9s | %8s | %8s | %6s |\n' "$@"; }
row "workload" "conns" "system" "req/s" "p50 ms" "p99 ms" "errors"
row "----------------------" "-----" "--------" "---------" "--------" "--------" "------"
: >"$BENCH_OUT/ratios"
for workload in ${WORKLOADS:-member page search roster kpis}; do
  script=""
  case "$workload" in
    member) path="/api/v1/members/$member"; sql=member_by_id.sql; vars=(-D "id=$member") ;;
    page) path="/api/v1/members?unit=$branch&limit=20"; sql=branch_page.sql; vars=(-D "path=$branch_path") ;;
    search) path="/api/v1/members?q=${query// /%20}&limit=20"; sql=search.sql; vars=(-D "first=${query% *}" -D "last=${query#* }") ;;
    roster) path="/"; sql=roster.sql; script="$CHIHOI_ROOT/bench/wrk/rosters.lua"; vars=(-D "rosters=$rosters") ;;
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

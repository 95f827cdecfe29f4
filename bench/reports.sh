#!/usr/bin/env bash
# Benchmark of the reports (issue 7): KPIs of one commune for a month, and of a whole province
# for a year with a line per commune, on the bulk data set (1,000,000 members by default, a year
# of monthly meetings), each against the same aggregation as one hand-written SQL query run with
# pgbench in the same run. Prints a table; medians and ratios go to docs/BENCHMARKS.md.
#   BENCH_MEMBERS=1000000 BENCH_SECONDS=15 bench/reports.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$CHIHOI_ROOT"

bench_prepare
bench_start_server
bench_token

province_path="$(bench_sql "select path from org_units where name = '[SEED] Tỉnh thử tải 1'")"
province="$(bench_sql "select id from org_units where name = '[SEED] Tỉnh thử tải 1'")"
commune_path="$(bench_sql "select path from org_units where name = 'Xã thử tải 1'")"
commune="$(bench_sql "select id from org_units where name = 'Xã thử tải 1'")"
depth=$(( $(bench_sql "select nlevel(path) from org_units where id = '$province'") + 1 ))
month_from="$(date -d "$(date +%Y-%m-01) -1 month" +%Y-%m-%d)"
month_to="$(date -d "$(date +%Y-%m-01) -1 day" +%Y-%m-%d)"
month_label="${month_from:0:7}"
year_from="$(date -d "$(date +%Y-%m-01) -12 month" +%Y-%m-%d)"

members="$(bench_sql "select count(*) from members")"
attendance="$(bench_sql "select count(*) from attendance")"
say "data: $members members, $attendance attendance rows; commune month $month_label, province $year_from..$month_to"

row() { printf '| %-44s | %5s | %9s | %8s | %8s | %6s |\n' "$@"; }
echo
row "workload" "conns" "req/s" "p50 ms" "p99 ms" "errors"
row "--------------------------------------------" "-----" "---------" "--------" "--------" "------"
for c in 1 4; do
  read -r rps p50 p99 err < <(bench_wrk "$c" "$BENCH_API/api/v1/reports/kpis?unit=$commune&period=$month_label")
  row "chihoi KPIs, commune, month" "$c" "$rps" "$p50" "$p99" "$err"
  read -r tps q50 q99 qerr < <(bench_pgbench "$c" "$CHIHOI_ROOT/bench/sql/kpis_unit.sql" \
    -D "path=$commune_path" -D "from=$month_from" -D "to=$month_to")
  row "pgbench one SQL query, commune, month" "$c" "$tps" "$q50" "$q99" "$qerr"
  echo "ratio commune-month c=$c: throughput $(awk "BEGIN { printf \"%.2f\", $rps / $tps }"), p50 $(awk "BEGIN { printf \"%.2f\", $p50 / $q50 }")" >>"$BENCH_OUT/ratios"
done
read -r rps p50 p99 err < <(bench_wrk 1 "$BENCH_API/api/v1/reports/kpis?unit=$province&from=$year_from&to=$month_to&group_by=child")
row "chihoi KPIs, province, year, by commune" 1 "$rps" "$p50" "$p99" "$err"
read -r tps q50 q99 qerr < <(bench_pgbench 1 "$CHIHOI_ROOT/bench/sql/kpis_children.sql" \
  -D "path=$province_path" -D "depth=$depth" -D "from=$year_from" -D "to=$month_to")
row "pgbench one SQL query, province, year, by commune" 1 "$tps" "$q50" "$q99" "$qerr"
echo "ratio province-year: throughput $(awk "BEGIN { printf \"%.2f\", $rps / $tps }"), p50 $(awk "BEGIN { printf \"%.2f\", $p50 / $q50 }")" >>"$BENCH_OUT/ratios"
echo
cat "$BENCH_OUT/ratios"
rm -f "$BENCH_OUT/ratios"
echo "server peak RSS: $(awk '/VmHWM/ { print $2 / 1024 " MB" }' "/proc/$BENCH_SERVER_PID/status")"

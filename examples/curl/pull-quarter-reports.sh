#!/usr/bin/env bash
# As a province system (machine client): a token by client credentials, then the quarter's
# submitted and accepted reports of its subtree (all pages) and the KPIs of its unit as CSV.
#   CHIHOI_CLIENT_ID=… CHIHOI_CLIENT_SECRET=… examples/curl/pull-quarter-reports.sh 2026-Q3
set -euo pipefail
API="${CHIHOI_URL:-http://127.0.0.1:8080}"
quarter="$1"
token="$(curl -sS --fail-with-body "$API/api/v1/auth/token" \
  --data-urlencode grant_type=client_credentials --data-urlencode "client_id=$CHIHOI_CLIENT_ID" \
  --data-urlencode "client_secret=$CHIHOI_CLIENT_SECRET" | jq -r .access_token)"
cursor=""
while :; do
  page="$(curl -sS --fail-with-body -G "$API/api/v1/report-submissions" -H "Authorization: Bearer $token" \
    --data-urlencode "period=$quarter" ${cursor:+--data-urlencode "cursor=$cursor"})"
  jq -c '.items[] | {id, unit_id, period, status, members_end: .figures.members.end}' <<<"$page"
  cursor="$(jq -r '.next_cursor // empty' <<<"$page")"
  [ -n "$cursor" ] || break
done
unit="$(curl -sS --fail-with-body "$API/api/v1/me" -H "Authorization: Bearer $token" | jq -r '.permissions[0].org_unit_ids[0]')"
curl -sS --fail-with-body -G "$API/api/v1/reports/kpis/export" -H "Authorization: Bearer $token" \
  --data-urlencode "unit=$unit" --data-urlencode "period=$quarter" --data-urlencode "format=csv" -o "kpis-$quarter.csv"
echo "KPIs of $unit for $quarter written to kpis-$quarter.csv ($(wc -l <"kpis-$quarter.csv") lines)"

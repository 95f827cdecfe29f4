#!/usr/bin/env bash
# Writes every audit event since SINCE (RFC 3339) to FILE as JSON lines, following next_cursor.
#   examples/curl/export-audit.sh 2026-11-01T00:00:00Z audit-2026-11.jsonl
set -euo pipefail
API="${CHIHOI_URL:-http://127.0.0.1:8080}"
since="$1" file="$2"
: >"$file"
cursor=""
while :; do
  page="$(curl -sS --fail-with-body -G "$API/api/v1/audit-events" -H "Authorization: Bearer $CHIHOI_TOKEN" \
    --data-urlencode "from=$since" --data-urlencode "limit=200" ${cursor:+--data-urlencode "cursor=$cursor"})"
  jq -c '.items[]' <<<"$page" >>"$file"
  cursor="$(jq -r '.next_cursor // empty' <<<"$page")"
  [ -n "$cursor" ] || break
done
echo "$(wc -l <"$file") events written to $file"

#!/usr/bin/env bash
# Creates an account at a unit; reads the first password from stdin; the user must change it.
#   printf '%s\n' "$PASSWORD" | examples/curl/create-user.sh can-bo-xa <unit id>
set -euo pipefail
API="${CHIHOI_URL:-http://127.0.0.1:8080}"
username="$1" unit="$2"
IFS= read -r password
jq -n --arg u "$username" --arg p "$password" --arg unit "$unit" \
  '{username: $u, display_name: $u, home_unit_id: $unit, password: $p, must_change_password: true}' |
  curl -sS --fail-with-body "$API/api/v1/users" -H "Authorization: Bearer $CHIHOI_TOKEN" \
    -H 'Content-Type: application/json' -H "Idempotency-Key: create-user-$username" --data-binary @- |
  jq '{id, username, status}'

#!/usr/bin/env bash
# Grants ROLE on UNIT to a user (admin, province_officer, commune_officer, branch_head, …).
#   examples/curl/assign-role.sh <user id> commune_officer <unit id>
set -euo pipefail
API="${CHIHOI_URL:-http://127.0.0.1:8080}"
user="$1" role="$2" unit="$3"
jq -n --arg r "$role" --arg unit "$unit" '{role: $r, org_unit_id: $unit}' |
  curl -sS --fail-with-body "$API/api/v1/users/$user/roles" -H "Authorization: Bearer $CHIHOI_TOKEN" \
    -H 'Content-Type: application/json' -H "Idempotency-Key: role-$user-$role-$unit" --data-binary @- |
  jq '{id, role, org_unit_id}'

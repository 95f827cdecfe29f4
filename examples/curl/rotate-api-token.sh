#!/usr/bin/env bash
# Issues a new API token (printed once: store it), then revokes the old one if given.
#   examples/curl/rotate-api-token.sh nightly-backup-script [<old token id>]
set -euo pipefail
API="${CHIHOI_URL:-http://127.0.0.1:8080}"
name="$1" old="${2:-}"
created="$(jq -n --arg n "$name" '{name: $n, scopes: ["reports:read", "org_units:read", "audit:read"], expires_in_days: 90}' |
  curl -sS --fail-with-body "$API/api/v1/api-tokens" -H "Authorization: Bearer $CHIHOI_TOKEN" \
    -H 'Content-Type: application/json' --data-binary @-)"
jq '{id, name, scopes, expires_at, secret}' <<<"$created"
if [ -n "$old" ]; then
  curl -sS --fail-with-body -X DELETE "$API/api/v1/api-tokens/$old" -H "Authorization: Bearer $CHIHOI_TOKEN" \
    -H 'If-Match: *' -o /dev/null -w 'revoked %{http_code}\n'
fi

#!/usr/bin/env bash
# Hostile load against the release server on the 1M-member database (issue 17): ordinary reads
# (a member by id: 8 readers, each pausing 5 ms between requests, as other users do, from their
# own address and token) measured alone, then again while each attack floods the server as
# fast as wrk can from its own credentials — a login flood with the right password from a new
# address per request (every request an argon2 verification), a flood of crafted XLSX files (a
# 1.5 KB sheet declaring A1:XFD1048576), a flood of hostile batches (encoded auth paths, 50
# operations each), and a spray of made-up API tokens from made-up addresses. The server runs
# with its production rate limits, except the reads budget, raised so that the measuring
# readers are never the ones refused. Prints the reads' p50/p99 and the ratio to the quiet run,
# the attacks' own counts, whether the server still answers, and its peak memory.
#   BENCH_SECONDS=10 bench/hostile.sh      (READ_PACE_MS=0: readers that saturate the server instead)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$CHIHOI_ROOT"

export CHIHOI_RATE_LIMITS="${CHIHOI_RATE_LIMITS:-reads=100000000/60,writes=600/60,exports=20/60}"
export CHIHOI_RATE_LIMITS_PER_ADDRESS="${CHIHOI_RATE_LIMITS_PER_ADDRESS:-login=60/60,reads=100000000/60,writes=1200/60,exports=60/60}"
export CHIHOI_TRUSTED_PROXIES=127.0.0.1
bench_prepare
bench_start_server
bench_token
reader_token="$BENCH_TOKEN"
attacker="attacker-$$-$RANDOM"
attacker_password="attack-${RANDOM}-${RANDOM}-pass"
printf '%s\n' "$attacker_password" | DATABASE_URL="$BENCH_DATABASE_URL" "$CHIHOI_BIN" user create \
  --username "$attacker" --role admin --unit TW >/dev/null
attacker_token="$(curl -fs "$BENCH_API/api/v1/auth/login" -H 'content-type: application/json' -H 'x-forwarded-for: 10.66.6.6' \
  -d "{\"username\": \"$attacker\", \"password\": \"$attacker_password\"}" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')"
[ -n "$attacker_token" ] || die "the attacker could not log in"
member="$(bench_sql "select id from members order by id limit 1")"
branch="$(bench_sql "select id from org_units where level = 'branch' order by name limit 1")"
password="flood-${RANDOM}-${RANDOM}-pass"
printf '%s\n' "$password" | DATABASE_URL="$BENCH_DATABASE_URL" "$CHIHOI_BIN" user create \
  --username "flood-$$" --role member --unit TW >/dev/null

work="$(mktemp -d)"
printf '{"username": "flood-%s", "password": "%s"}' "$$" "$password" >"$work/login.json"
python3 - "$work/bomb.xlsx" <<'PY'
import sys, zipfile
ns = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'
rel = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'
parts = {
    '[Content_Types].xml': '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
    '_rels/.rels': f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    'xl/workbook.xml': f'<workbook xmlns="{ns}" xmlns:r="{rel}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
    'xl/_rels/workbook.xml.rels': f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    'xl/worksheets/sheet1.xml': f'<worksheet xmlns="{ns}"><dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>',
}
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
    for name, text in parts.items():
        z.writestr(name, text)
PY
python3 - "$work/batch.json" <<'PY'
import json, sys
paths = ['/api/v1/%61uth/login', '/api/v1/x/%2e%2e/auth/login', '/api/v1/auth%2Flogin', '/api/v1/%62atch']
ops = [{'method': 'POST', 'path': paths[i % len(paths)], 'body': {'username': 'x', 'password': 'y'}} for i in range(50)]
json.dump({'operations': ops}, open(sys.argv[1], 'w'))
PY

reads() { BENCH_TOKEN="$reader_token" FORWARDED_FOR=10.0.0.2 PACE_MS="${READ_PACE_MS:-5}" bench_wrk 8 "$BENCH_API/api/v1/members/$member" "$CHIHOI_ROOT/bench/wrk/paced.lua"; }
attack() { # name connections url script [body content-type rotate]
  BODY_FILE="${5:-/dev/null}" CONTENT_TYPE="${6:-}" ROTATE_ADDRESS="${7:-0}" FORWARDED_FOR=10.66.6.6 \
    wrk -t 2 -c "$2" -d "$((BENCH_SECONDS + 2))s" --timeout 30s \
    -s "$CHIHOI_ROOT/bench/wrk/$4" -H "Authorization: Bearer $attacker_token" "$3" >"$work/$1.out" 2>&1 &
  attack_pid=$!
  sleep 1
}
statuses() { # a summary of the attack's answers from the server log is too noisy; wrk's counts suffice
  awk '/requests in/ { total = $1 } /Non-2xx/ { non2xx = $5 } END { printf "%s requests, %s non-2xx", total, non2xx + 0 }' "$work/$1.out"
}

read -r q_rps q50 q99 q_err < <(reads)
rss() { awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$BENCH_SERVER_PID/status"; }
printf '| %-28s | %9s | %8s | %8s | %12s | %7s | %s |\n' "reads (member by id, 8 paced)" "req/s" "p50 ms" "p99 ms" "p50 ÷ quiet" "RSS MB" "attack"
printf '| %-28s | %9s | %8s | %8s | %12s | %7s | %s |\n' "----" "----" "----" "----" "----" "----" "----"
printf '| %-28s | %9s | %8s | %8s | %12s | %7s | %s |\n' "quiet" "$q_rps" "$q50" "$q99" "1.00" "$(rss)" "-"
for name in login xlsx batch spray; do
  case "$name" in
    login) attack login 32 "$BENCH_API/api/v1/auth/login" post.lua "$work/login.json" application/json 1 ;;
    xlsx) attack xlsx 16 "$BENCH_API/api/v1/imports/members?unit=$branch&dry_run=true" post.lua "$work/bomb.xlsx" \
            application/vnd.openxmlformats-officedocument.spreadsheetml.sheet ;;
    batch) attack batch 16 "$BENCH_API/api/v1/batch" post.lua "$work/batch.json" application/json ;;
    spray) attack spray 16 "$BENCH_API/api/v1/members/$member" spray.lua ;;
  esac
  read -r rps p50 p99 err < <(reads)
  wait "$attack_pid" || true
  ratio="$(awk "BEGIN { printf \"%.2f\", $p50 / $q50 }")"
  printf '| %-28s | %9s | %8s | %8s | %12s | %7s | %s |\n' "during $name flood" "$rps" "$p50" "$p99" "$ratio" "$(rss)" "$(statuses "$name")"
done
curl -fs "$BENCH_API/readyz" >/dev/null && echo "server still ready after the attacks" || die "the server is down"
echo "chihoi server peak RSS: $(awk '/VmHWM/ { printf "%.1f MB", $2 / 1024 }' "/proc/$BENCH_SERVER_PID/status")"
rm -rf "$work"

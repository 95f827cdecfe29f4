#!/usr/bin/env bash
# Point-in-time recovery on the Patroni topology of scripts/ha, tried end to end
# (docs/operations.md, "Point-in-time recovery"):
#   1. a base backup of the leader (pg_basebackup), while the nodes archive their WAL;
#   2. time T and a checksum of the members table at T;
#   3. a mistake after T (every failover test member's address changed);
#   4. the base backup restored beside the cluster, replayed from the archive up to T;
#   5. the restored members table must have T's checksum, and the live one must not.
# Loopback only; the restored copy is removed at the end (KEEP=1 keeps it).
set -euo pipefail
source "$(dirname "$0")/../scripts/lib/common.sh"
source "$CHIHOI_ROOT/scripts/lib/postgres.sh"
cd "$CHIHOI_ROOT"
ensure_pg_binaries
scripts/ha up >/dev/null 2>&1 || die "scripts/ha up failed (run it alone to see why)"
set -a
# shellcheck disable=SC1091
source "$CHIHOI_ROOT/.data/ha.env"
set +a
run="$CHIHOI_HA_HOME/run"
work="$CHIHOI_HA_HOME/pitr"
rm -rf "$work"
mkdir -p "$work" && { is_root && chown postgres:postgres "$work"; true; }
leader_port="$(patronictl -c "$CHIHOI_HA_PATRONI_CONFIG" list -f json |
  python3 -c 'import json,sys; print(next(m["Host"] for m in json.load(sys.stdin) if m["Role"] == "Leader").split(":")[1])')"
checksum="select count(*) || ' ' || md5(coalesce(string_agg(id::text || ':' || coalesce(address, ''), ',' order by id), '')) from members"

say "1. base backup of the leader (127.0.0.1:$leader_port)"
started=$(date +%s)
PGPASSWORD="$(cat "$run/replication.secret")" as_pg_owner "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$leader_port" \
  -U replicator -D "$work/base" -X stream --checkpoint=fast
say "   $(du -sh "$work/base" | cut -f1) in $(($(date +%s) - started)) s"

sleep 1
at="$(psql "$DATABASE_URL" -Atqc "select now()")"
before="$(psql "$DATABASE_URL" -Atqc "$checksum")"
say "2. T = $at; members at T: $before"
sleep 1

changed="$(psql "$DATABASE_URL" -Atqc "with w as (update members set address = address || ' (ghi nhầm / by mistake)'
  where address like 'failover %' returning 1) select count(*) from w")"
[ "$changed" -gt 0 ] || die "no failover test members to overwrite: run bench/failover.sh first"
after="$(psql "$DATABASE_URL" -Atqc "$checksum")"
say "3. the mistake: $changed addresses overwritten; members now: $after"
# Close the WAL segment holding the mistake and wait until it is archived.
segment="$(psql "$CHIHOI_HA_SUPERUSER_URL" -Atqc "select pg_walfile_name(pg_switch_wal())")"
for _ in $(seq 1 60); do
  [ -f "$CHIHOI_HA_HOME/archive/$segment" ] && break
  sleep 0.5
done
[ -f "$CHIHOI_HA_HOME/archive/$segment" ] || die "WAL segment $segment was not archived"

say "4. restoring the base backup up to T from the archive"
port="$(free_port 56050)"
as_pg_owner tee -a "$work/base/postgresql.auto.conf" >/dev/null <<CONF
# Point-in-time recovery trial (bench/pitr.sh): a copy beside the cluster, not part of it.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$work'
archive_mode = off
synchronous_standby_names = ''
primary_conninfo = ''
restore_command = 'cp $CHIHOI_HA_HOME/archive/%f %p'
recovery_target_time = '$at'
recovery_target_action = 'promote'
CONF
as_pg_owner touch "$work/base/recovery.signal"
as_pg_owner rm -f "$work/base/standby.signal"
started=$(date +%s)
as_pg_owner "$PG_BIN/pg_ctl" -D "$work/base" -l "$work/restore.log" -w -t 120 start >/dev/null ||
  die "the restored copy did not start; see $work/restore.log"
restored_sql() { as_pg_owner psql -h "$work" -p "$port" -U postgres -d chihoi -Atqc "$1"; }
for _ in $(seq 1 120); do
  [ "$(restored_sql "select pg_is_in_recovery()" 2>/dev/null)" = f ] && break
  sleep 0.5
done
restored="$(restored_sql "$checksum")"
say "5. restored in $(($(date +%s) - started)) s; members there: $restored"
[ "${KEEP:-0}" = 1 ] || {
  as_pg_owner "$PG_BIN/pg_ctl" -D "$work/base" -m fast stop >/dev/null
  rm -rf "$work"
}
if [ "$restored" = "$before" ] && [ "$after" != "$before" ]; then
  say "PASS: the restored members table is the one of T ($before), not the one after the mistake"
else
  die "FAIL: restored $restored, at T $before, after the mistake $after"
fi

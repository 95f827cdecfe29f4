# Finds or makes a PostgreSQL for chihoi and exports DATABASE_URL. Source it, then call
# ensure_postgres. Order:
#   1. DATABASE_URL, if it answers;
#   2. this checkout's private cluster under .data/postgres (started if stopped);
#   3. a server on 127.0.0.1:5432, if it answers (a chihoi role and database are made in it
#      when we can reach it as its superuser);
#   4. otherwise: install Debian's postgresql if missing and create the private cluster on a
#      free port. PostgreSQL's binaries refuse to run as root, so they run as `postgres`.
# shellcheck shell=bash

PG_DATA_LINK="$CHIHOI_ROOT/.data/postgres"
PG_ENV_FILE="$CHIHOI_ROOT/.data/postgres.env"

pg_bin_dir() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  done
  return 1
}

ensure_pg_binaries() {
  if ! pg_bin_dir >/dev/null; then
    apt_install postgresql postgresql-contrib
  fi
  command -v psql >/dev/null || apt_install postgresql-client
  PG_BIN="$(pg_bin_dir)" || die "PostgreSQL binaries not found after installing postgresql"
  export PG_BIN
}

# Runs a PostgreSQL server binary as the cluster owner.
as_pg_owner() {
  if is_root; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

url_answers() {
  [ -n "${1:-}" ] && PGCONNECT_TIMEOUT=3 psql "$1" -Atqc 'select 1' >/dev/null 2>&1
}

# The private cluster's data directory. As root, PostgreSQL runs as `postgres`, which cannot
# enter a checkout under a private home (/root); the data then lives under /var/lib and
# .data/postgres links to it.
private_data_dir() {
  if [ -L "$PG_DATA_LINK" ] || [ -d "$PG_DATA_LINK" ]; then
    readlink -f "$PG_DATA_LINK"
    return
  fi
  mkdir -p "$CHIHOI_ROOT/.data"
  if is_root; then
    if runuser -u postgres -- test -x "$CHIHOI_ROOT/.data" 2>/dev/null; then
      echo "$CHIHOI_ROOT/.data/postgres"
    else
      local hash
      hash=$(printf '%s' "$CHIHOI_ROOT" | sha256sum | cut -c1-12)
      mkdir -p /var/lib/chihoi-dev
      ln -s "/var/lib/chihoi-dev/postgres-$hash" "$PG_DATA_LINK"
      echo "/var/lib/chihoi-dev/postgres-$hash"
    fi
  else
    echo "$CHIHOI_ROOT/.data/postgres"
  fi
}

start_private_cluster() {
  ensure_pg_binaries
  local data port socket_dir
  data="$(private_data_dir)"
  socket_dir="$data/run"
  if [ ! -f "$data/PG_VERSION" ]; then
    say "creating a private PostgreSQL cluster in $data"
    mkdir -p "$data"
    is_root && chown postgres:postgres "$data"
    chmod 700 "$data"
    as_pg_owner "$PG_BIN/initdb" -D "$data" -U postgres -E UTF8 --locale=C.UTF-8 \
      --auth-local=trust --auth-host=scram-sha-256 >/dev/null \
      || die "initdb failed"
    as_pg_owner mkdir -p "$socket_dir"
    port=$(free_port 55432)
    # Loopback only; tuned a little for tests and benchmarks on a small machine.
    as_pg_owner tee -a "$data/postgresql.conf" >/dev/null <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$socket_dir'
max_connections = 300
shared_buffers = 512MB
fsync = on
synchronous_commit = on
# A client that opens a connection and never finishes logging in holds up CREATE and DROP
# DATABASE of every test (they wait for all backends); 10 s instead of 60 s bounds that.
authentication_timeout = 10s
CONF
  fi
  port=$(sed -n "s/^port = \([0-9]*\)/\1/p" "$data/postgresql.conf" | tail -n 1)
  if ! as_pg_owner "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      port=$(free_port "$port")
      as_pg_owner sed -i "s/^port = .*/port = $port/" "$data/postgresql.conf"
    fi
    say "starting the private PostgreSQL on 127.0.0.1:$port"
    as_pg_owner "$PG_BIN/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 start >/dev/null \
      || die "PostgreSQL did not start; see $data/server.log"
  fi
  local psql_super=(as_pg_owner psql -h "$socket_dir" -p "$port" -U postgres -d postgres -Atq)
  if [ "$("${psql_super[@]}" -c "select 1 from pg_roles where rolname = 'chihoi'")" != 1 ]; then
    "${psql_super[@]}" -c "create role chihoi login createdb password 'chihoi'" >/dev/null
  fi
  if [ "$("${psql_super[@]}" -c "select 1 from pg_database where datname = 'chihoi'")" != 1 ]; then
    "${psql_super[@]}" -c "create database chihoi owner chihoi" >/dev/null
  fi
  DATABASE_URL="postgres://chihoi:chihoi@127.0.0.1:$port/chihoi"
  echo "DATABASE_URL=$DATABASE_URL" >"$PG_ENV_FILE"
}

# Uses the server on 127.0.0.1:5432, creating the chihoi role and database when we can reach
# it as superuser through its local socket (Debian's packaged cluster).
use_default_port_server() {
  local url="postgres://chihoi:chihoi@127.0.0.1:5432/chihoi"
  if url_answers "$url"; then
    DATABASE_URL="$url"
    return 0
  fi
  local super=(psql -p 5432 -U postgres -d postgres -Atq)
  is_root && super=(runuser -u postgres -- psql -p 5432 -d postgres -Atq)
  "${super[@]}" -c 'select 1' >/dev/null 2>&1 || return 1
  say "creating role and database chihoi in the PostgreSQL on port 5432"
  [ "$("${super[@]}" -c "select 1 from pg_roles where rolname = 'chihoi'")" = 1 ] \
    || "${super[@]}" -c "create role chihoi login createdb password 'chihoi'" >/dev/null
  [ "$("${super[@]}" -c "select 1 from pg_database where datname = 'chihoi'")" = 1 ] \
    || "${super[@]}" -c "create database chihoi owner chihoi" >/dev/null
  url_answers "$url" || return 1
  DATABASE_URL="$url"
}

ensure_postgres() {
  command -v psql >/dev/null || apt_install postgresql-client
  if [ -n "${DATABASE_URL:-}" ] && url_answers "$DATABASE_URL"; then
    say "using PostgreSQL at DATABASE_URL"
  elif [ -e "$PG_DATA_LINK" ]; then
    start_private_cluster
  elif (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null && use_default_port_server; then
    say "using the PostgreSQL on 127.0.0.1:5432"
  else
    start_private_cluster
  fi
  url_answers "$DATABASE_URL" || die "PostgreSQL does not answer at DATABASE_URL"
  export DATABASE_URL
  if [ -z "${PG_BIN:-}" ]; then PG_BIN="$(pg_bin_dir || true)"; export PG_BIN; fi
}

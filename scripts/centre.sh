#!/usr/bin/env bash
# The city centre's own PostgreSQL 15 + PostGIS 3 cluster in a data folder (docs/centre.md).
#
#   scripts/centre.sh init   DIR [--port N] [--bare] [--no-sample]
#   scripts/centre.sh start  DIR
#   scripts/centre.sh stop   DIR
#   scripts/centre.sh status DIR
#   scripts/centre.sh url    DIR
#
# init creates the cluster in DIR (when it is not there yet) listening on 127.0.0.1:N only
# (default 55432) with its unix socket in DIR, starts it, creates the database `griddesk` with
# PostGIS and runs `griddesk centre init URL`: GridDesk's PostgreSQL migrations and the sample
# district (--no-sample: without it; --bare: stop after CREATE EXTENSION, for tests that run
# the migrations themselves). Every step is skipped when already done: init twice is init once.
#
# PostgreSQL refuses to run as root: as root the folder is given to the `postgres` user and the
# server's commands run as that user (runuser); as anyone else they run directly.
# Local connections over the socket are trusted (the folder is closed to other users); TCP
# connections on 127.0.0.1 need a password (scram-sha-256): how stations log in.
#
# The griddesk binary: $GRIDDESK_BIN, else the newer of target/release/griddesk and
# target/debug/griddesk that knows `centre`, else it is built (cargo build -p griddesk-cli).
set -euo pipefail

die() {
    echo "centre.sh: $*" >&2
    exit 1
}

usage() {
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

[[ $# -ge 2 ]] || usage
cmd=$1
dir=$2
shift 2
port=""
bare=0
sample=1
while [[ $# -gt 0 ]]; do
    case $1 in
    --port)
        [[ $# -ge 2 ]] || die "--port needs a number"
        port=$2
        shift 2
        ;;
    --bare) bare=1; shift ;;
    --no-sample) sample=0; shift ;;
    *) die "unknown argument \`$1\` (see the usage: $0 with no arguments)" ;;
    esac
done
if [[ -n $port ]] && ! [[ $port =~ ^[0-9]+$ && $port -ge 1024 && $port -le 65535 ]]; then
    die "--port $port: a port number from 1024 to 65535 is needed"
fi
case $cmd in init | start | stop | status | url) ;; *) usage ;; esac

bin=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
if [[ ! -x $bin/initdb || ! -x $bin/pg_ctl ]]; then
    die "PostgreSQL 15 is not installed ($bin/initdb is missing): install it with \`bash scripts/install-deps.sh --test\` (or set PG_BINDIR)"
fi
sharedir=$("$bin/pg_config" --sharedir 2>/dev/null || echo /usr/share/postgresql/15)
if [[ $cmd == init && ! -f $sharedir/extension/postgis.control ]]; then
    die "PostGIS 3 for PostgreSQL 15 is not installed ($sharedir/extension/postgis.control is missing): install it with \`bash scripts/install-deps.sh --test\`"
fi

# An absolute path: the server and the connection string need one.
if [[ $cmd == init ]]; then
    mkdir -p "$dir" 2>/dev/null || die "cannot create the folder $dir"
elif [[ ! -d $dir ]]; then
    die "$dir holds no cluster (there is no such folder)"
fi
dir=$(cd "$dir" && pwd)
[[ $dir != *" "* && $dir != *"'"* ]] || die "$dir: the data folder's path may not hold spaces or quotes"
# A unix socket's path is limited to 107 bytes (.s.PGSQL.NNNNN is added).
((${#dir} <= 90)) || die "$dir: the path is too long for the server's unix socket (at most 90 characters)"

as_root=0
[[ $(id -u) -eq 0 ]] && as_root=1
# Runs a server command as the user who owns the cluster.
pg() {
    if ((as_root)); then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

conf_port() {
    sed -n "s/^port = \([0-9]*\).*/\1/p" "$dir/postgresql.conf" 2>/dev/null | tail -1
}

running() {
    pg "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1
}

url() {
    echo "postgresql://postgres@/griddesk?host=$dir&port=$(conf_port)"
}

start() {
    [[ -f $dir/PG_VERSION ]] || die "$dir holds no cluster: run \`$0 init $dir\` first"
    if running; then
        return 0
    fi
    if ! pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start >/dev/null; then
        echo "--- the end of $dir/server.log:" >&2
        tail -20 "$dir/server.log" >&2 || true
        die "the server in $dir did not start (port $(conf_port) taken by another server?)"
    fi
}

psql_admin() {
    pg "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$(conf_port)" -U postgres "$@"
}

case $cmd in
init)
    if [[ -f $dir/PG_VERSION ]]; then
        if [[ -n $port && $port != "$(conf_port)" ]]; then
            die "$dir already holds a cluster on port $(conf_port), not $port"
        fi
    else
        [[ -z $(ls -A "$dir") ]] || die "$dir is not empty and holds no cluster: give an empty or new folder"
        port=${port:-55432}
        if ((as_root)); then
            id postgres >/dev/null 2>&1 || die "running as root needs the \`postgres\` user (made by the postgresql-15 package)"
            chown postgres: "$dir"
            parent=$(dirname "$dir")
            runuser -u postgres -- test -x "$parent" ||
                die "the postgres user cannot enter $parent: choose a folder it can reach, or \`chmod o+x $parent\`"
        fi
        chmod 700 "$dir"
        if ! out=$(pg "$bin/initdb" -D "$dir" -U postgres -E UTF8 --locale=C.UTF-8 \
            --auth-local=trust --auth-host=scram-sha-256 2>&1); then
            echo "$out" >&2
            die "initdb failed in $dir"
        fi
        {
            echo ""
            echo "# GridDesk centre (scripts/centre.sh)"
            echo "listen_addresses = '127.0.0.1'"
            echo "unix_socket_directories = '$dir'"
            echo "password_encryption = 'scram-sha-256'"
            echo "port = $port"
        } | pg tee -a "$dir/postgresql.conf" >/dev/null
    fi
    start
    exists=$(psql_admin -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'griddesk'")
    if [[ $exists != 1 ]]; then
        psql_admin -d postgres -c "CREATE DATABASE griddesk"
    fi
    PGOPTIONS="-c client_min_messages=warning" psql_admin -d griddesk \
        -c "CREATE EXTENSION IF NOT EXISTS postgis"
    if ((!bare)); then
        griddesk=${GRIDDESK_BIN:-}
        root=$(cd "$(dirname "$0")/.." && pwd)
        if [[ -z $griddesk ]]; then
            # The newest build that knows `centre` (an older one may predate it).
            for b in $(ls -t "$root/target/release/griddesk" "$root/target/debug/griddesk" 2>/dev/null); do
                if "$b" centre --help >/dev/null 2>&1; then
                    griddesk=$b
                    break
                fi
            done
        fi
        if [[ -z $griddesk ]]; then
            (cd "$root" && cargo build -p griddesk-cli) || die "building the griddesk command failed"
            griddesk=$root/target/debug/griddesk
        fi
        args=(centre init "$(url)" --resources "$root/resources")
        ((sample)) && args+=(--sample)
        "$griddesk" "${args[@]}" || die "\`griddesk centre init\` failed on $dir"
    fi
    echo "centre ready: $(url)"
    ;;
start)
    start
    echo "centre running: $(url)"
    ;;
stop)
    [[ -f $dir/PG_VERSION ]] || die "$dir holds no cluster"
    if running; then
        pg "$bin/pg_ctl" -D "$dir" -m fast -w -t 60 stop >/dev/null
    fi
    echo "centre stopped: $dir"
    ;;
status)
    [[ -f $dir/PG_VERSION ]] || die "$dir holds no cluster"
    if running; then
        echo "centre running: $(url)"
    else
        echo "centre stopped: $dir (port $(conf_port))"
        exit 3
    fi
    ;;
url)
    [[ -f $dir/PG_VERSION ]] || die "$dir holds no cluster"
    url
    ;;
esac

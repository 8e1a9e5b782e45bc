#!/usr/bin/env bash
# Lifeboat vs pgBackRest on one throwaway PostgreSQL 15 cluster, in one run: wall time, CPU
# (user+sys), peak RSS and stored size (repository growth) for
#   1. full backup after pgbench -i -s $BENCH_SCALE and a CHECKPOINT,
#   2. incremental backup after $BENCH_SECONDS s of pgbench -c 4 (pgBackRest --type=incr,
#      lifeboat db backup --incremental),
#   3. restore to the latest WAL into a fresh directory, then start it and time the recovery until
#      it is promoted; sum(abalance), pgbench_history and marker rows must equal the source's,
#   4. point-in-time restore to a time T taken half-way through the pgbench run between two marker
#      inserts (one per second): markers committed before T present, after T absent, and no
#      pgbench_history row stamped after T,
#   5. WAL lag, commit -> segment in the repository, both polled through the tool (pgbackrest
#      archive-get / lifeboat db list --json) and exact (end of each push, logged by archive_command):
#      with archive_timeout only (the row is committed right after a segment switch, so this is
#      close to the worst case, archive_timeout + push), and with a forced pg_switch_wal() (the
#      push latency itself; mean of 3). Also each tool's own push time per WAL segment over the
#      whole run, and, when the built lifeboat has `db wal-receive` (streaming through
#      pg_receivewal), its lag (until wal-fetch returns a segment or .partial holding the row's
#      commit record, checked with pg_waldump) and its CPU per minute.
# Both tools archive every segment from one archive_command, as `pgbackrest archive-push %p &&
# lifeboat db wal-push ... %p`, each under /usr/bin/time (per-segment figures). Lifeboat's lag
# therefore includes pgBackRest's push of the same segment, which runs first.
# pgBackRest: own config in the work dir, zst level 3, process-max=2, start-fast, and encrypted
# (aes-256-cbc) as Lifeboat always is (BENCH_PGBR_CIPHER=0 leaves it unencrypted). Lifeboat: a
# zstd:3 repository, passphrase in a file. Both tools, the server and pgbench run as the postgres
# user (PostgreSQL refuses root, pgBackRest must read the data directory, and archive_command
# writes into both repositories as postgres); the script itself must run as root.
# Page caches are dropped before each measured step. Prints a Markdown table (pgBackRest absolute;
# Lifeboat absolute and as ratio to pgBackRest, <1 = Lifeboat faster/smaller) and writes the raw
# figures to $W/results.tsv.
#
# Run:   sudo bench/postgres-vs-pgbackrest.sh           (about 8 minutes at the defaults on 2 cores)
#        BENCH_SCALE=2 BENCH_SECONDS=10 bench/postgres-vs-pgbackrest.sh     (a quick check)
# Env:   BENCH_SCALE (pgbench scale, default 50 = ~750 MB), BENCH_SECONDS (pgbench run, default 60),
#        BENCH_REV=COMMIT builds that commit (git archive) instead of the working tree,
#        BENCH_DIR (default: a new dir under /tmp; must be absent or empty), BENCH_KEEP=1 keeps it,
#        LIFEBOAT_JAVA_OPTS is passed through to bin/lifeboat.
# Lifeboat is run through bin/lifeboat from a private copy of this checkout (bin, pom.xml, src/main,
# routes, config) built in the work dir, so edits to the checkout during the run cannot trigger
# rebuilds mid-step.
# Needs: root, PostgreSQL 15 server (/usr/lib/postgresql/15/bin), Java 17 + Maven, ss; installs
# pgbackrest and time (GNU /usr/bin/time) with apt-get when they are missing.
# Every cluster it started is stopped (pg_ctl -m immediate) on exit, also on failure.
# Exit status: 1 on any error, 2 when a restore check failed (the table is still printed).
set -Eeuo pipefail
trap 'exit 130' INT TERM

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$HERE/bench/lib.sh"  # die, bench_workdir, remove_workdir, drop_caches, build_lifeboat, lifeboat_rev, now, free_port, ratio_table, report_end, install_missing
SCALE="${BENCH_SCALE:-50}" SECS="${BENCH_SECONDS:-60}"
PGBIN=/usr/lib/postgresql/15/bin
ARCHIVE_TIMEOUT=60 FORCED_REPEATS=3
[[ $SCALE =~ ^[1-9][0-9]*$ && $SECS =~ ^[1-9][0-9]*$ ]] || die "BENCH_SCALE and BENCH_SECONDS must be positive integers"
[ "$(id -u)" = 0 ] || die "run as root (the clusters and tools run as postgres through runuser)"
[ -x "$PGBIN/postgres" ] || die "PostgreSQL 15 server not found in $PGBIN (apt-get install -y postgresql-15)"
id postgres >/dev/null 2>&1 || die "no postgres user"
need=()
command -v pgbackrest >/dev/null || need+=(pgbackrest)
[ -x /usr/bin/time ] || need+=(time)
install_missing "${need[@]}"
for c in pgbackrest /usr/bin/time java mvn ss runuser; do command -v "$c" >/dev/null || die "$c not found"; done

bench_workdir
CLUSTERS=() BGPIDS=()
cleanup() {
  local d p
  trap - ERR
  for p in "${BGPIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for d in "${CLUSTERS[@]}"; do
    [ -f "$d/postmaster.pid" ] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$d" -m immediate -w stop >/dev/null 2>&1 || true
  done
  remove_workdir
}
trap cleanup EXIT

SRC="$W/pgdata" SOCK="$W/sock" TSV="$W/results.tsv" LOGS="$W/logs" TMPD="$W/tmp"
LB="$W/lifeboat/bin/lifeboat" LBREPO="$W/repo-lifeboat" PWF="$W/lifeboat.password"
PBCONF="$W/pgbackrest.conf" PBREPO="$W/repo-pgbackrest" WALTIMES="$W/wal-push.tsv" WALDONE="$W/wal-pushed.log"
mkdir -p "$LOGS/pgbackrest" "$SOCK" "$TMPD" "$W/pgbackrest-lock" "$W/restores"
printf 'tool\tstep\twall_s\tuser_s\tsys_s\tmaxrss_kb\tstored_bytes\n' > "$TSV"
NOTES=()

as_pg() { runuser -u postgres -- "$@"; }
PB=(runuser -u postgres -- pgbackrest --config="$PBCONF" --stanza=bench) LBC=(runuser -u postgres -- "$LB")
pb() { "${PB[@]}" "$@"; }
lb() { "${LBC[@]}" "$@"; }
# psql_at PORT SQL: one statement as postgres over the socket, unaligned tuples only.
psql_at() { as_pg "$PGBIN/psql" -X -A -t -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$1" -d postgres -c "$2"; }
src_sql() { psql_at "$PORT" "$1"; }
minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a - b }'; }
size_of() { du -sb "$1" | cut -f1; }
repo_of() { case $1 in pgbackrest) echo "$PBREPO" ;; lifeboat) echo "$LBREPO" ;; esac; }
row() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$TSV"; }

# measure TOOL STEP CMD...: one timed run of CMD; stored size = growth of the tool's repository.
measure() {
  local tool=$1 step=$2 log="$LOGS/$1-$2.log" r before after; shift 2
  r=$(repo_of "$tool"); before=$(size_of "$r")
  drop_caches
  echo "bench: $tool $step ..." >&2
  if ! /usr/bin/time -f '%e %U %S %M' -o "$W/time.out" "$@" > "$log" 2>&1; then
    tail -n 20 "$log" >&2; die "$tool $step failed: $* (log above)"
  fi
  local e u s m stored=-; read -r e u s m < <(tail -n 1 "$W/time.out")
  case $step in *backup*) after=$(size_of "$r"); stored=$(( after - before )) ;; esac
  row "$tool" "$step" "$e" "$u" "$s" "$m" "$stored"
  echo "bench:   $e s wall, $u+$s s CPU, $((m / 1024)) MiB RSS, stored $stored" >&2
}

# Waits until the source has no WAL segment waiting for archive_command (both repositories have it all).
wait_archived() {
  local deadline=$(( SECONDS + ${1:-1200} ))
  while [ -n "$(find "$SRC/pg_wal/archive_status" -name '*.ready' -print -quit)" ]; do
    [ $SECONDS -lt $deadline ] || die "WAL archiving did not catch up (see $LOGS/pg-src.log): $(src_sql "select failed_count, last_failed_wal from pg_stat_archiver")"
    sleep 0.5
  done
}

start_cluster() {  # DATADIR PORT LOG [extra -c options]
  local d=$1 p=$2 log=$3; shift 3
  CLUSTERS+=("$d")
  as_pg "$PGBIN/pg_ctl" -D "$d" -l "$log" -w -t 3600 \
    -o "-c port=$p -c listen_addresses=127.0.0.1 -c unix_socket_directories=$SOCK $*" start >/dev/null \
    || { tail -n 30 "$log" >&2; die "starting the cluster in $d failed"; }
}
stop_cluster() { as_pg "$PGBIN/pg_ctl" -D "$1" -m immediate -w stop >/dev/null; }

# recover TOOL STEP DIR: starts the restored cluster (no archiving, its own port) and times it until
# recovery has ended and it was promoted (wall time only: the work is the server's and restore_command's).
recover() {
  local tool=$1 step=$2 d=$3 t0 t1 st log="$LOGS/$1-$2-server.log"
  chown -R postgres:postgres "$d"
  echo "bench: $tool $step (start, replay, promote) ..." >&2
  t0=$(now)
  start_cluster "$d" "$RPORT" "$log" -c archive_mode=off
  local deadline=$(( SECONDS + 3600 ))
  while :; do
    st=$(psql_at "$RPORT" "select pg_is_in_recovery()" 2>/dev/null || true)
    [ "$st" = f ] && break
    as_pg "$PGBIN/pg_ctl" -D "$d" status >/dev/null || { tail -n 30 "$log" >&2; die "$tool $step: restored cluster stopped"; }
    [ $SECONDS -lt $deadline ] || die "$tool $step: recovery did not finish"
    sleep 0.2
  done
  t1=$(now)
  row "$tool" "$step" "$(minus "$t1" "$t0")" - - - -
  echo "bench:   $(minus "$t1" "$t0") s" >&2
}
check() {  # TOOL WHAT SQL EXPECTED
  local got; got=$(psql_at "$RPORT" "$3" 2>&1) || got="error: $got"
  if [ "$got" != "$4" ]; then FAILURES+=("$1 $2: got '$got', expected '$4' ($3)"); echo "bench:   MISMATCH $1 $2: '$got' != '$4'" >&2
  else echo "bench:   ok $1 $2 = $got" >&2; fi
}
finish_restore() { stop_cluster "$1"; rm -rf "$1"; }

# poll TOOL SEGMENT XID OUTFILE: writes "when first seen, how long that check took" once the
# repository has the segment (stream: once the segment or its .partial, fetched back, holds XID's commit).
poll() {
  local tool=$1 seg=$2 xid=$3 out=$4 deadline=$(( SECONDS + 3 * ARCHIVE_TIMEOUT + 300 )) list t
  while [ $SECONDS -lt $deadline ]; do
    t=$(now)
    case $tool in
      pgbackrest) if pb archive-get "$seg" "$TMPD/lag-$seg" >/dev/null 2>&1; then break; fi ;;
      lifeboat)   if list=$(lb db list --repo "$LBREPO" --password-file "$PWF" --source bench --json 2>/dev/null) \
                     && [[ $list == *"\"$seg\""* ]]; then break; fi ;;
      stream)     if lb db wal-fetch --repo "$LBREPO" --password-file "$PWF" --source bench-stream "$seg" "$TMPD/wr/$seg" >/dev/null 2>&1 \
                     && list=$(as_pg "$PGBIN/pg_waldump" -r Transaction -x "$xid" -p "$TMPD/wr" "$seg" 2>/dev/null || true) \
                     && [[ $list == *COMMIT* ]]; then break; fi ;;
    esac
    sleep 0.1
  done
  if [ $SECONDS -lt $deadline ]; then echo "$(now) $(minus "$(now)" "$t")" > "$out"; else echo timeout > "$out"; fi
}
# lag STEP FORCE TOOLS...: commits a marker row (then pg_switch_wal() when FORCE=1), polls the tools'
# repositories in parallel, and records seconds from the commit to the row being in each.
MARK=1000000
lag() {
  local step=$1 force=$2; shift 2
  local seg xid t0 t d pids=() tool
  MARK=$((MARK + 1))
  xid=$(src_sql "insert into bench_marker(id) values ($MARK); select txid_current()")
  t0=$(now)
  seg=$(src_sql "select pg_walfile_name(pg_current_wal_lsn())")
  [ "$force" = 1 ] && src_sql "select pg_switch_wal()" >/dev/null
  for tool in "$@"; do rm -f "$TMPD/lag-$tool"; poll "$tool" "$seg" "$xid" "$TMPD/lag-$tool" & pids+=($!); BGPIDS+=($!); done
  wait "${pids[@]}"
  for tool in "$@"; do
    read -r t d < "$TMPD/lag-$tool"
    [ "$t" != timeout ] || die "$tool: the row's WAL ($seg) never showed up in the repository ($step)"
    echo "$tool $step, polled $seg $(minus "$t" "$t0")" >> "$TMPD/lags"
    echo "bench:   $tool $step: $seg seen after $(minus "$t" "$t0") s (the successful check took $d s)" >&2
    [ "$tool" = stream ] && continue
    t=$(awk -v t="$tool" -v s="$seg" '$1 == t && $2 == s { x = $3 } END { print x }' "$WALDONE")
    [ -n "$t" ] || die "$tool: no end of push logged for $seg"
    echo "$tool $step, push done $seg $(minus "$t" "$t0")" >> "$TMPD/lags"
    echo "bench:   $tool $step: $seg pushed after $(minus "$t" "$t0") s" >&2
  done
}

# --- setup -------------------------------------------------------------------------------------
LBREV=$(lifeboat_rev)
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench: work dir $W, scale $SCALE, $SECS s of pgbench, lifeboat $LBREV, $(pgbackrest version)" >&2
cd "$W"   # lifeboat resolves ./config (its catalog) against the working directory: keep it away from any checkout
build_lifeboat
chown -R postgres:postgres "$W"
PORT=$(free_port $(( 54320 + RANDOM % 500 ))) && RPORT=$(free_port $(( PORT + 1 )))
echo bench-passphrase > "$PWF" && chmod 600 "$PWF" && chown postgres:postgres "$PWF"
lb init --repo "$LBREPO" --compression zstd:3 --password-file "$PWF" > "$LOGS/lifeboat-init.log" 2>&1 || { cat "$LOGS/lifeboat-init.log" >&2; die "lifeboat init failed"; }
cat > "$PBCONF" <<EOF
[global]
repo1-path=$PBREPO
repo1-retention-full=99
$( [ "${BENCH_PGBR_CIPHER:-1}" = 1 ] && printf 'repo1-cipher-type=aes-256-cbc\nrepo1-cipher-pass=bench-passphrase' )
compress-type=zst
compress-level=3
process-max=2
start-fast=y
log-path=$LOGS/pgbackrest
lock-path=$W/pgbackrest-lock
log-level-console=warn

[bench]
pg1-path=$SRC
pg1-port=$PORT
pg1-socket-path=$SOCK
EOF
chown postgres:postgres "$PBCONF"

as_pg "$PGBIN/initdb" -D "$SRC" -A trust -E UTF8 --locale=C.UTF-8 > "$LOGS/initdb.log" 2>&1 || { cat "$LOGS/initdb.log" >&2; die "initdb failed"; }
# Each push is timed (tool, segment, GNU time's %e %U %S %M) and its end logged (tool, segment, epoch);
# PostgreSQL replaces only %p, %f and %% and leaves the other % fields to time and date.
T_FMT='%s\t%s\t%%e\t%%U\t%%S\t%%M'
cat >> "$SRC/postgresql.conf" <<EOF

# lifeboat bench
timezone = 'UTC'
log_timezone = 'UTC'
wal_level = replica
archive_mode = on
archive_timeout = $ARCHIVE_TIMEOUT
max_wal_senders = 10
archive_command = '/usr/bin/time -a -o $WALTIMES -f "$(printf "$T_FMT" pgbackrest %f)" pgbackrest --config=$PBCONF --stanza=bench archive-push %p && echo "pgbackrest %f \$(date +%s.%N)" >> $WALDONE && /usr/bin/time -a -o $WALTIMES -f "$(printf "$T_FMT" lifeboat %f)" $LB db wal-push --repo $LBREPO --password-file $PWF --source bench %p && echo "lifeboat %f \$(date +%s.%N)" >> $WALDONE'
EOF
start_cluster "$SRC" "$PORT" "$LOGS/pg-src.log"
pb stanza-create > "$LOGS/pgbackrest-stanza-create.log" 2>&1 || { cat "$LOGS/pgbackrest-stanza-create.log" >&2; die "pgbackrest stanza-create failed"; }
pb check > "$LOGS/pgbackrest-check.log" 2>&1 || { cat "$LOGS/pgbackrest-check.log" >&2; die "pgbackrest check failed (archive_command?)"; }

# --- 1. full backup ------------------------------------------------------------------------------
echo "bench: pgbench -i -s $SCALE ..." >&2
t=$(now)
as_pg "$PGBIN/pgbench" -i -s "$SCALE" -h "$SOCK" -p "$PORT" postgres > "$LOGS/pgbench-init.log" 2>&1 || { tail "$LOGS/pgbench-init.log" >&2; die "pgbench -i failed"; }
INIT_S=$(minus "$(now)" "$t")
src_sql "create table bench_marker (id int primary key, ts timestamptz not null default clock_timestamp())"
src_sql "checkpoint"
DB_BYTES=$(src_sql "select pg_database_size('postgres')")
echo "bench: pgbench -i took $INIT_S s, database $((DB_BYTES / 1048576)) MiB; waiting for WAL archiving ..." >&2
wait_archived
measure pgbackrest "full backup" "${PB[@]}" --type=full backup
wait_archived
measure lifeboat "full backup" "${LBC[@]}" db backup --repo "$LBREPO" --password-file "$PWF" --source bench --port "$PORT"
wait_archived

# --- 2. pgbench run, marker rows, incremental backup -----------------------------------------------
echo "bench: pgbench -c 4 -j 2 -T $SECS, one marker row a second ..." >&2
as_pg "$PGBIN/pgbench" -c 4 -j 2 -T "$SECS" -h "$SOCK" -p "$PORT" postgres > "$LOGS/pgbench-run.log" 2>&1 &
PGBENCH=$!; BGPIDS+=($PGBENCH)
start=$SECONDS i=0 T= TMARK=
while kill -0 "$PGBENCH" 2>/dev/null; do
  i=$((i + 1)); src_sql "insert into bench_marker(id) values ($i)"
  if [ -z "$T" ] && [ $(( SECONDS - start )) -ge $(( SECS / 2 )) ]; then
    sleep 0.3; T=$(src_sql "select to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'"); TMARK=$i; sleep 0.3
  fi
  sleep 1
done
wait "$PGBENCH" || { tail "$LOGS/pgbench-run.log" >&2; die "pgbench run failed"; }
[ -n "$T" ] || die "pgbench ended before the half-way point"
TPS=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$LOGS/pgbench-run.log" | head -n 1)
SUM=$(src_sql "select sum(abalance) from pgbench_accounts")
HIST=$(src_sql "select count(*) from pgbench_history")
MARKERS=$(src_sql "select count(*) from bench_marker")
echo "bench: $TPS tps; T = $T after marker $TMARK of $MARKERS; sum(abalance) $SUM, $HIST history rows" >&2
src_sql "select pg_switch_wal()" >/dev/null
wait_archived
measure pgbackrest "incremental backup" "${PB[@]}" --type=incr backup
wait_archived
measure lifeboat "incremental backup" "${LBC[@]}" db backup --repo "$LBREPO" --password-file "$PWF" --source bench --port "$PORT" --incremental
src_sql "select pg_switch_wal()" >/dev/null
wait_archived

# A lifeboat whose db restore starts and checks the cluster itself is told not to: like pgbackrest
# restore, the measured step only unpacks and configures recovery; the recovery row times the rest.
LBRESTORE=(db restore --repo "$LBREPO" --password-file "$PWF" --source bench)
if "$LB" db restore --help 2>/dev/null | grep -q -- '--no-validate'; then
  LBRESTORE+=(--no-validate); NOTES+=("lifeboat db restore ran with --no-validate (its own start-and-check is left out; the bench starts and checks both)")
fi

# --- 3. restore latest -----------------------------------------------------------------------------
for tool in pgbackrest lifeboat; do
  d="$W/restores/$tool-latest"
  if [ $tool = pgbackrest ]; then
    as_pg mkdir -m 700 "$d"
    measure $tool "restore latest" "${PB[@]}" --pg1-path="$d" restore
  else
    measure $tool "restore latest" "${LBC[@]}" "${LBRESTORE[@]}" --to-latest --target "$d"
  fi
  recover $tool "recovery latest" "$d"
  check $tool "latest: sum(abalance)" "select sum(abalance) from pgbench_accounts" "$SUM"
  check $tool "latest: pgbench_history rows" "select count(*) from pgbench_history" "$HIST"
  check $tool "latest: marker rows" "select count(*) from bench_marker" "$MARKERS"
  finish_restore "$d"
done

# --- 4. point-in-time restore ------------------------------------------------------------------------
for tool in pgbackrest lifeboat; do
  d="$W/restores/$tool-pitr"
  if [ $tool = pgbackrest ]; then
    as_pg mkdir -m 700 "$d"
    measure $tool "restore PITR" "${PB[@]}" --pg1-path="$d" --type=time --target="$T" --target-action=promote restore
  else
    measure $tool "restore PITR" "${LBC[@]}" "${LBRESTORE[@]}" --to-time "$T" --target "$d"
  fi
  recover $tool "recovery PITR" "$d"
  check $tool "PITR: markers before T" "select count(*) from bench_marker where id <= $TMARK" "$TMARK"
  check $tool "PITR: markers after T" "select count(*) from bench_marker where id > $TMARK" 0
  check $tool "PITR: history rows after T" "select count(*) from pgbench_history where mtime > ('$T'::timestamptz at time zone 'UTC')" 0
  finish_restore "$d"
done

# --- 5. WAL lag ---------------------------------------------------------------------------------------
echo "bench: WAL lag with archive_timeout = $ARCHIVE_TIMEOUT s (row committed right after a segment switch) ..." >&2
: > "$TMPD/lags"
src_sql "select pg_switch_wal()" >/dev/null; wait_archived
lag "WAL lag, archive_timeout" 0 pgbackrest lifeboat
for n in $(seq "$FORCED_REPEATS"); do
  echo "bench: WAL lag with pg_switch_wal() ($n/$FORCED_REPEATS) ..." >&2
  wait_archived; lag "WAL lag, pg_switch_wal" 1 pgbackrest lifeboat
done
for tool in pgbackrest lifeboat; do row $tool "repository at the end" - - - - "$(size_of "$(repo_of $tool)")"; done
ARCH=$(src_sql "select archived_count || ' segments archived, ' || failed_count || ' archive_command failures' from pg_stat_archiver")
[[ $ARCH == *" 0 archive_command failures" ]] || NOTES+=("archiver: $ARCH (see $LOGS/pg-src.log)")
# Per-segment push figures of the whole run (archive_command, both tools): mean wall and CPU, peak RSS.
awk -F'\t' '$1 == "pgbackrest" || $1 == "lifeboat" { n[$1]++; e[$1] += $3; u[$1] += $4; s[$1] += $5; if ($6 > m[$1]) m[$1] = $6 }
     END { for (t in n) printf "%s\tWAL push per segment (mean of %d)\t%.3f\t%.3f\t%.3f\t%d\t-\n", t, n[t], e[t] / n[t], u[t] / n[t], s[t] / n[t], m[t] }' \
  "$WALTIMES" | sort -r >> "$TSV"

# Continuous streaming, when this lifeboat has it: db wal-receive (pg_receivewal over a replication
# slot) into the same repository under its own source name; the row counts as durable once the
# segment (or its .partial), fetched back with wal-fetch, holds the row's commit record (pg_waldump).
# Also its own CPU per minute while streaming (the receiver process, from /proc) and peak RSS.
if "$LB" db --help 2>/dev/null | grep -q '^ *wal-receive'; then
  help=$("$LB" db wal-receive --help 2>&1 || true); echo "$help" > "$LOGS/wal-receive-help.txt"
  args=(db wal-receive --repo "$LBREPO" --password-file "$PWF" --source bench-stream)
  for o in host=127.0.0.1 port=$PORT user=postgres spool="$W/spool"; do [[ $help == *"--${o%%=*}"* ]] && args+=("--$o"); done
  echo "bench: lifeboat ${args[*]} ..." >&2
  as_pg mkdir -p "$TMPD/wr"
  "${LBC[@]}" "${args[@]}" > "$LOGS/lifeboat-wal-receive.log" 2>&1 & STREAMPID=$!; BGPIDS+=($STREAMPID)
  deadline=$(( SECONDS + 120 ))
  until list=$(lb db list --repo "$LBREPO" --password-file "$PWF" --source bench-stream --json 2>/dev/null) && [[ $list =~ \"wal\"[^]]*\"[0-9A-F]{24} ]]; do
    kill -0 "$STREAMPID" 2>/dev/null || { tail "$LOGS/lifeboat-wal-receive.log" >&2; die "lifeboat db wal-receive exited"; }
    [ $SECONDS -lt $deadline ] || { tail "$LOGS/lifeboat-wal-receive.log" >&2; die "lifeboat db wal-receive stored nothing in 120 s"; }
    sleep 1
  done
  JPID=$(ps -o pid= --ppid "$STREAMPID" | tr -d ' ')
  [ -n "$JPID" ] && [ -r "/proc/$JPID/stat" ] || die "cannot find the wal-receive process under runuser $STREAMPID"
  cpu_of() { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$1/stat"; }
  c0=$(cpu_of "$JPID") w0=$(now)
  for n in $(seq "$FORCED_REPEATS"); do
    echo "bench: WAL lag with wal-receive ($n/$FORCED_REPEATS) ..." >&2
    lag "WAL lag, wal-receive" 0 stream; sleep 5
  done
  c1=$(cpu_of "$JPID") w1=$(now) hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$JPID/status")
  kill -0 "$JPID" 2>/dev/null || { tail "$LOGS/lifeboat-wal-receive.log" >&2; die "lifeboat db wal-receive died"; }
  kill "$JPID"   # the JVM itself: its shutdown hook stops pg_receivewal (runuser would SIGKILL it after 2 s)
  for n in $(seq 60); do kill -0 "$STREAMPID" 2>/dev/null || break; sleep 0.5; done
  kill -0 "$STREAMPID" 2>/dev/null && { NOTES+=("lifeboat db wal-receive did not stop within 30 s of SIGTERM"); kill "$STREAMPID"; }
  wait "$STREAMPID" 2>/dev/null || true
  row lifeboat "wal-receive: its CPU s per minute streaming" - "$(awk -v c=$((c1 - c0)) -v t="$(getconf CLK_TCK)" -v w="$(minus "$w1" "$w0")" 'BEGIN { printf "%.2f", c / t / w * 60 }')" 0 "$hwm" -
else
  NOTES+=("the built lifeboat has no \`db wal-receive\`: no streaming rows")
fi
wait_archived
# Lag rows: mean over the repeats; "stream" rows belong to lifeboat (inserted before the per-segment rows).
awk '{ t = $1 == "stream" ? "lifeboat" : $1; s = $2; for (i = 3; i < NF - 1; i++) s = s " " $i; k = t "\t" s
       if (!(k in n)) ord[++m] = k; n[k]++; sum[k] += $NF }
     END { for (i = 1; i <= m; i++) { k = ord[i]; split(k, a, "\t")
             printf "%s\t%s%s\t%.2f\t-\t-\t-\t-\n", a[1], a[2], (n[k] > 1 ? " (mean of " n[k] ")" : ""), sum[k] / n[k] } }' \
  "$TMPD/lags" > "$TMPD/lag-rows"
awk -F'\t' 'NR == FNR { lag[++n] = $0; next } !done && ($2 == "repository at the end") { for (i = 1; i <= n; i++) print lag[i]; done = 1 } 1' \
  "$TMPD/lag-rows" "$TSV" > "$TSV.new" && mv "$TSV.new" "$TSV"

# --- table ------------------------------------------------------------------------------------------
echo
echo "Lifeboat $LBREV vs $(pgbackrest version), PostgreSQL $(src_sql "show server_version"), $(nproc) cores." \
  "pgbench -s $SCALE ($((DB_BYTES / 1048576)) MiB database, -i in $(printf %.0f "$INIT_S") s), then ${SECS} s at -c 4: $(printf %.0f "${TPS:-0}") tps; $ARCH;" \
  "load average $LOAD0 at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end."
echo "Lifeboat cells: absolute (ratio to pgBackRest; <1 = Lifeboat faster/smaller). Stored = repository growth during the step."
echo
ratio_table pgbackrest pgBackRest rss
echo
echo "Restore and recovery are separate rows: 'restore' is the tool's command, 'recovery' the wall time from starting"
echo "PostgreSQL on the restored directory to its promotion (WAL fetched by each tool's restore_command)."
echo "WAL lag: from the commit of a row to its segment being in the repository, 'polled' through the tool (pgbackrest"
echo "archive-get, lifeboat db list --json / wal-fetch: the time the first successful check ended, so one check,"
echo "about 0.1 s for pgbackrest and 1.5-2.5 s for a lifeboat JVM, is the resolution) and 'push done' (the end of"
echo "the tool's archive-push/wal-push as logged by archive_command, exact). Lifeboat's push runs after pgBackRest's"
echo "in the same archive_command, so its lag includes pgBackRest's push; the per-segment rows are each tool's own"
echo "share. wal-receive has only a polled figure: an upper bound. Lifeboat's backup CPU leaves out the"
echo "server-side walsender that pg_basebackup reads through; pgBackRest reads the data files itself. pgBackRest's"
echo "backups wait for their last WAL segment to be archived, which here includes Lifeboat's push of the segments"
echo "before it; Lifeboat's incremental waits for its WAL likewise."
report_end

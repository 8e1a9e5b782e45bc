#!/usr/bin/env bash
# RTO of a whole-platform disaster recovery with Lifeboat, and of each of its steps, against the
# 4-hour target (R6.1): one throwaway PostgreSQL 15 cluster (pgbench -i -s $BENCH_SCALE in a
# database "bench", then $BENCH_SECONDS s of pgbench after the full backup, so recovery replays
# WAL too) and the bench file dataset (bench/dataset.py, $BENCH_SIZE, one file source per
# top-level directory: app, config, logs, media), both backed up by `bin/lifeboat serve` (files and
# a full database backup triggered over the API, WAL streamed by the service, `wal: receive`).
# Then the disaster: the cluster is killed (pg_ctl -m immediate), its data directory and the
# dataset's directories are deleted, the page caches dropped, and `bin/lifeboat recover run --type
# disaster` restores everything in place and follows it to the end (the services are two no-op
# hooks, `true`; one performance query is configured). The figures are the service's own
# (GET /api/v1/recovery/status: rtoSeconds and each step's duration), with the wall time of
# `recover run` beside them.
# Checked afterwards: the recovery completed; the database Lifeboat started again answers the same
# sums and counts of the four pgbench tables and the last marker row committed before the disaster
# (so recovery reached the newest WAL); the dataset directories equal their state before the
# disaster in content (sha256 of every file, symlink targets) and metadata (lib.sh's meta: type,
# mode, owner, mtime, links; a file's link count counts its names inside its own source, since a
# hard link between two sources, which the dataset has, cannot survive two separate snapshots).
# Where the time goes inside the two restore steps is seen from outside: a sampler notes every
# 0.2 s what exists (the database's restore directory, the WAL staged in it, the private server
# that validates it, the service's pg_amcheck and psql children, the live server, each file
# source's restore directory), which splits restore-databases into unpack, WAL replay (copied as
# the server asks for it), pg_amcheck, fingerprints and hand-over, and restore-files into its sources.
# Before the disaster, a drill on demand (to its backup's fingerprint) gives its RTO and the WAL it
# copied.
# Afterwards, for information: when the service's WAL stream reconnected to the restored server,
# and how long a segment switched out there takes to be stored (protection resumed).
# Prints Markdown tables of the steps (seconds, share of the RTO), the phases, and the sizes,
# throughputs and ratio of the RTO to the target; writes the raw figures to $W/results.tsv and
# the service's recovery status to $W/recovery-status.json.
#
# Run:   sudo bench/recovery-rto.sh            (about 5 minutes at the defaults on 2 cores)
#        BENCH_SIZE=50M BENCH_SCALE=2 BENCH_SECONDS=5 bench/recovery-rto.sh      (a quick check)
# Env:   BENCH_SIZE (dataset, default 1G), BENCH_SCALE (pgbench scale, default 50 = ~750 MB),
#        BENCH_SECONDS (pgbench -c 2 after the full backup, default 30), BENCH_RTO_TARGET (seconds,
#        default 14400 = 4 h), BENCH_DIR (default: a new dir under /tmp; must be absent or empty),
#        BENCH_KEEP=1 keeps it, LIFEBOAT_JAVA_OPTS (the service's, default -Xmx512m).
# Lifeboat runs from a private copy of this checkout (bin, pom.xml, src/main and routes) built in
# the work dir, so edits to the checkout during the run cannot trigger rebuilds mid-step.
# Needs: root (PostgreSQL and its tools run as postgres through runuser; the service runs as root
# and starts the restored cluster as postgres), PostgreSQL 15
# (/usr/lib/postgresql/15/bin), Java 17 + Maven, python3, curl, jq, ss. Free ports are picked
# (never 5432). The service and every cluster it or the script started are stopped on exit.
# Exit status: 1 on any error, 2 when the recovery failed or a check did not pass (the tables are
# still printed).
set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$HERE/bench/lib.sh"  # die, bench_workdir, remove_workdir, drop_caches, build_lifeboat, dataset, meta
SIZE="${BENCH_SIZE:-1G}" SCALE="${BENCH_SCALE:-50}" SECS="${BENCH_SECONDS:-30}" TARGET_S="${BENCH_RTO_TARGET:-14400}"
PGBIN=/usr/lib/postgresql/15/bin
[[ $SCALE =~ ^[1-9][0-9]*$ && $SECS =~ ^[0-9]+$ && $TARGET_S =~ ^[1-9][0-9]*$ ]] \
  || die "BENCH_SCALE, BENCH_SECONDS and BENCH_RTO_TARGET must be whole numbers"
[ "$(id -u)" = 0 ] || die "run as root (the cluster runs as postgres through runuser)"
[ -x "$PGBIN/postgres" ] || die "PostgreSQL 15 server not found in $PGBIN (apt-get install -y postgresql-15)"
id postgres >/dev/null 2>&1 || die "no postgres user"
for c in java mvn python3 curl jq ss runuser sha256sum; do command -v "$c" >/dev/null || die "$c not found"; done

bench_workdir
chmod 755 "$W"   # postgres must reach $W/pg, the service's restores and the spool
SERVE_PID='' SAMPLER_PID=''
cleanup() {  # the sampler and the service (by pid), then any cluster left on the data directory or its restore, then the work dir
  local d i
  trap - ERR
  [ -z "$SAMPLER_PID" ] || kill "$SAMPLER_PID" 2>/dev/null || true
  if [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null; then
    for i in $(seq 60); do kill -0 "$SERVE_PID" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$SERVE_PID" 2>/dev/null || true; wait "$SERVE_PID" 2>/dev/null || true
  fi
  for d in "$W/pg/data" "$W/pg/data.lifeboat-restoring"; do
    [ -f "$d/postmaster.pid" ] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$d" -m immediate -w stop >/dev/null 2>&1 || true
  done
  remove_workdir
}
trap cleanup EXIT
trap 'exit 130' INT TERM

DATA="$W/data" PG="$W/pg" PGDATA="$W/pg/data" CONF="$W/conf" REPO="$W/repository" TSV="$W/results.tsv"
STATUS_JSON="$W/recovery-status.json" PGLOG="$W/logs/postgres"
minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a - b }'; }
mib() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1048576 }'; }
as_pg() { runuser -u postgres -- "$@"; }
sql() {  # sql SQL [DB]: one statement as postgres over 127.0.0.1, unaligned tuples only
  as_pg "$PGBIN/psql" -X -A -t -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT" -d "${2:-bench}" -c "$1"; }
api() {  # api PATH [JSON]: GET (or POST JSON to) the service; prints the answer, dies unless 2xx
  local out code args=(-sS -H "Authorization: Bearer $TOKEN" -w '\n%{http_code}')
  [ $# -gt 1 ] && args+=(-H 'Content-Type: application/json' -d "$2")
  out=$(curl "${args[@]}" "$URL$1") || die "the service does not answer $1"
  code=${out##*$'\n'} out=${out%$'\n'*}
  [[ $code == 2* ]] || die "$1 answered HTTP $code: $out"
  printf '%s\n' "$out"
}
LBREV="$(lifeboat_rev)"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench: work dir $W, dataset $SIZE, pgbench scale $SCALE + ${SECS} s, lifeboat $LBREV, $(nproc) cores, load $LOAD0" >&2

# --- setup: the private build (with its routes), the dataset, the cluster ----------------------------
build_lifeboat
cp -a "$HERE/routes" "$W/lifeboat/"
dataset generate "$DATA" --size "$SIZE"
SOURCES=() NOTES=()
for d in "$DATA"/*/; do d=${d%/}; SOURCES+=("${d##*/}"); done
[ ${#SOURCES[@]} -gt 0 ] || die "the dataset has no top-level directory"

PGPORT=$(free_port $(( 54320 + RANDOM % 500 ))) HTTP_PORT=$(free_port $(( 18080 + RANDOM % 500 )))
MGMT_PORT=$(free_port $(( HTTP_PORT + 1 )))
URL="http://127.0.0.1:$HTTP_PORT"
install -d -o postgres -g postgres -m 700 "$PG" && install -d -o postgres -g postgres "$PGLOG"
as_pg "$PGBIN/initdb" -D "$PGDATA" -A trust -U postgres -E UTF8 --locale=C.UTF-8 > "$W/logs/initdb.log" 2>&1 \
  || { cat "$W/logs/initdb.log" >&2; die "initdb failed"; }
# In postgresql.conf, not on pg_ctl's command line: the restored copy starts with the same settings.
cat >> "$PGDATA/postgresql.conf" <<EOF

# lifeboat bench/recovery-rto.sh
port = $PGPORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG'
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
timezone = 'UTC'
log_timezone = 'UTC'
EOF
as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGLOG/server.log" -w -t 300 start >/dev/null \
  || { tail -n 30 "$PGLOG/server.log" >&2; die "starting the cluster failed"; }
sql "create database bench" postgres
echo "bench: pgbench -i -s $SCALE ..." >&2
t=$(now)
as_pg "$PGBIN/pgbench" -i -s "$SCALE" -h 127.0.0.1 -p "$PGPORT" bench > "$W/logs/pgbench-init.log" 2>&1 \
  || { tail "$W/logs/pgbench-init.log" >&2; die "pgbench -i failed"; }
INIT_S=$(minus "$(now)" "$t")
sql "create table bench_marker (id int primary key, ts timestamptz not null default clock_timestamp())"
sql "checkpoint"

# --- the service: configuration, start, token --------------------------------------------------------
mkdir -p "$CONF" "$W/alerts" "$W/restores" "$W/catalog"
install -d -o postgres -g postgres "$W/spool"
cat > "$CONF/application.properties" <<EOF
camel.server.port = $HTTP_PORT
camel.management.port = $MGMT_PORT
lifeboat.alerts-dir = $W/alerts
EOF
{
  echo "repository: { path: $REPO, passwordFile: $W/repository.password, create: true, compression: zstd:3 }"
  echo "catalog: { url: 'jdbc:h2:file:$W/catalog/lifeboat;AUTO_SERVER=TRUE' }"
  echo "files:"
  for s in "${SOURCES[@]}"; do echo "  - { name: $s, path: $DATA/$s, schedule: \"0 0 3 1 1 ?\", retention: 30d }"; done
  cat <<EOF
databases:
  - name: beCamera
    type: postgresql
    host: 127.0.0.1
    port: $PGPORT
    user: postgres
    wal: receive
    spool: $W/spool
    dataDirectory: $PGDATA
    full: { schedule: "0 0 3 1 1 ?", retention: 30d }
    incremental: { schedule: "0 0 3 1 1 ?", retention: 7d }
    log: { schedule: "0 0 3 1 1 ?", retention: 24h }
dropFolder: { enabled: false }
recovery:
  roots: [$W/restores]
  services:
    - name: platform
      stop: { command: "true" }
      start: { command: "true" }
  performance:
    - { name: branch-balance, database: beCamera, dbname: bench, query: "SELECT sum(abalance) FROM pgbench_accounts WHERE bid = 7" }
  drills: { enabled: false, sandbox: $W/drills }
EOF
} > "$CONF/lifeboat.yaml"

echo "bench: starting the service on port $HTTP_PORT ..." >&2
LIFEBOAT_JAVA_OPTS="${LIFEBOAT_JAVA_OPTS:--Xmx512m}" "$LB" serve --config "$CONF" > "$W/logs/serve.log" 2>&1 &
SERVE_PID=$!
for i in $(seq 360); do
  code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/api/v1/backup/status" 2>/dev/null || true)
  [ "$code" != 000 ] && [ -n "$code" ] && break
  kill -0 "$SERVE_PID" 2>/dev/null || { tail -n 30 "$W/logs/serve.log" >&2; die "the service exited (log above)"; }
  [ "$i" -lt 360 ] || { tail -n 30 "$W/logs/serve.log" >&2; die "the service does not answer after 3 minutes"; }
  sleep 0.5
done
TOKEN=$("$LB" token create --role Admin --config "$CONF" 2> "$W/logs/token.log" | head -n 1) || true
[ -n "$TOKEN" ] || { cat "$W/logs/token.log" >&2; die "token create failed"; }

# --- backups -----------------------------------------------------------------------------------------
# backup TYPE JSON N: triggers it and waits until TYPE has N runs, none in progress; dies when one failed.
backup() {
  local type=$1 body=$2 n=$3 t0 st deadline=$(( SECONDS + 3600 ))
  echo "bench: backup $body ..." >&2
  t0=$(now)
  api /api/v1/backup/trigger "$body" > "$W/logs/trigger-$type.json"
  while :; do
    st=$(api "/api/v1/backup/status?type=$type" | jq -r --argjson n "$n" '[.backups[] | .status] as $s
      | if ($s | length) < $n or ($s | index("in_progress")) != null then "wait"
        elif ($s | all(. == "success")) then "ok" else "failed: " + ($s | join(",")) end')
    case $st in
      ok) break ;;
      failed*) tail -n 30 "$W/logs/serve.log" >&2; die "backup $body $st (log above)" ;;
    esac
    [ $SECONDS -lt $deadline ] || die "backup $body did not finish in an hour"
    kill -0 "$SERVE_PID" 2>/dev/null || { tail -n 30 "$W/logs/serve.log" >&2; die "the service exited (log above)"; }
    sleep 1
  done
  BACKUP_S=$(minus "$(now)" "$t0")
  echo "bench:   $BACKUP_S s" >&2
}
backup file '{"type":"file"}' "${#SOURCES[@]}"; FILES_BACKUP_S=$BACKUP_S
backup database '{"type":"database","source":"beCamera","scope":"full"}' 1; DB_BACKUP_S=$BACKUP_S
LSN_BACKUP=$(sql "select pg_current_wal_lsn()")

# After the backup: transactions whose WAL only the stream has, then a marker row, then a WAL
# switch, and the segment that held the marker must be in the repository.
TPS=-
if [ "$SECS" -gt 0 ]; then
  echo "bench: pgbench -c 2 -j 2 -T $SECS ..." >&2
  as_pg "$PGBIN/pgbench" -c 2 -j 2 -T "$SECS" -h 127.0.0.1 -p "$PGPORT" bench > "$W/logs/pgbench-run.log" 2>&1 \
    || { tail "$W/logs/pgbench-run.log" >&2; die "pgbench run failed"; }
  TPS=$(sed -n 's/^tps = \([0-9]*\).*/\1/p' "$W/logs/pgbench-run.log" | head -n 1)
fi
sql "insert into bench_marker(id) values (1)"
SEG=$(sql "select pg_walfile_name(pg_current_wal_lsn())")
sql "select pg_switch_wal()" >/dev/null
echo "bench: waiting for WAL segment $SEG in the repository ..." >&2
deadline=$(( SECONDS + 300 ))
until [ -e "$REPO/logs/beCamera/$SEG" ]; do
  [ $SECONDS -lt $deadline ] || { tail -n 30 "$W/logs/serve.log" >&2; die "segment $SEG not in $REPO/logs/beCamera after 300 s"; }
  sleep 0.5
done
WAL_AFTER=$(sql "select pg_wal_lsn_diff(pg_current_wal_lsn(), '$LSN_BACKUP')")

# A drill on demand first, into its sandbox, to where the backup's fingerprint was taken: it needs
# the WAL of the backup itself, not what was written after it. Its RTO, and the WAL it copied (as
# its restore-databases step says; "-" from a Lifeboat that does not say).
echo "bench: recover drill ..." >&2
DRILL_RC=0
LIFEBOAT_TOKEN="$TOKEN" "$LB" recover drill --url "$URL" > "$W/logs/drill.txt" 2>&1 || DRILL_RC=$?
DRILL_ID=$(sed -n 's/^drill \([^ ]*\) started$/\1/p' "$W/logs/drill.txt" | head -n 1)
[ -n "$DRILL_ID" ] || die "recover drill printed no drill id (exit $DRILL_RC): $(tail -n 3 "$W/logs/drill.txt")"
api "/api/v1/recovery/status?recoveryId=$DRILL_ID" > "$W/drill-status.json"
DRILL_RTO=$(jq -r '.rtoSeconds // "-"' "$W/drill-status.json")
DRILL_WAL=$(jq -r '.steps[] | select(.name == "restore-databases") | .detail // ""' "$W/drill-status.json" \
  | sed -n 's/.* with \([0-9.]*\) MiB of WAL.*/\1/p')
[ "$DRILL_RC" = 0 ] && [ "$(jq -r .status "$W/drill-status.json")" = completed ] \
  || FAILURES+=("drill $(jq -r .status "$W/drill-status.json"): $(jq -r '.error // "no error given"' "$W/drill-status.json")")
echo "bench:   drill RTO $DRILL_RTO s, ${DRILL_WAL:--} MiB of WAL copied" >&2

# The state to come back to.
DBSUM_SQL="select (select sum(abalance) || ' ' || count(*) from pgbench_accounts) || ' | ' || (select sum(bbalance) from pgbench_branches)
  || ' | ' || (select sum(tbalance) from pgbench_tellers) || ' | ' || (select count(*) || ' ' || coalesce(sum(delta), 0) from pgbench_history)
  || ' | marker ' || (select max(id) from bench_marker)"
DBSUM=$(sql "$DBSUM_SQL")
DB_BYTES=$(sql "select pg_database_size('bench')")
CLUSTER_BYTES=$(sql "select sum(pg_database_size(datname)) from pg_database")
# lib.sh's meta for one source, but a file's link count counts only its names inside that source:
# each source is a snapshot of its own, so a hard link between two sources (the dataset has one,
# app/.../ca.pem and config/tls/ca.pem) comes back as two files.
meta_src() {
  find "$1" -printf '%y %m %n %i %u\t%p\n' | awk -F'\t' '{ split($1, f, " "); line[NR] = $0; if (f[1] != "d") c[f[4]]++ }
    END { for (i = 1; i <= NR; i++) { split(line[i], f, "\t"); split(f[1], a, " ")
      printf "%s %s %s %s %s\n", a[1], a[2], a[1] == "d" ? a[3] : c[a[4]], a[5], f[2] } }' | sort
  find "$1" ! -type d -printf '%Ts %p\n' | sort -k2
}
manifest() {  # manifest OUT: content and metadata of the dataset's source directories
  (cd "$DATA" && find "${SOURCES[@]}" -type f -print0 | sort -z | xargs -0 sha256sum
   find "${SOURCES[@]}" -type l -printf '%p -> %l\n' | sort
   for s in "${SOURCES[@]}"; do echo "== $s"; meta_src "$s"; done) > "$1"
}
manifest "$W/manifest-before"
DATA_BYTES=$(cd "$DATA" && du -scb "${SOURCES[@]}" | tail -n 1 | cut -f1)
DATA_ALLOC=$(cd "$DATA" && du -scB1 "${SOURCES[@]}" | tail -n 1 | cut -f1)
DATA_FILES=$(cd "$DATA" && find "${SOURCES[@]}" -type f | wc -l)
echo "bench: database $DBSUM; bench $(mib "$DB_BYTES") MiB, cluster $(mib "$CLUSTER_BYTES") MiB;" \
  "dataset $(mib "$DATA_BYTES") MiB in $DATA_FILES files" >&2

# --- the disaster and the recovery ---------------------------------------------------------------------
echo "bench: disaster: cluster killed, $PGDATA and ${SOURCES[*]} deleted" >&2
as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate -w stop >/dev/null
cp "$PGLOG/server.log" "$W/logs/postgres-before.log"
rm -rf "$PGDATA"
for s in "${SOURCES[@]}"; do rm -rf "${DATA:?}/$s"; done
export LIFEBOAT_TOKEN="$TOKEN"
"$LB" recover plan --type disaster --url "$URL" > "$W/logs/recover-plan.txt" 2>&1 \
  || { cat "$W/logs/recover-plan.txt" >&2; die "recover plan failed"; }
"$LB" recover plan --type disaster --url "$URL" --json > "$W/recover-plan.json" 2>> "$W/logs/recover-plan.txt" || true
sed 's/^/bench: plan: /' "$W/logs/recover-plan.txt" >&2
# Where the time goes inside the steps, seen from outside: every 0.2 s, what exists (the database's
# restore directory, the WAL staged in it, the private server validating it, the service's
# pg_amcheck and psql children, the live server, each file source's restore directory); one line
# "epoch state..." at each change, turned into phases below.
sampler() {
  local last='' st R="$PG/data.lifeboat-restoring" s
  while :; do
    st=''
    [ -d "$R" ] && st+=' restoring'
    [ -d "$R/lifeboat-wal" ] && st+=' staged-wal'
    [ -f "$R/postmaster.pid" ] && st+=' restored-server'
    pgrep -P "$SERVE_PID" -x pg_amcheck >/dev/null && st+=' pg_amcheck'
    pgrep -P "$SERVE_PID" -x psql >/dev/null && st+=' psql'
    [ -f "$PGDATA/postmaster.pid" ] && st+=' live-server'
    for s in "${SOURCES[@]}"; do [ -e "$DATA/.$s.lifeboat-restoring" ] && st+=" files:$s"; done
    [ "$st" = "$last" ] || { echo "$(now)$st"; last=$st; }
    sleep 0.2
  done
}
drop_caches
echo "bench: recover run --type disaster ..." >&2
sampler > "$W/sampler.log" 2>/dev/null & SAMPLER_PID=$!
t0=$(now) RUN_RC=0 inrec=
"$LB" recover run --type disaster --url "$URL" > "$W/logs/recover-run.txt" 2>&1 || RUN_RC=$?
t1=$(now) RUN_S=$(minus "$t1" "$t0")
kill "$SAMPLER_PID" 2>/dev/null; wait "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=''
sed 's/^/bench: run: /' "$W/logs/recover-run.txt" >&2
RID=$(sed -n 's/^recovery \([^ ]*\) started$/\1/p' "$W/logs/recover-run.txt" | head -n 1)
[ -n "$RID" ] || die "recover run printed no recovery id (exit $RUN_RC)"
api "/api/v1/recovery/status?recoveryId=$RID" > "$STATUS_JSON"
RSTATUS=$(jq -r .status "$STATUS_JSON") RTO=$(jq -r '.rtoSeconds // empty' "$STATUS_JSON")
[ "$RUN_RC" = 0 ] && [ "$RSTATUS" = completed ] \
  || FAILURES+=("recovery $RSTATUS (recover run exit $RUN_RC): $(jq -r '.error // "no error given"' "$STATUS_JSON")")
[ -n "$RTO" ] || { RTO=$RUN_S; FAILURES+=("the recovery status has no rtoSeconds; the wall time of recover run is used"); }

# --- checks --------------------------------------------------------------------------------------------
if [ "$RSTATUS" = completed ]; then
  got=''
  for i in $(seq 60); do got=$(sql "$DBSUM_SQL" 2>/dev/null) && break; sleep 1; done
  if [ "$got" != "$DBSUM" ]; then FAILURES+=("database: got '${got:-no answer}', expected '$DBSUM'")
  else echo "bench:   ok database: $got" >&2; fi
  inrec=$(sql "select pg_is_in_recovery()" 2>&1 || true)
  [ "$inrec" = f ] || FAILURES+=("database: pg_is_in_recovery() answered '$inrec' (expected f: promoted)")
  manifest "$W/manifest-after"
  if ! diff "$W/manifest-before" "$W/manifest-after" > "$W/logs/manifest.diff"; then
    FAILURES+=("files: $(grep -c '^[<>]' "$W/logs/manifest.diff") manifest lines differ, e.g. $(grep '^[<>]' "$W/logs/manifest.diff" | head -n 3 | tr '\n' ' ')")
  else echo "bench:   ok files: $DATA_FILES files, content and metadata equal" >&2; fi
fi

# Protection again after the recovery (information, not a check): when the service's WAL stream
# (which retries with a pause growing to 60 s) reconnected to the restored server, relative to the
# end of the recovery; then a row committed there and its segment switched out: seconds until the
# stream has stored that segment (on the new timeline).
RECONNECT=- RESUMED=-
if [ "$RSTATUS" = completed ] && [ "$inrec" = f ]; then
  sql "insert into bench_marker(id) values (2)"
  SEG2=$(sql "select pg_walfile_name(pg_current_wal_lsn())")
  sql "select pg_switch_wal()" >/dev/null
  ts=$(now)
  echo "bench: waiting (at most 150 s) for the WAL stream to store $SEG2, written after the recovery ..." >&2
  deadline=$(( SECONDS + 150 ))
  until [ -e "$REPO/logs/beCamera/$SEG2" ] || [ $SECONDS -ge $deadline ]; do sleep 0.2; done
  if [ -e "$REPO/logs/beCamera/$SEG2" ]; then RESUMED="stored $(minus "$(now)" "$ts") s after the switch"
  else RESUMED="not stored within $(minus "$(now)" "$ts") s of the switch"
    NOTES+=("WAL written after the recovery ($SEG2) was not stored by the WAL stream within 150 s; last WalReceiver lines: $(grep WalReceiver "$W/logs/serve.log" | tail -n 2 | cut -c1-300 | tr '\n' ' ')"); fi
  fin=$(date -d "$(jq -r .finishedAt "$STATUS_JSON")" +%s.%N)
  rec=$(grep 'INFO WalReceiver - receiving WAL' "$W/logs/serve.log" | tail -n 1 | cut -d' ' -f1 || true)
  [ -z "$rec" ] || RECONNECT=$(awk -v r="$(date -d "$rec" +%s.%N)" -v f="$fin" \
    'BEGIN { d = r - f; printf "%.1f s %s the end of the recovery", d < 0 ? -d : d, d < 0 ? "before" : "after" }')
  echo "bench:   WAL stream reconnected $RECONNECT; $SEG2 $RESUMED" >&2
fi

# --- report --------------------------------------------------------------------------------------------
jq -r '.steps[] | [.name, .status, (.duration // "-" | tostring), (.detail // "" | gsub("[\t\n]"; " "))] | @tsv' "$STATUS_JSON" \
  > "$W/steps.tsv"
{ printf 'step\tstatus\tseconds\tshare_of_rto\n'
  awk -F'\t' -v rto="$RTO" '{ printf "%s\t%s\t%s\t%s\n", $1, $2, $3, ($3 == "-" || rto <= 0) ? "-" : sprintf("%.3f", $3 / rto) }' "$W/steps.tsv"
  printf 'RTO (rtoSeconds)\t%s\t%s\t1\n' "$RSTATUS" "$RTO"
  printf 'recover run (wall)\t%s\t%s\t-\n' "exit $RUN_RC" "$RUN_S"
} > "$TSV"
step_s() { awk -F'\t' -v n="$1" '$1 == n && $3 != "-" { print $3 }' "$W/steps.tsv"; }
rate() { awk -v b="$1" -v s="$2" 'BEGIN { if (s == "" || s <= 0) print "-"; else printf "%.1f MiB/s", b / 1048576 / s }'; }
RF_S=$(step_s restore-files) RD_S=$(step_s restore-databases) VD_S=$(step_s validate-data)
echo
echo "Lifeboat $LBREV, PostgreSQL $(as_pg "$PGBIN/postgres" --version | awk '{ print $3 }'), $(nproc) cores (shared machine;" \
  "load average $LOAD0 at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end). Disaster recovery of ${#SOURCES[@]} file sources" \
  "(${SOURCES[*]}) and one database cluster, in place, from a local zstd:3 repository, page caches dropped first."
echo
echo "| step | status | seconds | share of RTO |"
echo "|---|---|--:|--:|"
awk -F'\t' -v rto="$RTO" '{ printf "| %s | %s | %s | %s |\n", $1, $2, ($3 == "-") ? "-" : sprintf("%.1f", $3),
  ($3 == "-" || rto <= 0) ? "-" : sprintf("%.1f %%", 100 * $3 / rto) }' "$W/steps.tsv"
awk -v rto="$RTO" -v t="$(awk -F'\t' '$3 != "-" { s += $3 } END { print s + 0 }' "$W/steps.tsv")" \
  'BEGIN { printf "| (between steps: planning, catalog, hand-over) | | %.1f | %.1f %% |\n", rto - t, (rto > 0) ? 100 * (rto - t) / rto : 0 }'
printf '| **RTO** (rtoSeconds) | %s | **%.1f** | 100 %% |\n' "$RSTATUS" "$RTO"
echo
echo "| figure | value |"
echo "|---|--:|"
echo "| RTO | $(awk -v r="$RTO" 'BEGIN { printf "%.1f s = %.1f min", r, r / 60 }') |"
echo "| RTO / target ($(awk -v t="$TARGET_S" 'BEGIN { printf "%g h", t / 3600 }')) | $(awk -v r="$RTO" -v t="$TARGET_S" 'BEGIN { printf "%.4f (%.2f %%)", r / t, 100 * r / t }') |"
echo "| Lifeboat's own estimate before the run (\`recover plan\`) | $(jq -r '.estimatedSeconds // "-"' "$W/recover-plan.json" 2>/dev/null || echo -) s |"
echo "| wall time of \`recover run\` (start to end, as the operator sees it) | $RUN_S s |"
echo "| dataset restored | $(mib "$DATA_BYTES") MiB apparent ($(mib "$DATA_ALLOC") MiB allocated), $DATA_FILES files |"
echo "| database bench (pg_database_size) / whole cluster | $(mib "$DB_BYTES") MiB / $(mib "$CLUSTER_BYTES") MiB |"
echo "| WAL written after the full backup (replayed) | $(mib "$WAL_AFTER") MiB |"
echo "| a drill before the disaster, to its backup's fingerprint: RTO / WAL it copied | $DRILL_RTO s / ${DRILL_WAL:--} MiB |"
echo "| restore-files throughput (apparent bytes) | $(rate "$DATA_BYTES" "$RF_S") |"
echo "| restore-databases throughput (cluster bytes; includes recovery, amcheck, fingerprints) | $(rate "$CLUSTER_BYTES" "$RD_S") |"
echo "| validate-data re-read rate (dataset) | $(rate "$DATA_BYTES" "$VD_S") |"
echo "| overall (dataset + cluster) / RTO | $(rate $(( DATA_BYTES + CLUSTER_BYTES )) "$RTO") |"
echo "| after the recovery: the service's WAL stream reconnected to the restored server | $RECONNECT |"
echo "| after the recovery: a WAL segment switched out on the restored server | $RESUMED |"
echo "| context: backups before the disaster | files $FILES_BACKUP_S s, database full $DB_BACKUP_S s; pgbench -i $INIT_S s, then ${SECS} s at ${TPS} tps |"
echo
# Phases from the sampler (0.2 s resolution; "-" when a phase was too short to be seen).
phases() {
  awk -v s1="$t1" -v cb="$CLUSTER_BYTES" -v wb="$WAL_AFTER" '
    function d(a, b) { return (a == "" || b == "") ? "-" : sprintf("%.1f", b - a) }   # "-" when an end was not seen
    function r(b, x) { return (x == "-" || x <= 0) ? "" : sprintf(", %.0f MiB/s", b / 1048576 / x) }
    FILENAME == ARGV[1] { bytes[$1] = $3; what[$1] = sprintf("%d files, %.0f MiB", $2, $3 / 1048576); next }
    { t = $1; delete now; for (i = 2; i <= NF; i++) { now[$i] = 1; if (!($i in on)) { on[$i] = t; order[++n] = $i } }
      for (k in was) if (!(k in now)) off[k] = t
      delete was; for (k in now) was[k] = 1 }
    END { for (k in was) if (!(k in off)) off[k] = s1
      x = d(on["restoring"], on["staged-wal"])
      printf "| restore-databases: unpack the base backup (%.0f MiB cluster%s) | %s |\n", cb / 1048576, r(cb, x), x
      printf "| restore-databases: start the private server, replay the WAL (%.0f MiB written after the backup) copied as the server asks for it, promote, list databases | %s |\n", wb / 1048576, d(on["staged-wal"], on["pg_amcheck"])
      printf "| restore-databases: pg_amcheck (heap and B-tree of every database) | %s |\n", d(on["pg_amcheck"], off["pg_amcheck"])
      printf "| restore-databases: fingerprint every table, timed queries, stop | %s |\n", d(off["pg_amcheck"], off["restored-server"])
      printf "| restore-databases: move into place, start the live server | %s |\n", d(off["restored-server"], on["live-server"])
      for (i = 1; i <= n; i++) if (order[i] ~ /^files:/) { src = substr(order[i], 7); x = d(on[order[i]], off[order[i]])
        printf "| restore-files: %s (%s) | %s |\n", src, (src in what) ? what[src] r(bytes[src], x) : "", x } }' \
    <(jq -r '.steps[] | select(.name == "restore-files") | .detail // ""' "$STATUS_JSON" | tr ';' '\n' \
      | sed -n 's/^ *\([^:]*\): snapshot [^,]*, \([0-9]*\) files, \([0-9]*\) bytes.*/\1 \2 \3/p') "$W/sampler.log"
}
echo "Where the time goes inside the two restore steps (seen from outside every 0.2 s: directories, pid files, the service's child processes):"
echo
echo "| phase | seconds |"
echo "|---|--:|"
phases | tee "$W/phases.md"
echo
echo "Step details (the service's):"
awk -F'\t' '{ d = $4; if (length(d) > 400) d = substr(d, 1, 400) "..."; printf "- %s: %s\n", $1, d }' "$W/steps.tsv"
echo; echo "Raw figures ($TSV):"; column -t -s $'\t' "$TSV"
[ ${#NOTES[@]} -eq 0 ] || printf 'NOTE: %s\n' "${NOTES[@]}"
report_failures
echo; echo "The recovery completed; the database and the files match their state before the disaster."

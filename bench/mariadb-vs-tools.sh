#!/usr/bin/env bash
# Lifeboat's MySQL/MariaDB backups vs the tools alone, in one run on one throwaway MariaDB server
# (never the machine's own): wall time, CPU (user+sys of the commands and every process they
# start and wait for) and stored bytes for
#   1. full backup of a camera-events database of about SIZE MB (one table, counting_events):
#      lifeboat db backup --type mariadb vs mariadb-backup --stream=xbstream | zstd -3,
#   2. "an hour of inserts": BENCH_BATCHES batches, about one a second, adding 1.5 % of the rows
#      and updating a quarter as many recent ones (drawn from the newest tenth of the rows), while
#      the binlogs are streamed by lifeboat
#      db wal-receive --type mariadb and by mariadb-binlog --read-from-remote-server --raw
#      --stop-never (CPU of each streamer, and of its children, from the moment both are streaming
#      until both hold the last commit; "wall" is how long after the last commit that was),
#   3. incremental backup: lifeboat db backup --incremental vs mariadb-backup --incremental-lsn=
#      (the full's to_lsn, from --extra-lsndir) | zstd -3,
#   4. restore to the latest binlog position: lifeboat db restore --to-latest (which also checks the
#      result: mariadb-check and rows per table) vs by hand: zstd -d | mbstream -x of the full and
#      of the incremental, mariadb-backup --prepare, --prepare --incremental-dir, chown, mariadbd
#      started (--skip-log-bin), the streamed binlogs replayed from the incremental's position
#      (mariadb-binlog | mariadb) until the server answers; mariadb-check of every table is timed
#      as a step of its own, and "+ mariadb-check" rows add it (like for like),
#   5. point-in-time restore to a moment T half-way through the inserts (no commit within T's
#      second): lifeboat db restore --to-time T vs the full prepared and the binlogs replayed from
#      its position with --stop-datetime,
#   6. (BENCH_LOGICAL=1, the default) logical full backup at the end, of the same data: lifeboat
#      db backup --logical vs mariadb-dump --single-transaction --master-data=2 --databases cam |
#      zstd -3, and its restore: lifeboat db restore --to-latest (the logical full is now the
#      newest) vs mariadb-install-db, mariadbd and zstd -dc | mariadb.
# Every restore is checked: rows and sum(people_out) of counting_events equal the source's at that
# moment (Lifeboat's restored directory is started privately for the check, outside its timing).
# Stored: growth of the Lifeboat repository (du -sb) during the step; the tools' output files
# (binlogs: the raw copies, uncompressed, as mariadb-binlog writes them). The source server's own
# CPU during each step is in results.tsv (srv_cpu_s), not in the table: it is the same work for
# both sides of the physical steps, but for the dumps it is most of the cost.
# Lifeboat: a fresh zstd (level 3) repository, encrypted as it always is; a user `bench` with a
# password in $BENCH_DB_PASSWORD (--password-env), the tools get it as MYSQL_PWD. Both talk to the
# server over TCP on 127.0.0.1 on a free port. Page caches are dropped before each step when
# possible (root outside a container); the machine is shared: quote the ratios.
#
# Run:   bench/mariadb-vs-tools.sh [SIZE_MB]     (as root; default 500 MB, about 5 minutes on 2 cores)
#        BENCH_MB=30 bench/mariadb-vs-tools.sh      (a quick check, about 3 minutes)
# Env:   BENCH_MB (database size in MB when no argument is given, default 500), BENCH_BATCHES
#        (insert batches, default 30), BENCH_LOGICAL=0 leaves out step 6, BENCH_REV=COMMIT builds
#        that commit instead of the working tree, BENCH_DIR (default: a new dir under /tmp; must
#        be absent or empty, and enterable by the mysql user), BENCH_KEEP=1 keeps it,
#        LIFEBOAT_JAVA_OPTS is passed through to bin/lifeboat.
# Needs: root, MariaDB 10.11 server and client (mariadbd, mariadb-install-db, mariadb,
#        mariadb-binlog, mariadb-dump, mariadb-check), the mysql user, Java 17 + Maven, ss; installs
#        mariadb-backup (with mbstream), zstd and time (GNU /usr/bin/time) with apt-get when missing.
# Every server and streamer it started is stopped on exit, also on failure, and the work dir removed.
# Exit status: 1 on any error, 2 when a restore check failed (the table is still printed).
set -Eeuo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$HERE/bench/lib.sh"  # die, bench_workdir, remove_workdir, drop_caches, build_lifeboat, lifeboat_rev, now, free_port, ratio_table, report_end, install_missing
trap 'exit 130' INT TERM

MB="${1:-${BENCH_MB:-500}}" BATCHES="${BENCH_BATCHES:-30}" LOGICAL="${BENCH_LOGICAL:-1}"
[[ $MB =~ ^[1-9][0-9]*$ && $BATCHES =~ ^[1-9][0-9]*$ && $BATCHES -ge 4 ]] \
  || die "SIZE_MB must be a positive integer and BENCH_BATCHES an integer of at least 4"
[ "$(id -u)" = 0 ] || die "run as root (the servers run as mysql, mariadb-backup reads their data directory)"
id mysql >/dev/null 2>&1 || die "no mysql user (apt-get install -y mariadb-server)"
need=()
command -v mariadb-backup >/dev/null && command -v mbstream >/dev/null || need+=(mariadb-backup)
command -v zstd >/dev/null || need+=(zstd)
[ -x /usr/bin/time ] || need+=(time)
install_missing "${need[@]}"
for c in mariadbd mariadb-install-db mariadb mariadb-binlog mariadb-dump mariadb-check mariadb-backup mbstream zstd \
         /usr/bin/time java mvn ss runuser git; do command -v "$c" >/dev/null || die "$c not found"; done

bench_workdir
chmod 755 "$W"   # the servers run as mysql: every restore target's parent must be enterable by it
runuser -u mysql -- test -x "$W" || die "the mysql user cannot enter $W (BENCH_DIR must be below directories it can enter)"
SERVERS=() BGPIDS=() FAILURES=() NOTES=()
declare -A SRVPID
cleanup() {
  local p
  trap - ERR
  # the streamers (their processes, not the /usr/bin/time wrappers, so their shutdown runs), then the servers
  for p in "${BGPIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${SERVERS[@]}" $(pgrep -f -- "--datadir=$W/" 2>/dev/null || true); do kill "$p" 2>/dev/null || true; done
  for p in "${SERVERS[@]}" "${BGPIDS[@]}" $(pgrep -f -- "--datadir=$W/" 2>/dev/null || true); do
    for _ in $(seq 600); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  remove_workdir
}
trap cleanup EXIT

LOGS="$W/logs" TSV="$W/results.tsv" REPO="$W/repo-lifeboat" PWF="$W/lifeboat.password" TOOLS="$W/tools"
SPOOL="$W/lifeboat-spool" TBIN="$W/tools/binlogs" RESTORES="$W/restore" TMPD="$W/tmp"
mkdir -p "$TOOLS/full-lsn" "$TOOLS/inc-lsn" "$TBIN" "$RESTORES" "$TMPD" "$W/run"
chmod 755 "$RESTORES"
printf 'tool\tstep\twall_s\tuser_s\tsys_s\tmaxrss_kb\tstored_bytes\tsrv_cpu_s\n' > "$TSV"
TCK=$(getconf CLK_TCK)
BENCH_DB_PASSWORD="$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')x1"
export BENCH_DB_PASSWORD

minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a - b }'; }
size_of() { if [ -e "$1" ]; then du -sb "$1" | cut -f1; else echo 0; fi; }
# proc_cpu PID: "user sys" seconds of a process and its waited-for children (0 0 when gone).
proc_cpu() { awk -v t="$TCK" '{ sub(/^.*\) /, ""); printf "%.2f %.2f\n", ($12 + $14) / t, ($13 + $15) / t }' "/proc/$1/stat" 2>/dev/null || echo "0 0"; }
# tree_cpu PID: "user sys" seconds of a process and all its descendants (their waited-for children included).
tree_cpu() { local p; for p in $(descendants "$1") "$1"; do proc_cpu "$p"; done | awk '{ u += $1; s += $2 } END { printf "%.2f %.2f\n", u, s }'; }
cpu_total() { awk -v c="$1" 'BEGIN { split(c, x, " "); printf "%.2f", x[1] + x[2] }'; }   # "U S" -> U+S
descendants() { local c; for c in $(ps -o pid= --ppid "$1" 2>/dev/null || true); do echo "$c"; descendants "$c"; done; }
row() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$TSV"; }

# --- servers ------------------------------------------------------------------------------------------
# start_server NAME DATADIR [mariadbd options]: mariadbd as mysql, socket, pid file and error log in
# $W/run/NAME; returns once it answers. SRVPID[NAME] is its pid.
start_server() {
  local name=$1 data=$2 run="$W/run/$1" pid deadline=$(( SECONDS + 1800 )); shift 2
  mkdir -p "$run" && chown mysql:mysql "$run"
  mariadbd --no-defaults --datadir="$data" --socket="$run/sock" --pid-file="$run/pid" --log-error="$run/err.log" \
    --user=mysql "$@" > /dev/null 2>&1 &
  pid=$!; SERVERS+=("$pid"); SRVPID[$name]=$pid
  until mariadb --no-defaults -S "$run/sock" -uroot -e 'select 1' >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { tail -n 30 "$run/err.log" >&2; die "mariadbd $name (on $data) did not start"; }
    [ $SECONDS -lt $deadline ] || die "mariadbd $name did not answer within 30 minutes"
    sleep 0.1
  done
}
stop_server() {  # NAME: SIGTERM (a clean shutdown), waited for
  local pid=${SRVPID[$1]}
  kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  local keep=() p; for p in "${SERVERS[@]}"; do [ "$p" = "$pid" ] || keep+=("$p"); done
  SERVERS=("${keep[@]}"); unset "SRVPID[$1]"
}
sql() { mariadb --no-defaults -S "$W/run/$1/sock" -uroot -N -B -e "$2"; }   # NAME SQL
src() { sql src "$1"; }
fingerprint() { sql "$1" "SELECT COUNT(*), COALESCE(SUM(people_out), 0) FROM cam.counting_events" | tr '\t' ' '; }

# --- measuring -----------------------------------------------------------------------------------------
# step_begin TOOL STEP STORED_PATH; part CMD... (any number, each timed with GNU time, CPU summed);
# add_cpu USER SYS; step_end: one row, wall from step_begin, stored = growth of STORED_PATH ("-": none).
step_begin() {
  ST_TOOL=$1 ST_STEP=$2 ST_STORE=$3 ST_U=0 ST_S=0 ST_M=0 ST_LOG="$LOGS/$1-${2//[^A-Za-z0-9]/-}.log"
  ST_BEFORE=0; [ "$ST_STORE" = - ] || ST_BEFORE=$(size_of "$ST_STORE")
  drop_caches
  echo "bench: $ST_TOOL: $ST_STEP ..." >&2
  ST_SRV0=$(cpu_total "$(tree_cpu "${SRVPID[src]}")") ST_T0=$(now)
}
part() {
  echo "+ $*" >> "$ST_LOG"
  if ! /usr/bin/time -f '%e %U %S %M' -o "$W/time.out" "$@" >> "$ST_LOG" 2>&1; then
    tail -n 20 "$ST_LOG" >&2; die "$ST_TOOL $ST_STEP failed: $* (log above, $ST_LOG)"
  fi
  local e u s m; read -r e u s m < <(tail -n 1 "$W/time.out")
  add_cpu "$u" "$s"; [ "$m" -le "$ST_M" ] || ST_M=$m
}
add_cpu() { ST_U=$(awk -v a="$ST_U" -v b="$1" 'BEGIN { printf "%.2f", a + b }'); ST_S=$(awk -v a="$ST_S" -v b="$2" 'BEGIN { printf "%.2f", a + b }'); }
step_end() {
  local wall stored=- srv; wall=$(minus "$(now)" "$ST_T0"); srv=$(minus "$(cpu_total "$(tree_cpu "${SRVPID[src]}")")" "$ST_SRV0")
  [ "$ST_STORE" = - ] || stored=$(( $(size_of "$ST_STORE") - ST_BEFORE ))
  row "$ST_TOOL" "$ST_STEP" "$wall" "$ST_U" "$ST_S" "$ST_M" "$stored" "$srv"
  echo "bench:   $wall s wall, $ST_U+$ST_S s CPU, $((ST_M / 1024)) MiB peak RSS, stored $stored, source server CPU $srv s" >&2
}
measure() { step_begin "$1" "$2" "$3"; shift 3; part "$@"; step_end; }   # TOOL STEP STORED_PATH CMD...
# combine STEP A B: a row STEP that is the tools' A + B and Lifeboat's A (Lifeboat's A already holds both).
combine() {
  awk -F'\t' -v OFS='\t' -v n="$1" -v a="$2" -v b="$3" '
    $1 == "tools" && ($2 == a || $2 == b) { w += $3; u += $4; s += $5; if ($6 > m) m = $6; v += $8 }
    $1 == "lifeboat" && $2 == a { l = $0 }
    END { printf "tools\t%s\t%.2f\t%.2f\t%.2f\t%d\t-\t%.2f\n", n, w, u, s, m, v
          if (l != "") { split(l, f, "\t"); f[2] = n; print f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8] } }' "$TSV" > "$TSV.add"
  cat "$TSV.add" >> "$TSV"
}
# check WHAT GOT EXPECTED
check() {
  if [ "$2" != "$3" ]; then FAILURES+=("$1: got '$2', expected '$3' (rows, sum(people_out))"); echo "bench:   MISMATCH $1: '$2' != '$3'" >&2
  else echo "bench:   ok $1: $2 (rows, sum(people_out))" >&2; fi
}
LB_DB=(--type mariadb --host 127.0.0.1 --user bench --password-env BENCH_DB_PASSWORD --source cam --repo "$REPO" --password-file "$PWF")
lb() { "$LB" "$@"; }
tool_env() { MYSQL_PWD="$BENCH_DB_PASSWORD" "$@"; }
CONNECT=()   # the tools' connection options, set once the port is known

# binlog_info DIR: "FILE POS" from a backup's xtrabackup_binlog_info
binlog_info() { awk '{ print $1, $2; exit }' "$1/xtrabackup_binlog_info"; }
checkpoint() { sed -n "s/^$2 = //p" "$1/xtrabackup_checkpoints"; }   # DIR FIELD
# binlogs_from FILE: the tools' streamed binlogs from FILE on, in order
binlogs_from() { local f n0; n0=$((10#${1##*.})); for f in "$TBIN"/*.[0-9]*; do [ $((10#${f##*.})) -lt "$n0" ] || echo "$f"; done | sort; }

# restore_check LABEL DIR EXPECTED: starts the restored directory (no network, no binlog), compares, stops.
restore_check() {
  chown -R mysql:mysql "$2"
  start_server check "$2" --skip-networking --skip-log-bin
  check "$1" "$(fingerprint check)" "$3"
  stop_server check
}
# tools_check STEP NAME: mariadb-check of every table on the running server NAME, a step of its own
tools_check() {
  local c0 c1; step_begin tools "$1" -
  c0=$(proc_cpu "${SRVPID[$2]}")
  part mariadb-check --no-defaults -S "$W/run/$2/sock" -uroot --all-databases --check --silent
  [ ! -s "$ST_LOG" ] || ! grep -qv '^+ ' "$ST_LOG" || FAILURES+=("tools $1: mariadb-check reported: $(grep -v '^+ ' "$ST_LOG" | head -n 3 | tr '\n' ' ')")
  c1=$(proc_cpu "${SRVPID[$2]}")
  add_cpu "$(minus "${c1% *}" "${c0% *}")" "$(minus "${c1#* }" "${c0#* }")"
  step_end
}
# unpack FILE DIR: zstd -d | mbstream -x, as one timed part
unpack() { mkdir -p "$2"; part bash -c 'set -o pipefail; zstd -dc -- "$1" | mbstream -x -C "$2"' _ "$1" "$2"; }
# replay NAME FROM_FILE FROM_POS [mariadb-binlog options]: the tools' binlogs into server NAME
replay() {
  local name=$1 file=$2 pos=$3; shift 3
  local files; mapfile -t files < <(binlogs_from "$file")
  [ ${#files[@]} -gt 0 ] && [ "$(basename "${files[0]}")" = "$file" ] || die "the streamed binlogs do not start with $file"
  part bash -c 'set -o pipefail; s=$1; shift; TZ=UTC mariadb-binlog --no-defaults "$@" | mariadb --no-defaults -S "$s" -uroot' \
    _ "$W/run/$name/sock" --start-position="$pos" "$@" "${files[@]}"
}
server_cpu_into_step() { local c; c=$(proc_cpu "${SRVPID[$1]}"); add_cpu "${c% *}" "${c#* }"; }

# --- setup ---------------------------------------------------------------------------------------------
LBREV=$(lifeboat_rev) LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench: work dir $W, $MB MB, $BATCHES insert batches, lifeboat $LBREV, $(mariadbd --version | awk '{ print $3 }')" >&2
cd "$W"   # lifeboat resolves ./config (its catalog) against the working directory: keep it away from any checkout
build_lifeboat
echo bench-passphrase > "$PWF" && chmod 600 "$PWF"
lb init --repo "$REPO" --password-file "$PWF" --compression zstd > "$LOGS/lifeboat-init.log" 2>&1 \
  || { cat "$LOGS/lifeboat-init.log" >&2; die "lifeboat init failed"; }

mkdir -p "$W/source" && chown mysql:mysql "$W/source" && chmod 755 "$W/source"
mariadb-install-db --no-defaults --datadir="$W/source/data" --user=mysql --auth-root-authentication-method=normal \
  --skip-test-db > "$LOGS/install-source.log" 2>&1 || { tail "$LOGS/install-source.log" >&2; die "mariadb-install-db failed"; }
PORT=$(free_port $(( 33400 + RANDOM % 500 )))
start_server src "$W/source/data" --port="$PORT" --bind-address=127.0.0.1 --log-bin="$W/source/data/binlog" \
  --server-id=1 --binlog-format=ROW
CONNECT=(--host=127.0.0.1 --port="$PORT" --user=bench)
LB_DB+=(--port "$PORT")
src "CREATE USER bench@'127.0.0.1' IDENTIFIED BY '$BENCH_DB_PASSWORD'; GRANT ALL ON *.* TO bench@'127.0.0.1';
     CREATE DATABASE cam;
     CREATE TABLE cam.counting_events (id BIGINT PRIMARY KEY AUTO_INCREMENT, camera_id INT NOT NULL,
       zone_id INT NOT NULL, at DATETIME(6) NOT NULL, people_in INT NOT NULL, people_out INT NOT NULL,
       confidence FLOAT NOT NULL, payload VARCHAR(200) NOT NULL, KEY by_camera_time (camera_id, at)) ENGINE=InnoDB"

# rows(N, AT): N events from the sequence engine, AT the expression for their time (s.seq counts 1..N)
rows_sql() {
  echo "INSERT INTO cam.counting_events (camera_id, zone_id, at, people_in, people_out, confidence, payload)
    SELECT 1 + FLOOR(RAND() * 400), 1 + FLOOR(RAND() * 12), $2, FLOOR(RAND() * 4), FLOOR(RAND() * 4), RAND(),
      CONCAT('{\"track\":', FLOOR(RAND() * 1000000000), ',\"bbox\":[', FLOOR(RAND() * 1920), ',', FLOOR(RAND() * 1080),
             ',', 20 + FLOOR(RAND() * 200), ',', 40 + FLOOR(RAND() * 400), '],\"model\":\"people-v8n-2024.11\",\"fw\":\"4.2.',
             FLOOR(RAND() * 9), '\",\"dwell_ms\":', FLOOR(RAND() * 60000), '}')
    FROM cam.seq_1_to_$1 s"
}
# Fill without binary logging (no binlog of the load itself to stream), batch by batch until the
# table's data + index reach the size (information_schema after ANALYZE TABLE).
TARGET=$(( MB * 1048576 )) FILL=$(( MB * 1048576 / 230 / 20 ))
[ "$FILL" -ge 2000 ] || FILL=2000; [ "$FILL" -le 100000 ] || FILL=100000
echo "bench: filling cam.counting_events to $MB MB ($FILL rows a batch) ..." >&2
t=$(now) n=0
table_bytes() { src "ANALYZE TABLE cam.counting_events" >/dev/null
  src "SELECT data_length + index_length FROM information_schema.tables WHERE table_schema = 'cam' AND table_name = 'counting_events'"; }
while :; do
  src "SET SESSION sql_log_bin = 0; $(rows_sql "$FILL" "TIMESTAMP'2025-03-01 00:00:00' + INTERVAL (($n + s.seq) * 40000) MICROSECOND")"
  n=$(( n + FILL ))
  [ "$(table_bytes)" -lt "$TARGET" ] || break
done
FILL_S=$(minus "$(now)" "$t")
ROWS0=$(src "SELECT COUNT(*) FROM cam.counting_events")
read -r DATA_B INDEX_B < <(src "SELECT data_length, index_length FROM information_schema.tables WHERE table_schema = 'cam' AND table_name = 'counting_events'")
IBD_B=$(size_of "$W/source/data/cam/counting_events.ibd")
echo "bench: $ROWS0 rows in $FILL_S s: data $((DATA_B / 1048576)) MiB + index $((INDEX_B / 1048576)) MiB (information_schema), counting_events.ibd $((IBD_B / 1048576)) MiB" >&2
# A checkpoint before the fulls (dirty pages flushed): a full's to_lsn is the checkpoint at its
# start, and an incremental copies every page newer than that; an unflushed load would land in it.
src "SET GLOBAL innodb_max_dirty_pages_pct_lwm = 0.001; SET GLOBAL innodb_max_dirty_pages_pct = 0"
deadline=$(( SECONDS + 600 ))
while :; do
  read -r _ dirty < <(src "SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'")
  read -r _ age < <(src "SHOW GLOBAL STATUS LIKE 'Innodb_checkpoint_age'")
  [ "$dirty" -gt 0 ] || [ "$age" -gt 65536 ] || break
  [ $SECONDS -lt $deadline ] || { NOTES+=("the checkpoint before the fulls did not catch up in 10 min ($dirty dirty pages, age $age)"); break; }
  sleep 1
done
src "SET GLOBAL innodb_max_dirty_pages_pct = 90; SET GLOBAL innodb_max_dirty_pages_pct_lwm = 0"
# the load was not logged; start the backups on a fresh binlog file, as a server whose old logs expired
src "FLUSH BINARY LOGS"
src "PURGE BINARY LOGS TO '$(src "SHOW MASTER STATUS" | cut -f1)'"
FP0=$(fingerprint src)

# --- 1. full backups -------------------------------------------------------------------------------------
measure lifeboat "full backup" "$REPO" "$LB" db backup "${LB_DB[@]}"
measure tools "full backup" "$TOOLS/full.xb.zst" bash -c 'set -o pipefail; MYSQL_PWD=$BENCH_DB_PASSWORD mariadb-backup --no-defaults --backup \
  --stream=xbstream --target-dir="$1/full-tmp" --extra-lsndir="$1/full-lsn" "${@:2}" | zstd -3 -q > "$1/full.xb.zst"' _ "$TOOLS" "${CONNECT[@]}"
rm -rf "$TOOLS/full-tmp"
FULL_TO_LSN=$(checkpoint "$TOOLS/full-lsn" to_lsn)
[ -n "$FULL_TO_LSN" ] || die "no to_lsn in $TOOLS/full-lsn/xtrabackup_checkpoints"

# --- 2. binlog streaming and an hour of inserts -------------------------------------------------------------
FIRST=$(src "SHOW BINARY LOGS" | head -n 1 | cut -f1)
REPO_B0=$(size_of "$REPO")
echo "bench: streaming binlogs from $FIRST (lifeboat db wal-receive, mariadb-binlog --stop-never) ..." >&2
/usr/bin/time -f '%e %U %S %M' -o "$W/time-lifeboat-stream.out" "$LB" db wal-receive "${LB_DB[@]}" --spool "$SPOOL" \
  > "$LOGS/lifeboat-wal-receive.log" 2>&1 &
LBS_WRAP=$!
# a replica id of its own: Lifeboat's mariadb-binlog connects with the default (0), and the server drops
# the older of two replica connections with the same id
MYSQL_PWD="$BENCH_DB_PASSWORD" /usr/bin/time -f '%e %U %S %M' -o "$W/time-tools-stream.out" mariadb-binlog --no-defaults \
  --read-from-remote-server --raw --stop-never --stop-never-slave-server-id=4242 "${CONNECT[@]}" --result-file="$TBIN/" "$FIRST" > "$LOGS/tools-mariadb-binlog.log" 2>&1 &
TBS_WRAP=$!
# the processes themselves (children of the time wrappers): those are signalled at the end
for _ in $(seq 100); do
  LBS=$(ps -o pid= --ppid "$LBS_WRAP" | tr -d ' ' || true) TBS=$(ps -o pid= --ppid "$TBS_WRAP" | tr -d ' ' || true)
  [ -z "$LBS" ] || [ -z "$TBS" ] || break; sleep 0.1
done
[ -n "$LBS" ] && [ -n "$TBS" ] || die "the streamers did not start"
BGPIDS+=("$LBS" "$TBS")
lb_fetch_size() {  # FILE: bytes of that binlog in the repository (complete or .partial), or -1
  if lb db wal-fetch --repo "$REPO" --password-file "$PWF" --source cam "$1" "$TMPD/fetched" >/dev/null 2>&1; then
    stat -c %s "$TMPD/fetched"; else echo -1; fi; }
deadline=$(( SECONDS + 180 ))
until [ -f "$TBIN/$FIRST" ] && [ "$(lb_fetch_size "$FIRST")" -ge 0 ]; do
  kill -0 "$LBS" 2>/dev/null || { tail "$LOGS/lifeboat-wal-receive.log" >&2; die "lifeboat db wal-receive exited"; }
  kill -0 "$TBS" 2>/dev/null || { tail "$LOGS/tools-mariadb-binlog.log" >&2; die "mariadb-binlog exited"; }
  [ $SECONDS -lt $deadline ] || { tail "$LOGS/lifeboat-wal-receive.log" >&2; die "the binlog streams stored nothing in 180 s"; }
  sleep 0.5
done
LBS_C0=$(tree_cpu "$LBS") TBS_C0=$(tree_cpu "$TBS") STREAM_T0=$(now)

PER=$(( ROWS0 * 15 / 1000 / BATCHES )); [ "$PER" -ge 1 ] || PER=1
UPD=$(( PER / 4 )); [ "$UPD" -ge 1 ] || UPD=1
MAXID=$(src "SELECT MAX(id) FROM cam.counting_events") RECENT=$(( ROWS0 / 10 + 1 ))
HALF=$(( BATCHES / 2 )) T= FP_T=
echo "bench: $BATCHES batches of $PER inserted and $UPD updated rows, about one a second ..." >&2
t=$(now)
for i in $(seq "$BATCHES"); do
  # updates: recent events (the newest tenth of the rows) corrected, e.g. a recount
  ids=$(for _ in $(seq "$UPD"); do echo $(( MAXID - (RANDOM * 32768 + RANDOM) % RECENT )); done | sort -un | paste -sd,)
  src "$(rows_sql "$PER" "NOW(6)"); UPDATE cam.counting_events SET people_out = people_out + 1, confidence = confidence * 0.99 WHERE id IN ($ids)"
  if [ "$i" = "$HALF" ]; then
    # T: half a second into a second no transaction touches (the binlog's event times are whole seconds)
    FP_T=$(fingerprint src)
    s0=$(date +%s); while [ "$(date +%s)" = "$s0" ]; do sleep 0.02; done; s0=$((s0 + 1))
    T=$(date -u -d "@$s0" +%Y-%m-%dT%H:%M:%S.500000Z)
    while [ "$(date +%s)" -le "$s0" ]; do sleep 0.02; done; sleep 0.1
    echo "bench:   T = $T after batch $i: $FP_T (rows, sum(people_out))" >&2
  else
    sleep "$(awk -v t="$t" -v i="$i" -v n="$(now)" 'BEGIN { d = t + i - n; print (d > 0 ? d : 0) }')"
  fi
done
LAST_COMMIT=$(now) INSERT_S=$(minus "$(now)" "$t")
read -r MFILE MPOS _ < <(src "SHOW MASTER STATUS")
# one poller each, in parallel: "time, user and sys CPU of the streamer" once its copy holds MFILE up to MPOS
rm -f "$TMPD/caught-lifeboat" "$TMPD/caught-tools"
( while [ "$(lb_fetch_size "$MFILE")" -lt "$MPOS" ]; do sleep 0.1; done; echo "$(now) $(tree_cpu "$LBS")" > "$TMPD/caught-lifeboat" ) &
BGPIDS+=($!)
( while [ "$(size_of "$TBIN/$MFILE")" -lt "$MPOS" ]; do sleep 0.02; done; echo "$(now) $(tree_cpu "$TBS")" > "$TMPD/caught-tools" ) &
BGPIDS+=($!)
FP_END=$(fingerprint src)   # while they poll (a scan of the table: seconds at 500 MB)
echo "bench: inserts done in $INSERT_S s: $FP_END (rows, sum(people_out)); server at $MFILE:$MPOS; waiting for both streams ..." >&2
deadline=$(( SECONDS + 600 ))
until [ -s "$TMPD/caught-lifeboat" ] && [ -s "$TMPD/caught-tools" ]; do
  kill -0 "$LBS" 2>/dev/null || { tail "$LOGS/lifeboat-wal-receive.log" >&2; die "lifeboat db wal-receive exited"; }
  kill -0 "$TBS" 2>/dev/null || { tail "$LOGS/tools-mariadb-binlog.log" >&2; die "mariadb-binlog exited"; }
  [ $SECONDS -lt $deadline ] || die "the binlog streams did not reach $MFILE:$MPOS within 10 minutes"
  sleep 0.2
done
wait "${BGPIDS[@]:2}" 2>/dev/null || true; BGPIDS=("$LBS" "$TBS")   # the pollers are done
read -r t LBS_C1 < "$TMPD/caught-lifeboat"; LBS_LAG=$(minus "$t" "$LAST_COMMIT")
read -r t TBS_C1 < "$TMPD/caught-tools"; TBS_LAG=$(minus "$t" "$LAST_COMMIT")
STREAM_S=$(minus "$(now)" "$STREAM_T0")
echo "bench:   mariadb-binlog held it $TBS_LAG s after the last commit, the repository $LBS_LAG s (one wal-fetch, ~1 s, is the resolution)" >&2
row lifeboat "binlog streaming during the inserts" "$LBS_LAG" "$(minus "${LBS_C1% *}" "${LBS_C0% *}")" \
  "$(minus "${LBS_C1#* }" "${LBS_C0#* }")" - $(( $(size_of "$REPO") - REPO_B0 )) -
row tools "binlog streaming during the inserts" "$TBS_LAG" "$(minus "${TBS_C1% *}" "${TBS_C0% *}")" \
  "$(minus "${TBS_C1#* }" "${TBS_C0#* }")" - "$(size_of "$TBIN")" -

# --- 3. incremental backups -------------------------------------------------------------------------------
measure lifeboat "incremental backup" "$REPO" "$LB" db backup "${LB_DB[@]}" --incremental
measure tools "incremental backup" "$TOOLS/inc.xb.zst" bash -c 'set -o pipefail; MYSQL_PWD=$BENCH_DB_PASSWORD mariadb-backup --no-defaults --backup \
  --stream=xbstream --incremental-lsn="$2" --target-dir="$1/inc-tmp" --extra-lsndir="$1/inc-lsn" "${@:3}" | zstd -3 -q > "$1/inc.xb.zst"' \
  _ "$TOOLS" "$FULL_TO_LSN" "${CONNECT[@]}"
rm -rf "$TOOLS/inc-tmp"
# before restoring: the repository holds the binlogs up to the server's position, and db check agrees
read -r MFILE MPOS _ < <(src "SHOW MASTER STATUS")
deadline=$(( SECONDS + 120 ))
until [ "$(lb_fetch_size "$MFILE")" -ge "$MPOS" ] && [ "$(size_of "$TBIN/$MFILE")" -ge "$MPOS" ]; do
  [ $SECONDS -lt $deadline ] || die "the binlog streams did not reach $MFILE:$MPOS"; sleep 0.5; done
if lb db check "${LB_DB[@]}" > "$LOGS/lifeboat-db-check.log" 2>&1; then echo "bench: lifeboat db check: $(head -n 1 "$LOGS/lifeboat-db-check.log")" >&2
else FAILURES+=("lifeboat db check --type mariadb says the binlogs are not safe: $(tr '\n' ' ' < "$LOGS/lifeboat-db-check.log")"); fi
lb db list --repo "$REPO" --password-file "$PWF" --source cam > "$LOGS/lifeboat-db-list.log" 2>&1 || true
sed 's/^/bench:   /' "$LOGS/lifeboat-db-list.log" >&2

# --- 4. restore latest ---------------------------------------------------------------------------------------
measure lifeboat "restore latest" - "$LB" db restore --source cam --repo "$REPO" --password-file "$PWF" --to-latest \
  --target "$RESTORES/lifeboat-latest"
restore_check "lifeboat restore latest" "$RESTORES/lifeboat-latest" "$FP_END"
rm -rf "$RESTORES/lifeboat-latest"

d="$RESTORES/tools-latest" inc="$RESTORES/tools-inc"
step_begin tools "restore latest" -
unpack "$TOOLS/full.xb.zst" "$d"
part mariadb-backup --no-defaults --prepare --target-dir="$d"
unpack "$TOOLS/inc.xb.zst" "$inc"
[ "$(checkpoint "$inc" from_lsn)" = "$(checkpoint "$d" to_lsn)" ] || die "the incremental starts at LSN $(checkpoint "$inc" from_lsn), the prepared full ends at $(checkpoint "$d" to_lsn)"
part mariadb-backup --no-defaults --prepare --target-dir="$d" --incremental-dir="$inc"
read -r bfile bpos < <(binlog_info "$inc")
rm -rf "$inc"
part chown -R mysql:mysql "$d"
start_server tools-latest "$d" --skip-networking --skip-log-bin
replay tools-latest "$bfile" "$bpos"
server_cpu_into_step tools-latest
step_end
check "tools restore latest" "$(fingerprint tools-latest)" "$FP_END"
tools_check "mariadb-check after restore latest" tools-latest
stop_server tools-latest; rm -rf "$d"
combine "restore latest + mariadb-check" "restore latest" "mariadb-check after restore latest"

# --- 5. point-in-time restore ----------------------------------------------------------------------------------
measure lifeboat "restore PITR" - "$LB" db restore --source cam --repo "$REPO" --password-file "$PWF" --to-time "$T" \
  --target "$RESTORES/lifeboat-pitr"
restore_check "lifeboat restore PITR" "$RESTORES/lifeboat-pitr" "$FP_T"
rm -rf "$RESTORES/lifeboat-pitr"

d="$RESTORES/tools-pitr"
STOP=$(date -u -d "@$(( $(date -d "$T" +%s) + 1 ))" '+%Y-%m-%d %H:%M:%S')   # the end of T's second, as Lifeboat does
step_begin tools "restore PITR" -
unpack "$TOOLS/full.xb.zst" "$d"
part mariadb-backup --no-defaults --prepare --target-dir="$d"
read -r bfile bpos < <(binlog_info "$d")
part chown -R mysql:mysql "$d"
start_server tools-pitr "$d" --skip-networking --skip-log-bin
replay tools-pitr "$bfile" "$bpos" --stop-datetime="$STOP"
server_cpu_into_step tools-pitr
step_end
check "tools restore PITR" "$(fingerprint tools-pitr)" "$FP_T"
tools_check "mariadb-check after restore PITR" tools-pitr
stop_server tools-pitr; rm -rf "$d"
combine "restore PITR + mariadb-check" "restore PITR" "mariadb-check after restore PITR"

# --- 6. logical full and its restore -----------------------------------------------------------------------------
if [ "$LOGICAL" = 1 ]; then
  measure lifeboat "logical full backup" "$REPO" "$LB" db backup "${LB_DB[@]}" --logical
  measure tools "logical full backup" "$TOOLS/dump.sql.zst" bash -c 'set -o pipefail; MYSQL_PWD=$BENCH_DB_PASSWORD mariadb-dump --no-defaults \
    --single-transaction --master-data=2 "${@:2}" --databases cam | zstd -3 -q > "$1/dump.sql.zst"' _ "$TOOLS" "${CONNECT[@]}"
  read -r MFILE MPOS _ < <(src "SHOW MASTER STATUS")
  until [ "$(lb_fetch_size "$MFILE")" -ge "$MPOS" ]; do sleep 0.5; done
  measure lifeboat "logical restore" - "$LB" db restore --source cam --repo "$REPO" --password-file "$PWF" --to-latest \
    --target "$RESTORES/lifeboat-logical"
  restore_check "lifeboat logical restore" "$RESTORES/lifeboat-logical" "$FP_END"
  rm -rf "$RESTORES/lifeboat-logical"

  d="$RESTORES/tools-logical"
  step_begin tools "logical restore" -
  part mariadb-install-db --no-defaults --datadir="$d" --user=mysql --auth-root-authentication-method=normal --skip-test-db
  start_server tools-logical "$d" --skip-networking --skip-log-bin
  part bash -c 'set -o pipefail; zstd -dc -- "$1" | mariadb --no-defaults -S "$2" -uroot' _ "$TOOLS/dump.sql.zst" "$W/run/tools-logical/sock"
  server_cpu_into_step tools-logical
  step_end
  check "tools logical restore" "$(fingerprint tools-logical)" "$FP_END"
  tools_check "mariadb-check after logical restore" tools-logical
  stop_server tools-logical; rm -rf "$d"
  combine "logical restore + mariadb-check" "logical restore" "mariadb-check after logical restore"
fi

# --- the streamers: stopped with SIGTERM, their whole-run figures ---------------------------------------------------
echo "bench: stopping the streamers (SIGTERM) ..." >&2
WHOLE_S=$(minus "$(now)" "$STREAM_T0")
kill "$LBS" "$TBS" 2>/dev/null || true
for p in "$LBS_WRAP" "$TBS_WRAP"; do
  for _ in $(seq 600); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$p" 2>/dev/null && { NOTES+=("a streamer (pid $p's child) did not stop within 60 s of SIGTERM"); kill -9 "$(ps -o pid= --ppid "$p" || true)" 2>/dev/null || true; }
  wait "$p" 2>/dev/null || true
done
BGPIDS=()
for t in lifeboat tools; do
  f="$W/time-$t-stream.out"; [ -s "$f" ] || continue
  # a JVM ends with 143 after its shutdown hooks ran; anything else is worth a look
  if [ $t = lifeboat ] && grep -q 'exited with non-zero status\|terminated by signal' "$f" && ! grep -q 'status 143$' "$f"; then
    NOTES+=("lifeboat db wal-receive, stopped with SIGTERM: $(grep -m1 'status\|signal' "$f")"); fi
  read -r e u s m < <(tail -n 1 "$f")
  row "$t" "binlog streaming, whole run (per minute)" - "$(awk -v c="$u" -v w="$WHOLE_S" 'BEGIN { printf "%.2f", c / w * 60 }')" \
    "$(awk -v c="$s" -v w="$WHOLE_S" 'BEGIN { printf "%.2f", c / w * 60 }')" "$m" - -
done
TOOLS_END=$(( $(size_of "$TOOLS/full.xb.zst") + $(size_of "$TOOLS/inc.xb.zst") + $(size_of "$TBIN") + $(size_of "$TOOLS/dump.sql.zst") ))
row lifeboat "everything stored at the end" - - - - "$(size_of "$REPO")" -
row tools "everything stored at the end" - - - - "$TOOLS_END" -
# what a prune frees at the end: anything the backups and the streamer left unreferenced
measure lifeboat "prune" "$REPO" "$LB" prune --repo "$REPO" --password-file "$PWF"
sed 's/^/bench:   /' "$ST_LOG" | tail -n 1 >&2
row lifeboat "everything stored, after the prune" - - - - "$(size_of "$REPO")" -
row tools "everything stored, after the prune" - - - - "$TOOLS_END" -

# --- table ----------------------------------------------------------------------------------------------------------
echo
echo "Lifeboat $LBREV vs the tools of MariaDB $(src "SELECT VERSION()" | cut -d- -f1) (mariadb-backup, mbstream, mariadb-binlog," \
  "mariadb-dump, zstd $(zstd -V | grep -o 'v[0-9.]*')), $(nproc) cores, shared machine (load average $LOAD0 at the start," \
  "$(cut -d' ' -f1-3 /proc/loadavg) at the end)."
echo "Database: cam.counting_events, $ROWS0 rows, $(( DATA_B / 1048576 )) MiB data + $(( INDEX_B / 1048576 )) MiB index" \
  "(information_schema; the .ibd file $(( IBD_B / 1048576 )) MiB), loaded in ${FILL_S%.*} s. Inserts: $BATCHES batches in ${INSERT_S%.*} s," \
  "$(( PER * BATCHES )) rows added ($(awk -v a=$((PER * BATCHES)) -v b="$ROWS0" 'BEGIN { printf "%.1f", a / b * 100 }') %) and up to" \
  "$(( UPD * BATCHES )) updated; PITR target T = $T, after batch $HALF."
echo "Lifeboat cells: absolute (ratio to the tools; <1 = Lifeboat faster/smaller). CPU: user+sys of the command and the"
echo "processes it waited for (restores: the restored server's too); the source server's own CPU is left out (results.tsv)."
echo
ratio_table tools tools "" "^mariadb-check after"
echo
echo "Tools: full/incremental = mariadb-backup --backup --stream=xbstream [--incremental-lsn=to_lsn of the full] | zstd -3;"
echo "binlogs = mariadb-binlog --read-from-remote-server --raw --stop-never, replica id 4242 (raw copies, not compressed); restore = zstd -d |"
echo "mbstream -x, mariadb-backup --prepare (then --incremental-dir), chown, mariadbd, mariadb-binlog | mariadb from the"
echo "backup's position (PITR: --stop-datetime) until the server answers; '+ mariadb-check' adds mariadb-check --all-databases"
echo "on it, which Lifeboat's restore does too (it also restarts the server once and counts the rows of every table, and"
echo "ends with the server stopped). Logical = mariadb-dump --single-transaction --master-data=2 | zstd -3, restored by"
echo "mariadb-install-db, mariadbd and zstd -dc | mariadb. Streaming: 'wall' is how long after the last commit the copy"
echo "held it (Lifeboat's: polled with db wal-fetch, ~1 s resolution), CPU is each streamer's with its children while the"
echo "inserts ran (${STREAM_S%.*} s, JVM start left out), stored the repository's growth / the raw files; 'whole run (per"
echo "minute)' is each streamer's user and sys CPU per minute over the whole run (${WHOLE_S%.*} s, idle most of it), wall column empty."
echo "Each wal-receive sweep (every second) stores what the binlog grew by since the last one (its .partial goes on from"
echo "the one before); the prune row frees whatever was left unreferenced (stored negative). Lifeboat's backups are"
echo "encrypted; the tools' files are not."
report_end

#!/usr/bin/env bash
# Lifeboat vs restic 0.14 with both repositories in S3: S3Mock (an S3-compatible server, run on this
# machine from the test classpath: src/test/java/io/lifeboat/storage/S3MockMain.java) behind
# bench/http-count-proxy.py, which counts the requests each tool makes, by kind, and the bytes each way.
#
# Part 1 "files" (BENCH_SIZE of bench/dataset.py, default 1G): backup 1 (initial), backup 2
#   (unchanged), backup 3 (after one `dataset.py mutate` day), restore latest (checked against the
#   dataset). Both tools see identical data at every step (both do backups 1+2, then the mutation,
#   then both do backup 3 and restore). Each tool's cache is kept from step to step, as in use.
# Part 2 "chunks" (BENCH_CHUNKS, default 1000000; 0 skips it): a repository of that many chunks, made
#   by backing up a tree of as many small unique files (each under both tools' 512 KiB chunker
#   minimum, so one chunk each): "setup", timed too. Then opening that repository: a backup of a tiny
#   other directory into it with the tool's cache emptied ("open-cold"), then again with the cache
#   it left ("open-warm"). "open-empty" is the same tiny backup into an empty repository (cold
#   cache): the fixed cost of starting, unlocking the key and writing a snapshot.
# Figures per step: wall, CPU (user+sys) and peak RSS of the tool's process (GNU time); requests (by
# kind: GET, LIST = a GET of the bucket itself, PUT, POST, HEAD, DELETE) and bytes sent and received
# on the wire, headers included (the proxy). Page caches are dropped before each step (needs root;
# otherwise a warning). Prints Markdown tables (restic absolute, lifeboat as ratios to restic, then
# the requests of each step by kind for both) and writes the raw figures to $BENCH_DIR/results.tsv.
# S3Mock, the proxy and the tools share the machine: wall times include S3Mock's and the proxy's
# work (the same server for both tools); CPU and RSS are the tool's own.
#
# Run:   bench/s3-vs-restic.sh   (about 11 min on 2 cores at the defaults)
# Env:   BENCH_SIZE (default 1G), BENCH_CHUNKS (default 1000000; 0 = no part 2), BENCH_PARTS (default
#        "1 2"; "2" runs part 2 alone), BENCH_LB_COMPRESSION (lifeboat init --compression, default
#        zstd:3; restic uses --compression auto, i.e. zstd), BENCH_S3_PORT (default 9990; it and the
#        next three ports: S3Mock https, proxy, proxy control), BENCH_DIR (default: a new dir under
#        /tmp; must be absent or empty), BENCH_KEEP=1 keeps the work dir, LIFEBOAT_JAVA_OPTS is
#        passed through to bin/lifeboat (its default: -Xmx256m), BENCH_SETUP_JAVA_OPTS (default:
#        none) replaces it for lifeboat's part 2 setup backup alone (e.g. -Xmx1g, where one backup of
#        that many chunks needs more heap than the default), so the opens still run at the default.
# Lifeboat is run through bin/lifeboat from a private copy of this checkout built in the work dir;
# S3Mock from S3MockMain compiled there against the project's test classpath (mvn dependency:build-classpath).
# Needs: restic, python3, GNU time (/usr/bin/time), maven, a JDK 17. Non-zero exit on any error or mismatch.
set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$HERE/bench/lib.sh"  # die, bench_workdir, drop_caches, build_lifeboat, dataset, check_restore, start_s3mock, wait_for
SIZE="${BENCH_SIZE:-1G}" CHUNKS="${BENCH_CHUNKS:-1000000}" PARTS="${BENCH_PARTS:-1 2}"
LB_COMPRESSION="${BENCH_LB_COMPRESSION:-zstd:3}" SETUP_JAVA_OPTS="${BENCH_SETUP_JAVA_OPTS:-}"
S3_PORT="${BENCH_S3_PORT:-9990}"; HTTPS_PORT=$((S3_PORT + 1)) PROXY_PORT=$((S3_PORT + 2)) CTL_PORT=$((S3_PORT + 3))
for c in restic python3 /usr/bin/time java javac mvn; do
  command -v "$c" >/dev/null || die "$c not found (apt-get install -y restic python3 time maven openjdk-17-jdk-headless)"; done
for f in "$DATASET" "$PROXY" "$S3MAIN"; do [ -f "$f" ] || die "$f not found"; done
[[ "$CHUNKS" =~ ^[0-9]+$ ]] || die "BENCH_CHUNKS must be a number, not '$CHUNKS'"
[[ " $PARTS " =~ \ [12]\  ]] || die "BENCH_PARTS must name part 1, 2 or both, not '$PARTS'"
part() { [[ " $PARTS " == *" $1 "* ]] && { [ "$1" = 1 ] || [ "$CHUNKS" -gt 0 ]; }; }
for p in "$S3_PORT" "$HTTPS_PORT" "$PROXY_PORT" "$CTL_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then die "port $p is in use (set BENCH_S3_PORT to use 4 other ports)"; fi
done

bench_workdir
S3_PID='' PROXY_PID=''
cleanup() {  # the servers this script started, by pid, then the work dir
  local p
  for p in $PROXY_PID $S3_PID; do kill "$p" 2>/dev/null && { wait "$p" 2>/dev/null || true; }; done
  remove_workdir
}
trap cleanup EXIT
trap 'exit 130' INT TERM
DATA="$W/data" SMALL="$W/small" TINY="$W/tiny" TSV="$W/results.tsv" NOTES="$W/notes.txt"
export LIFEBOAT_PASSWORD=bench-passphrase RESTIC_PASSWORD=bench-passphrase
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret
export LIFEBOAT_CACHE="$W/cache/lifeboat" RESTIC_CACHE_DIR="$W/cache/restic"
touch "$NOTES"

# Disk: part 1 holds the dataset, two repositories and a restore (~5x the size with S3Mock's
# copies); part 2 a tree of CHUNKS small files (a block each) and two repositories.
size_bytes() { python3 -c 'import re,sys; m=re.fullmatch(r"(\d+)([KMG]?)",sys.argv[1]) or sys.exit("bad BENCH_SIZE "+sys.argv[1]); print(int(m[1])*{"":1,"K":1<<10,"M":1<<20,"G":1<<30}[m[2]])' "$1"; }
need=0 inodes=0
if part 1; then need=$((need + 5 * $(size_bytes "$SIZE"))); inodes=$((inodes + 100000)); fi
if part 2; then need=$((need + CHUNKS * 6000)); inodes=$((inodes + CHUNKS + CHUNKS / 1000 + 100000)); fi
avail=$(df -B1 --output=avail "$W" | tail -n 1) iavail=$(df --output=iavail "$W" | tail -n 1)
[ "$avail" -gt "$need" ] || die "about $((need >> 30)) GiB needed in $W, $((avail >> 30)) GiB free (lower BENCH_SIZE or BENCH_CHUNKS)"
[ "$iavail" = - ] || [ "$iavail" -gt "$inodes" ] || die "about $inodes inodes needed in $W, $iavail free"

echo "bench: work dir $W, parts $PARTS, size $SIZE, chunks $CHUNKS, lifeboat $(git -C "$HERE" describe --always --dirty 2>/dev/null || echo '?') ($LB_COMPRESSION), $(restic version | cut -d' ' -f1-2)" >&2
build_lifeboat

start_s3mock "$S3_PORT" "$HTTPS_PORT"
python3 "$PROXY" serve "$PROXY_PORT" "$S3_PORT" "$CTL_PORT" > "$W/logs/proxy.log" 2>&1 &
PROXY_PID=$!
wait_for proxy "$PROXY_PID" "$W/logs/proxy.log" "control on"
proxy_stats() { python3 "$PROXY" stats "$CTL_PORT" --reset; }  # the counters since the last call: name=value ...
printf 'part\ttool\tstep\twall_s\tuser_s\tsys_s\tmaxrss_kb\t%s\n' "$(proxy_stats | sed 's/=[0-9]*//g; s/ /\t/g')" > "$TSV"

RESTIC=(restic -o s3.bucket-lookup=path -o s3.region=us-east-1)
rrepo() { echo "s3:http://127.0.0.1:$PROXY_PORT/restic/$1"; }
lrepo() { echo "s3://lifeboat/$1?endpoint=http://127.0.0.1:$PROXY_PORT&path-style=true&region=us-east-1"; }
init() {  # init NAME: a repository NAME for each tool (restic init makes the bucket restic, lifeboat init lifeboat)
  "${RESTIC[@]}" init --repo "$(rrepo "$1")" --repository-version 2 > "$W/logs/restic-init-$1.log" 2>&1 \
    || { cat "$W/logs/restic-init-$1.log" >&2; die "restic init $1 failed"; }
  "$LB" init --repo "$(lrepo "$1")" --compression "$LB_COMPRESSION" > "$W/logs/lifeboat-init-$1.log" 2>&1 \
    || { cat "$W/logs/lifeboat-init-$1.log" >&2; die "lifeboat init $1 failed"; }
}

# measure PART TOOL STEP CMD...: one timed run of CMD, with the proxy's counts for it, appended to the TSV.
measure() {
  local part=$1 tool=$2 step=$3 log="$W/logs/$1-$2-$3.log" f e u s m vals=(); shift 3
  drop_caches
  echo "bench: $part $tool $step ..." >&2
  proxy_stats > /dev/null
  if ! /usr/bin/time -f '%e %U %S %M' -o "$W/time.out" "$@" > "$log" 2>&1; then
    tail -n 20 "$log" >&2
    ! grep -q OutOfMemoryError "$log" || echo "bench: out of heap: LIFEBOAT_JAVA_OPTS (all steps) or BENCH_SETUP_JAVA_OPTS (part 2 setup) can give it more" >&2
    die "$part $tool $step failed: $* (log above)"
  fi
  for f in $(proxy_stats); do vals+=("${f#*=}"); done
  read -r e u s m < <(tail -n 1 "$W/time.out")
  (IFS=$'\t'; echo "$part	$tool	$step	$e	$u	$s	$m	${vals[*]}") >> "$TSV"
}

run() {  # run PART TOOL STEP: the tool's command for that step, measured
  local dir=$DATA; [ "$1" = chunks ] && { dir=$SMALL; [ "$3" = setup ] || dir=$TINY; }
  local repo=$1; [ "$3" = open-empty ] && repo=empty
  case $2:$3 in
    restic:restore)  measure "$@" "${RESTIC[@]}" restore --repo "$(rrepo "$repo")" latest --target "$W/restore-restic" ;;
    restic:setup)    measure "$@" "${RESTIC[@]}" backup --repo "$(rrepo "$repo")" --compression auto --json "$dir" ;;
    restic:*)        measure "$@" "${RESTIC[@]}" backup --repo "$(rrepo "$repo")" --compression auto "$dir" ;;
    lifeboat:restore) measure "$@" "$LB" restore --repo "$(lrepo "$repo")" latest --target "$W/restore-lifeboat" ;;
    lifeboat:setup)  measure "$@" env ${SETUP_JAVA_OPTS:+"LIFEBOAT_JAVA_OPTS=$SETUP_JAVA_OPTS"} "$LB" backup --repo "$(lrepo "$repo")" "$dir" ;;
    lifeboat:*)      measure "$@" "$LB" backup --repo "$(lrepo "$repo")" "$dir" ;;
  esac
}

if part 1; then
  dataset generate "$DATA" --size "$SIZE"
  init files
  for t in restic lifeboat; do run files "$t" backup1; run files "$t" backup2; done
  dataset mutate "$DATA"
  for t in restic lifeboat; do run files "$t" backup3; run files "$t" restore; check_restore "$t"; done
  echo "files: dataset $(du -sb "$DATA" | cut -f1) bytes after mutation, $(find "$DATA" -type f | wc -l) files" >> "$NOTES"
  rm -rf "$DATA"
fi

if part 2; then
  echo "bench: writing $CHUNKS small files ..." >&2
  python3 - "$SMALL" "$CHUNKS" "$TINY" <<'EOF'
import os, random, sys
root, n, tiny = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rnd = random.Random(7)
for i in range(n):  # 1000 files a directory; 64-319 bytes each, unique (its number, then random bytes)
    d = os.path.join(root, "d%04d" % (i // 1000))
    if i % 1000 == 0:
        os.makedirs(d)
    with open(os.path.join(d, "f%04d" % (i % 1000)), "wb") as f:
        f.write(b"%d\n" % i + rnd.randbytes(64 + rnd.randrange(256)))
os.makedirs(tiny)
for i in range(3):
    with open(os.path.join(tiny, "t%d" % i), "wb") as f:
        f.write(rnd.randbytes(1000))
EOF
  init chunks; init empty
  for t in restic lifeboat; do run chunks "$t" setup; done
  sum=$(grep '"message_type":"summary"' "$W/logs/chunks-restic-setup.log" | tail -n 1)
  echo "chunks: $CHUNKS files of 64-319 bytes; restic stored $(sed -E 's/.*"data_blobs":([0-9]+).*/\1/' <<< "$sum") data blobs and $(sed -E 's/.*"tree_blobs":([0-9]+).*/\1/' <<< "$sum") tree blobs, lifeboat $(grep -oE 'added [0-9]+ chunks' "$W/logs/chunks-lifeboat-setup.log" | grep -oE '[0-9]+') chunks (files and node stream)${SETUP_JAVA_OPTS:+; lifeboat setup with LIFEBOAT_JAVA_OPTS=$SETUP_JAVA_OPTS}" >> "$NOTES"
  for t in restic lifeboat; do
    rm -rf "$LIFEBOAT_CACHE" "$RESTIC_CACHE_DIR"; run chunks "$t" open-empty
    rm -rf "$LIFEBOAT_CACHE" "$RESTIC_CACHE_DIR"; run chunks "$t" open-cold
    run chunks "$t" open-warm
  done
  rm -rf "$SMALL"
fi

# Markdown tables: restic absolute, lifeboat as ratios to restic (<1 = lifeboat less); then requests by kind.
awk -F'\t' '
  NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
  { k = $1 SUBSEP $2 SUBSEP $3; for (c in col) v[k, c] = $col[c]; v[k, "cpu"] = $col["user_s"] + $col["sys_s"]
    if (!(($1 SUBSEP $3) in seen)) { seen[$1 SUBSEP $3] = 1; steps[++n] = $1 SUBSEP $3 } }
  function r(p, s, c,   a, b) { a = v[p, "restic", s, c]; b = v[p, "lifeboat", s, c]
    return (a != "" && b != "" && a > 0) ? sprintf("%.2f", b / a) : (b == 0 && a == 0 ? "=" : "-") }
  function bytes(x) { return x < 10485760 ? sprintf("%.0f KiB", x / 1024) : sprintf("%.1f MiB", x / 1048576) }
  END {
    print "| part | step | restic wall s | restic CPU s | restic RSS MiB | restic requests | restic sent | restic received | lifeboat wall | CPU | RSS | requests | sent | received |"
    print "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
    for (i = 1; i <= n; i++) { split(steps[i], ps, SUBSEP); p = ps[1]; s = ps[2]; k = p SUBSEP "restic" SUBSEP s
      line = sprintf("| %s | %s | %.2f | %.2f | %.0f | %d | %s | %s |", p, s, v[k, "wall_s"], v[k, "cpu"], v[k, "maxrss_kb"] / 1024,
        v[k, "requests"], bytes(v[k, "up_bytes"]), bytes(v[k, "down_bytes"]))
      for (j = 1; j <= 6; j++) { c = j == 1 ? "wall_s" : j == 2 ? "cpu" : j == 3 ? "maxrss_kb" : j == 4 ? "requests" : j == 5 ? "up_bytes" : "down_bytes"
        line = line " " r(p, s, c) " |" }
      print line }
    print ""
    print "Requests by kind (absolute; LIST = a GET of the bucket itself, e.g. ListObjectsV2):"
    print ""
    print "| part | step | tool | requests | GET | LIST | PUT | POST | HEAD | DELETE | other | connections | sent | received |"
    print "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
    for (i = 1; i <= n; i++) { split(steps[i], ps, SUBSEP)
      for (j = 1; j <= 2; j++) { t = j == 1 ? "restic" : "lifeboat"; k = ps[1] SUBSEP t SUBSEP ps[2]
        printf "| %s | %s | %s | %d | %d | %d | %d | %d | %d | %d | %d | %d | %s | %s |\n", ps[1], ps[2], t, v[k, "requests"], v[k, "GET"],
          v[k, "LIST"], v[k, "PUT"], v[k, "POST"], v[k, "HEAD"], v[k, "DELETE"], v[k, "OTHER"], v[k, "connections"],
          bytes(v[k, "up_bytes"]), bytes(v[k, "down_bytes"]) } }
  }' "$TSV"
echo; cat "$NOTES"
echo; echo "Raw figures ($TSV):"; column -t -s $'\t' "$TSV"
if awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "parse_errors") c = i; next } $c > 0 { bad = 1 } END { exit !bad }' "$TSV"; then
  FAILURES+=("the proxy lost track of some connections (parse_errors > 0, logs/proxy.log): request counts may be low")
fi
report_failures
part 1 && { echo; echo "All restores matched the dataset."; }
exit 0

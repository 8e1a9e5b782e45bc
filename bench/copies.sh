#!/usr/bin/env bash
# Copies of a repository: Lifeboat's `copy` vs restic 0.14's `copy`, with every repository in S3
# (S3Mock on this machine, run from src/test/java/io/lifeboat/storage/S3MockMain.java). The primary
# bucket and the second bucket each sit behind their own bench/http-count-proxy.py, so the requests
# (by kind) and bytes of each side of a copy are counted apart.
#
# On BENCH_SIZE of bench/dataset.py (default 1G):
#  1. backup 1 into the primary, then copy 1: restic copy into a second restic repository (made with
#     the primary's chunker parameters, so that its chunks match); Lifeboat copy to the second bucket
#     and, as its own step, to a local directory. Then one day of changes (dataset.py mutate), backup 2,
#     copy 2 (what the day added) and copy 3 (nothing new: the fixed cost of finding that out).
#  2. A backup with and without its copies: backup 2 alone vs backup 2 plus copy 2 to each target
#     (restic: its one copy), as ratios.
#  3. Lifeboat restores of the latest backup with the primary given with timeout=2 and --fallback the
#     second bucket: with the primary answering, with it not answering (its proxy stopped by SIGSTOP:
#     connections are accepted, requests never answered) and with it refusing connections (its proxy
#     killed). Each restore is checked against the dataset; the last two must say on stderr that they
#     read from the copy, the first must not. Caches are emptied before each restore, so that the
#     ratios compare the stores alone.
# Figures per step: wall, CPU (user+sys) and peak RSS of the tool's process (GNU time); what the
# target gained (objects and bytes: S3Mock listed directly, not through a proxy, or the directory's
# files) and the throughput (those MiB per wall second); requests by kind and bytes each way at each
# proxy. Page caches are dropped before each step (needs root; otherwise a warning). S3Mock, the
# proxies and the tools share the machine: wall times include their work; CPU and RSS are the tool's.
# Prints Markdown tables (restic absolute, Lifeboat absolute with its ratio to restic) and writes
# the raw figures to $BENCH_DIR/results.tsv.
#
# Run:   bench/copies.sh   (about 15 min on 2 cores at 1G); quick check: BENCH_SIZE=50M bench/copies.sh
# Env:   BENCH_SIZE (default 1G), BENCH_S3_PORT (default 9990; it and the next five ports: S3Mock
#        https, the primary's proxy and its control, the second bucket's proxy and its control),
#        BENCH_REV=HEAD builds that commit instead of the working tree, BENCH_DIR (default: a new dir
#        under /tmp; must be absent or empty), BENCH_KEEP=1 keeps the work dir, LIFEBOAT_JAVA_OPTS is
#        passed through to bin/lifeboat.
# Needs: restic and GNU time (installed with apt-get when missing), python3, maven, a JDK 17.
# Non-zero exit on any error or failed check.
set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$HERE/bench/lib.sh"  # die, bench_workdir, remove_workdir, drop_caches, build_lifeboat, lifeboat_rev, dataset, check_restore, report_end, install_missing, start_s3mock, wait_for
SIZE="${BENCH_SIZE:-1G}"
S3_PORT="${BENCH_S3_PORT:-9990}"; HTTPS_PORT=$((S3_PORT + 1))
P1_PORT=$((S3_PORT + 2)) C1_PORT=$((S3_PORT + 3)) P2_PORT=$((S3_PORT + 4)) C2_PORT=$((S3_PORT + 5))
need=(); command -v restic >/dev/null || need+=(restic); [ -x /usr/bin/time ] || need+=(time)
install_missing "${need[@]}"
for c in restic python3 java javac mvn git; do command -v "$c" >/dev/null || die "$c not found"; done
for f in "$DATASET" "$PROXY" "$S3MAIN"; do [ -f "$f" ] || die "$f not found"; done
for p in "$S3_PORT" "$HTTPS_PORT" "$P1_PORT" "$C1_PORT" "$P2_PORT" "$C2_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then die "port $p is in use (set BENCH_S3_PORT to use 6 other ports)"; fi
done

bench_workdir
S3_PID='' P1_PID='' P2_PID=''
cleanup() {  # the servers this script started, by pid (a stopped proxy is continued so that it can end), then the work dir
  local p
  for p in $P1_PID $P2_PID $S3_PID; do
    kill -CONT "$p" 2>/dev/null && kill "$p" 2>/dev/null && { wait "$p" 2>/dev/null || true; }
  done
  remove_workdir
}
trap cleanup EXIT
trap 'exit 130' INT TERM
DATA="$W/data" DIRCOPY="$W/copy-dir" TSV="$W/results.tsv" PASSFILE="$W/passphrase" NOTES=()
export LIFEBOAT_PASSWORD=bench-passphrase RESTIC_PASSWORD=bench-passphrase
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret
export LIFEBOAT_CACHE="$W/cache/lifeboat" RESTIC_CACHE_DIR="$W/cache/restic"
echo "$LIFEBOAT_PASSWORD" > "$PASSFILE"

# Disk: the dataset, four repositories in S3Mock, the directory copy and a restore (~7x the size).
size_bytes() { python3 -c 'import re,sys; m=re.fullmatch(r"(\d+)([KMG]?)",sys.argv[1]) or sys.exit("bad BENCH_SIZE "+sys.argv[1]); print(int(m[1])*{"":1,"K":1<<10,"M":1<<20,"G":1<<30}[m[2]])' "$1"; }
avail=$(df -B1 --output=avail "$W" | tail -n 1)
[ "$avail" -gt $((7 * $(size_bytes "$SIZE"))) ] || die "about 7x $SIZE needed in $W, $((avail >> 20)) MiB free"

LBREV=$(lifeboat_rev) LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench: work dir $W, size $SIZE, lifeboat $LBREV, $(restic version | cut -d' ' -f1-2)" >&2
build_lifeboat
start_s3mock "$S3_PORT" "$HTTPS_PORT"
python3 "$PROXY" serve "$P1_PORT" "$S3_PORT" "$C1_PORT" > "$W/logs/proxy-primary.log" 2>&1 &
P1_PID=$!
python3 "$PROXY" serve "$P2_PORT" "$S3_PORT" "$C2_PORT" > "$W/logs/proxy-second.log" 2>&1 &
P2_PID=$!
wait_for "primary's proxy" "$P1_PID" "$W/logs/proxy-primary.log" "control on"
wait_for "second bucket's proxy" "$P2_PID" "$W/logs/proxy-second.log" "control on"

# stats CONTROL_PORT: a proxy's counters since the last call (name=value ...), zeroed.
stats() { python3 "$PROXY" stats "$1" --reset; }
FIELDS=$(stats "$C1_PORT" | sed 's/=[0-9]*//g'); stats "$C2_PORT" > /dev/null
printf 'tool\tstep\twall_s\tuser_s\tsys_s\tmaxrss_kb\tgained_objects\tgained_bytes\t%s\t%s\n' \
  "$(printf 'p1_%s\t' $FIELDS | sed 's/\t$//')" "$(printf 'p2_%s\t' $FIELDS | sed 's/\t$//')" > "$TSV"

RESTIC=(restic -o s3.bucket-lookup=path -o s3.region=us-east-1)
rrepo() { echo "s3:http://127.0.0.1:$1/$2/files"; }  # rrepo PROXY_PORT BUCKET
lrepo() { echo "s3://$2/files?endpoint=http://127.0.0.1:$1&path-style=true&region=us-east-1"; }
R1=$(rrepo "$P1_PORT" restic) R2=$(rrepo "$P2_PORT" restic-copy)
L1=$(lrepo "$P1_PORT" lifeboat) L2=$(lrepo "$P2_PORT" lifeboat-copy)

# usage TARGET: "objects bytes" held by s3:BUCKET (listed in S3Mock itself, so no proxy counts it),
# a directory, or "- -" for "-".
usage() {
  case $1 in
    -) echo "- -" ;;
    s3:*) python3 - "$S3_PORT" "${1#s3:}" <<'EOF' ;;
import sys, urllib.error, urllib.parse, urllib.request, xml.etree.ElementTree as ET
port, bucket = sys.argv[1:3]
objects = size = 0
token = None
while True:
    query = {"list-type": "2"} | ({"continuation-token": token} if token else {})
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/{bucket}?{urllib.parse.urlencode(query)}") as r:
            root = ET.parse(r).getroot()
    except urllib.error.HTTPError as e:
        if e.code == 404:  # no bucket yet
            break
        raise
    for e in root.iter():
        if e.tag.endswith("}Contents"):
            objects += 1
            size += int(next(c.text for c in e if c.tag.endswith("}Size")))
    if next((e.text for e in root if e.tag.endswith("}IsTruncated")), "false") != "true":
        break
    token = next(e.text for e in root if e.tag.endswith("}NextContinuationToken"))
print(objects, size)
EOF
    *) [ -d "$1" ] || { echo "0 0"; return; }; find "$1" -type f -printf '%s\n' | awk '{ n++; b += $1 } END { print n + 0, b + 0 }' ;;
  esac
}

# measure TOOL STEP TARGET CMD...: one timed run of CMD (stdout in logs/TOOL-STEP.out, stderr in
# .err), with the counts of each proxy still running and what TARGET gained, appended to the TSV.
measure() {
  local tool=$1 step=$2 target=$3 log="$W/logs/$1-${2// /-}" e u s m o0 b0 o1 b1 p1 p2; shift 3
  read -r o0 b0 < <(usage "$target")
  drop_caches
  echo "bench: $tool $step ..." >&2
  p1_live && stats "$C1_PORT" > /dev/null; stats "$C2_PORT" > /dev/null
  if ! /usr/bin/time -f '%e %U %S %M' -o "$W/time.out" "$@" > "$log.out" 2> "$log.err"; then
    tail -n 20 "$log.out" "$log.err" >&2; die "$tool $step failed: $* (log above)"
  fi
  if p1_live; then p1=$(stats "$C1_PORT" | sed 's/[a-zA-Z_]*=//g'); else p1=$(for _ in $FIELDS; do printf -- '- '; done); fi
  p2=$(stats "$C2_PORT" | sed 's/[a-zA-Z_]*=//g')
  read -r e u s m < <(tail -n 1 "$W/time.out")
  read -r o1 b1 < <(usage "$target")
  [ "$target" = - ] || { o1=$((o1 - o0)) b1=$((b1 - b0)); }
  printf '%s\n' "$tool" "$step" "$e" "$u" "$s" "$m" "$o1" "$b1" $p1 $p2 | paste -sd '\t' >> "$TSV"
}
P1_STATE=up
p1_live() { [ "$P1_STATE" = up ]; }

# copy_check STEP SNAPSHOTS: Lifeboat's --json report of a copy agrees with what its target gained, and
# the copy holds SNAPSHOTS snapshots.
copy_check() {
  local got; got=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))[0]
print(r["objectsSent"], r["bytesSent"], len(r["snapshots"]), r["objectsThere"], r["logSegments"])' "$W/logs/lifeboat-${1// /-}.out") \
    || { FAILURES+=("lifeboat $1: no --json report (logs/lifeboat-${1// /-}.out)"); return; }
  local sent bytes snaps there logs gained; read -r sent bytes snaps there logs <<< "$got"
  gained=$(awk -F'\t' -v s="$1" '$1 == "lifeboat" && $2 == s { print $7, $8 }' "$TSV")
  [ "$sent $bytes" = "$gained" ] || FAILURES+=("lifeboat $1: reported $sent objects, $bytes bytes sent; the target gained $gained")
  [ "$snaps" = "$2" ] || FAILURES+=("lifeboat $1: the copy holds $snaps snapshots, not $2")
  NOTES+=("lifeboat $1: --json said objectsSent $sent, bytesSent $bytes, objectsThere $there, snapshots $snaps, logSegments $logs")
}

dataset generate "$DATA" --size "$SIZE"
"${RESTIC[@]}" init --repo "$R1" --repository-version 2 > "$W/logs/restic-init.log" 2>&1 \
  || { cat "$W/logs/restic-init.log" >&2; die "restic init failed"; }
"${RESTIC[@]}" init --repo "$R2" --repository-version 2 --from-repo "$R1" --from-password-file "$PASSFILE" \
  --copy-chunker-params > "$W/logs/restic-init-copy.log" 2>&1 || { cat "$W/logs/restic-init-copy.log" >&2; die "restic init of the copy failed"; }
"$LB" init --repo "$L1" --compression zstd:3 > "$W/logs/lifeboat-init.log" 2>&1 \
  || { cat "$W/logs/lifeboat-init.log" >&2; die "lifeboat init failed"; }

backups() {  # backups N: backup N of both tools into their primaries
  measure restic "backup $1" s3:restic "${RESTIC[@]}" backup --repo "$R1" --compression auto "$DATA"
  measure lifeboat "backup $1" s3:lifeboat "$LB" backup --repo "$L1" "$DATA"
}
copies() {  # copies N SNAPSHOTS: copy N of restic, then of Lifeboat to each target
  measure restic "copy $1 to the second bucket" s3:restic-copy "${RESTIC[@]}" --repo "$R2" copy --from-repo "$R1" --from-password-file "$PASSFILE"
  measure lifeboat "copy $1 to the second bucket" s3:lifeboat-copy "$LB" copy --repo "$L1" --password-file "$PASSFILE" --to "$L2" --json
  copy_check "copy $1 to the second bucket" "$2"
  measure lifeboat "copy $1 to a directory" "$DIRCOPY" "$LB" copy --repo "$L1" --password-file "$PASSFILE" --to "$DIRCOPY" --json
  copy_check "copy $1 to a directory" "$2"
}
backups 1
copies 1 1
dataset mutate "$DATA"
backups 2
copies 2 2
copies "3 (nothing new)" 2
n=$("${RESTIC[@]}" snapshots --repo "$R2" --json 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))') || n='?'
[ "$n" = 2 ] || FAILURES+=("restic's copy holds $n snapshots, not 2")

# restore STEP: Lifeboat's restore of the latest backup, primary first, the second bucket as fallback; checked.
restore() {
  local before=${#FAILURES[@]} told
  rm -rf "$LIFEBOAT_CACHE"
  measure lifeboat "$1" - "$LB" restore --repo "$L1&timeout=2" --fallback "$L2" latest --target "$W/restore-lifeboat"
  check_restore lifeboat
  told=$(grep -m 1 'reading from' "$W/logs/lifeboat-${1// /-}.err" || true)
  if p1_live; then [ -z "$told" ] || FAILURES+=("lifeboat $1: read from the copy with the primary up: $told")
  elif [[ "$told" != "lifeboat: reading from s3://lifeboat-copy/files: "* ]]; then FAILURES+=("lifeboat $1: did not say it read from the copy (stderr: $(head -c 300 "$W/logs/lifeboat-${1// /-}.err"))")
  fi
  [ -z "$told" ] || NOTES+=("lifeboat $1: $told")
  [ ${#FAILURES[@]} -eq "$before" ] && CHECKED+=("$1	passed") || CHECKED+=("$1	FAILED")
}
CHECKED=()
restore "restore, primary answering"
kill -STOP "$P1_PID"; P1_STATE=stopped
restore "restore, primary not answering"
kill -CONT "$P1_PID"; kill "$P1_PID"; wait "$P1_PID" 2>/dev/null || true; P1_PID=''
restore "restore, primary refusing"

echo "Lifeboat $LBREV vs $(restic version | cut -d' ' -f1-2), dataset $SIZE ($(du -sb "$DATA" | cut -f1) bytes, $(find "$DATA" -type f | wc -l) files after the day of changes), $(nproc) cores, shared machine (load average $LOAD0 at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end)."
echo "Gained: objects and MiB the step added to its target (the copy, or the primary for a backup); MiB/s: those MiB per wall second;"
echo "requests: both proxies together. Lifeboat cells: absolute (ratio to restic; <1 = Lifeboat less)."
echo
awk -F'\t' '
  NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
  { k = $1 SUBSEP $2; for (c in col) v[k, c] = $col[c]; v[k, "cpu"] = $col["user_s"] + $col["sys_s"]
    v[k, "mib"] = $col["gained_bytes"] == "-" ? "-" : $col["gained_bytes"] / 1048576
    v[k, "rate"] = v[k, "mib"] == "-" ? "-" : v[k, "mib"] / $col["wall_s"]
    v[k, "req"] = ($col["p1_requests"] == "-" ? 0 : $col["p1_requests"]) + $col["p2_requests"]
    if (!($2 in seen)) { seen[$2] = 1; steps[++n] = $2 } }
  function cell(t, s, c, f) { return ((t SUBSEP s, c) in v && v[t, s, c] != "-") ? sprintf(f, v[t, s, c]) : "-" }
  function lb(s, c, f,   a, b) { a = v["restic", s, c]; b = cell("lifeboat", s, c, f)
    return (b != "-" && a != "" && a != "-" && a > 0) ? sprintf("%s (%.2f)", b, v["lifeboat", s, c] / a) : b }
  END {
    split("wall_s cpu gained_objects mib rate req", cs, " "); split("%.2f %.2f %d %.1f %.1f %d", fs, " ")
    print "| step | restic wall s | CPU s | gained objects | MiB | MiB/s | requests | Lifeboat wall s | CPU s | gained objects | MiB | MiB/s | requests |"
    print "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
    for (i = 1; i <= n; i++) { s = steps[i]; row = "| " s
      for (j = 1; j <= 6; j++) row = row " | " cell("restic", s, cs[j], fs[j])
      for (j = 1; j <= 6; j++) row = row " | " lb(s, cs[j], fs[j])
      print row " |" }
  }' "$TSV"

echo; echo "A backup with and without its copies (backup 2, the day of changes; the copies are copy 2):"; echo
awk -F'\t' '
  NR == 1 { next }
  $2 == "backup 2" || $2 ~ /^copy 2 / { w[$1, $2] = $3; c[$1, $2] = $4 + $5 }
  function row(label, s) { printf "| %s | %s | %s | %s | %s |\n", label, (("restic", s) in w) ? sprintf("%.2f", w["restic", s]) : "-",
    (("restic", s) in w) ? sprintf("%.2f", c["restic", s]) : "-", sprintf("%.2f", w["lifeboat", s]), sprintf("%.2f", c["lifeboat", s]) }
  END {
    print "| | restic wall s | restic CPU s | Lifeboat wall s | Lifeboat CPU s |"
    print "|---|--:|--:|--:|--:|"
    row("backup alone", "backup 2"); row("copy to the second bucket", "copy 2 to the second bucket"); row("copy to a directory", "copy 2 to a directory")
    b = "backup 2"; s3 = "copy 2 to the second bucket"
    printf "| backup + copy to the second bucket / backup alone | %.2f | %.2f | %.2f | %.2f |\n", (w["restic", b] + w["restic", s3]) / w["restic", b],
      (c["restic", b] + c["restic", s3]) / c["restic", b], (w["lifeboat", b] + w["lifeboat", s3]) / w["lifeboat", b], (c["lifeboat", b] + c["lifeboat", s3]) / c["lifeboat", b]
    for (t in w) { split(t, k, SUBSEP); sw[k[1]] += w[t]; sc[k[1]] += c[t] }
    printf "| backup + every copy | %.2f | %.2f | %.2f | %.2f |\n", sw["restic"], sc["restic"], sw["lifeboat"], sc["lifeboat"]
    printf "| backup + every copy / backup alone | %.2f | %.2f | %.2f | %.2f |\n", sw["restic"] / w["restic", b],
      sc["restic"] / c["restic", b], sw["lifeboat"] / w["lifeboat", b], sc["lifeboat"] / c["lifeboat", b]
  }' "$TSV"

echo; echo "Lifeboat restores of the latest backup, the primary given with timeout=2 and --fallback the second bucket:"; echo
printf '%s\n' "${CHECKED[@]}" | awk -F'\t' '
  FNR == NR && FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
  FNR == NR { w[$2] = $3; c[$2] = $4 + $5; r1[$2] = $col["p1_requests"]; r2[$2] = $col["p2_requests"]; next }
  FNR == 1 { print "| restore | wall s | CPU s | wall / primary answering | primary requests | second bucket requests | restored tree |"
    print "|---|--:|--:|--:|--:|--:|---|" }
  { printf "| %s | %.2f | %.2f | %.2f | %s | %s | %s |\n", substr($1, 10), w[$1], c[$1], w[$1] / w["restore, primary answering"], r1[$1], r2[$1], $2 }' "$TSV" -

echo; echo "Requests by kind at each proxy (LIST = a GET of the bucket itself, e.g. ListObjectsV2):"; echo
awk -F'\t' '
  NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
  function bytes(x) { return x < 10485760 ? sprintf("%.0f KiB", x / 1024) : sprintf("%.1f MiB", x / 1048576) }
  { for (p = 1; p <= 2; p++) { x = "p" p "_"; if ($col[x "requests"] == "-" || $col[x "requests"] == 0) continue
      printf "| %s | %s | %s | %d | %d | %d | %d | %d | %d | %d | %d | %s | %s |\n", $2, $1, p == 1 ? "primary" : "second", $col[x "requests"],
        $col[x "GET"], $col[x "LIST"], $col[x "PUT"], $col[x "POST"], $col[x "HEAD"], $col[x "DELETE"], $col[x "connections"],
        bytes($col[x "up_bytes"]), bytes($col[x "down_bytes"]) } }
  BEGIN { print "| step | tool | bucket | requests | GET | LIST | PUT | POST | HEAD | DELETE | connections | sent | received |"
    print "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|" }' "$TSV"

if awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i ~ /parse_errors$/) c[i] = 1; next } { for (i in c) if ($i > 0) bad = 1 } END { exit !bad }' "$TSV"; then
  FAILURES+=("a proxy lost track of some connections (parse_errors > 0, logs/proxy-*.log): request counts may be low")
fi
report_end

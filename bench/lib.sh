# shellcheck shell=bash
# Helpers shared by the bench scripts; sourced after `set -Eeuo pipefail` with HERE set to the
# checkout. Each script keeps its own EXIT trap (cleanup) and its own measure function.
die() { echo "bench: ERROR: $*" >&2; exit 1; }
trap 'echo "bench: ERROR: command failed (exit $?) at line $LINENO: $BASH_COMMAND" >&2' ERR
DATASET="$HERE/bench/dataset.py" PROXY="$HERE/bench/http-count-proxy.py" FAILURES=() DROP_OK=1
S3MAIN="$HERE/src/test/java/io/lifeboat/storage/S3MockMain.java"

# bench_workdir: W = $BENCH_DIR (must be absent or empty) or a new dir under /tmp; makes $W/logs.
bench_workdir() {
  if [ -n "${BENCH_DIR:-}" ]; then
    mkdir -p "$BENCH_DIR" && [ -z "$(ls -A "$BENCH_DIR")" ] || die "BENCH_DIR $BENCH_DIR must be absent or empty"
    W="$(cd "$BENCH_DIR" && pwd)"
  else
    W="$(mktemp -d /tmp/lifeboat-bench.XXXXXX)"
  fi
  mkdir -p "$W/logs"
}

# remove_workdir: for the EXIT trap; BENCH_KEEP=1 keeps it.
remove_workdir() { if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "bench: work dir kept: $W" >&2; else rm -rf "$W"; fi; }

drop_caches() { sync; if ! (echo 3 > /proc/sys/vm/drop_caches) 2>/dev/null; then
  [ "$DROP_OK" = 0 ] || echo "bench: WARNING: cannot drop page caches; figures include cache effects" >&2; DROP_OK=0; fi; }

# build_lifeboat: a private copy of the checkout (bin, pom.xml, src/main) in $W/lifeboat, built
# there, so edits to the checkout during the run cannot trigger rebuilds mid-step. Sets LB.
# BENCH_REV=COMMIT (e.g. HEAD) builds that commit (git archive) instead of the working tree.
build_lifeboat() {
  LB="$W/lifeboat/bin/lifeboat"
  if [ -n "${BENCH_REV:-}" ]; then
    mkdir -p "$W/lifeboat" && git -C "$HERE" archive "$BENCH_REV" bin pom.xml src/main | tar -x -C "$W/lifeboat" \
      || die "git archive $BENCH_REV failed"
  else
    mkdir -p "$W/lifeboat/src" && cp -a "$HERE/bin" "$HERE/pom.xml" "$W/lifeboat/" && cp -a "$HERE/src/main" "$W/lifeboat/src/"
  fi
  "$LB" --version > "$W/logs/build.log" 2>&1 || { tail -n 20 "$W/logs/build.log" >&2; die "building the lifeboat copy failed"; }
}

# lifeboat_rev: what build_lifeboat builds, e.g. "2917c10" or "2917c10 + uncommitted changes".
lifeboat_rev() {
  if [ -n "${BENCH_REV:-}" ]; then git -C "$HERE" rev-parse --short "$BENCH_REV^{commit}" || die "BENCH_REV $BENCH_REV is not a commit"
  else local r; r="$(git -C "$HERE" rev-parse --short HEAD 2>/dev/null || echo '?')"
    [ -z "$(git -C "$HERE" status --porcelain -- bin pom.xml src/main 2>/dev/null)" ] || r="$r + uncommitted changes"; echo "$r"; fi
}

dataset() {  # dataset generate|mutate ARGS...: bench/dataset.py, its one-line summary shown and kept in logs/
  if ! python3 "$DATASET" "$@" > "$W/logs/$1.log" 2>&1; then cat "$W/logs/$1.log" >&2; die "dataset.py $1 failed"; fi
  sed 's/^/bench: /' "$W/logs/$1.log" >&2
}

# Restored tree must equal the dataset: content (diff -r) and metadata (type, mode, links, owner, mtime in s).
# check_restore NAME: compares $W/restore-NAME$DATA with $DATA, adds to FAILURES, removes the restore.
meta() { (cd "$1" && find . -printf '%y %m %n %u %P\n' | sort && find . ! -type d -printf '%Ts %P\n' | sort -k2); }
check_restore() {
  local tool=$1 got="$W/restore-$1$DATA" out="$W/logs/$1-restore-check.log"
  [ -d "$got" ] || { FAILURES+=("$tool restore: $got missing"); return; }
  if ! diff -r --no-dereference "$DATA" "$got" > "$out" 2>&1; then
    FAILURES+=("$tool restore: CONTENT MISMATCH (diff -r): $(head -n 3 "$out" | tr '\n' ' ')")
  elif ! diff <(meta "$DATA") <(meta "$got") > "$out"; then
    FAILURES+=("$tool restore: METADATA MISMATCH: $(grep -c '^[<>]' "$out") lines differ, e.g. $(head -n 3 "$out" | tr '\n' ' ')")
  fi
  rm -rf "$W/restore-$tool"
}

# report_failures: the closing lines; exit 2 when any check failed.
report_failures() {
  [ "$DROP_OK" = 1 ] || echo "NOTE: page caches could not be dropped between steps."
  if [ ${#FAILURES[@]} -gt 0 ]; then
    printf '\n!!!!!!!!!! %d PROBLEM(S) !!!!!!!!!!\n' "${#FAILURES[@]}"; printf '!!! %s\n' "${FAILURES[@]}"; exit 2
  fi
}

now() { date +%s.%N; }

# free_port FROM: the first port from FROM on that nothing listens on (nor a PostgreSQL socket
# names) and that this script has not handed out already.
free_port() { local p; for p in $(seq "$1" $(( $1 + 300 ))); do
  [ -z "$(ss -Htln "sport = :$p")" ] && [ ! -e "/tmp/.s.PGSQL.$p" ] && [ ! -e "/var/run/postgresql/.s.PGSQL.$p" ] \
    && [[ " ${TAKEN:-} " != *" $p "* ]] && { TAKEN="${TAKEN:-} $p"; echo "$p"; return; }
  done; die "no free port from $1"; }

# report_end: the raw figures, the notes and the problems that end a comparison; exits 2 on a problem.
report_end() {
  echo; echo "Raw figures ($TSV):"; column -t -s $'\t' "$TSV"
  [ "$DROP_OK" = 1 ] || echo "NOTE: page caches could not be dropped between steps (warm caches)."
  [ ${#NOTES[@]} -eq 0 ] || printf 'NOTE: %s\n' "${NOTES[@]}"
  if [ ${#FAILURES[@]} -gt 0 ]; then
    printf '\n!!!!!!!!!! %d PROBLEM(S) !!!!!!!!!!\n' "${#FAILURES[@]}"; printf '!!! %s\n' "${FAILURES[@]}"; exit 2
  fi
  echo; echo "All restores passed their checks."
}

# ratio_table OTHER LABEL [rss] [SKIP]: the markdown table of $TSV (tool step wall user sys maxrss_kb
# stored_bytes ...), a row per step: OTHER's wall, CPU (user+sys), RSS when asked and stored, then
# Lifeboat's with its ratio to OTHER's; steps matching the regex SKIP are left out.
ratio_table() {
  awk -F'\t' -v other="$1" -v label="$2" -v rss="${3:-}" -v skip="${4:-^$}" '
    NR == 1 || $2 ~ skip { next }
    { k = $1 SUBSEP $2; m["wall" SUBSEP k] = $3; m["cpu" SUBSEP k] = ($4 == "-") ? "-" : $4 + $5
      m["rss" SUBSEP k] = ($6 == "-") ? "-" : $6 / 1024; m["st" SUBSEP k] = ($7 == "-") ? "-" : $7 / 1048576
      if (!($2 in seen)) { seen[$2] = 1; steps[++n] = $2 } }
    function v(c, t, s, f,   k) { k = c SUBSEP t SUBSEP s; return (k in m && m[k] != "-") ? sprintf(f, m[k]) : "-" }
    function lb(c, s, f,   l, p) { l = v(c, "lifeboat", s, f); p = v(c, other, s, "%s")
      return (l == "-" || p == "-" || p + 0 <= 0) ? l : sprintf("%s (%.2f)", l, m[c SUBSEP "lifeboat" SUBSEP s] / p) }
    BEGIN { nc = split(rss == "rss" ? "wall cpu rss st" : "wall cpu st", cols, " ")
      split("wall s|CPU s|RSS MiB|stored MiB", names, "|"); name["wall"] = names[1]; name["cpu"] = names[2]
      name["rss"] = names[3]; name["st"] = names[4]; fmt["wall"] = fmt["cpu"] = "%.2f"; fmt["rss"] = "%.0f"; fmt["st"] = "%.1f" }
    END {
      head = "| step"; rule = "|---"
      for (i = 1; i <= nc; i++) { head = head " | " label " " name[cols[i]]; rule = rule "|--:" }
      for (i = 1; i <= nc; i++) { head = head " | Lifeboat " name[cols[i]]; rule = rule "|--:" }
      print head " |"; print rule "|"
      for (j = 1; j <= n; j++) { s = steps[j]; row = "| " s
        for (i = 1; i <= nc; i++) row = row " | " v(cols[i], other, s, fmt[cols[i]])
        for (i = 1; i <= nc; i++) row = row " | " lb(cols[i], s, fmt[cols[i]])
        print row " |" }
    }' "$TSV"
}

# install_missing PACKAGE...: apt-get installs them (updating the lists once if that fails); none: nothing.
install_missing() {
  [ $# -gt 0 ] || return 0
  echo "bench: installing $* ..." >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null; } \
    || die "apt-get install $* failed"
}

wait_for() {  # wait_for NAME PID LOG PATTERN: until PATTERN is in LOG, at most 3 minutes
  local i
  for ((i = 0; i < 360; i++)); do
    grep -qs "$4" "$3" && return 0
    kill -0 "$2" 2>/dev/null || { tail -n 20 "$3" >&2; die "$1 exited (log above)"; }
    sleep 0.5
  done
  tail -n 20 "$3" >&2; die "$1 not ready after 3 minutes (log above)"
}

# start_s3mock PORT HTTPS_PORT: S3Mock (S3MockMain compiled against the test class path of the
# private copy's pom) in a process of its own, its objects in $W/s3mock/root; sets S3_PID and
# returns once it answers. After build_lifeboat.
start_s3mock() {
  echo "bench: starting S3Mock on port $1 ..." >&2
  mkdir -p "$W/s3mock/classes" "$W/s3mock/root"
  (cd "$W/lifeboat" && mvn -q -B dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$W/s3mock/classpath" \
    > "$W/logs/s3mock-classpath.log" 2>&1) || { tail -n 20 "$W/logs/s3mock-classpath.log" >&2; die "mvn dependency:build-classpath failed"; }
  javac -d "$W/s3mock/classes" -cp "$(cat "$W/s3mock/classpath")" "$S3MAIN" > "$W/logs/s3mock-javac.log" 2>&1 \
    || { cat "$W/logs/s3mock-javac.log" >&2; die "compiling S3MockMain failed"; }
  java -Xmx1g -XX:+UseParallelGC -cp "$W/s3mock/classes:$(cat "$W/s3mock/classpath")" io.lifeboat.storage.S3MockMain \
    "$1" "$2" "$W/s3mock/root" > "$W/logs/s3mock.log" 2>&1 &
  S3_PID=$!
  wait_for S3Mock "$S3_PID" "$W/logs/s3mock.log" "s3mock ready"
}

#!/usr/bin/env bash
# Lifeboat vs restic: wall time, CPU (user+sys), peak RSS and repository size, for
# restic 0.14 (repo v2, --compression auto), lifeboat zstd:3 and lifeboat gzip:6, over the steps
#   backup 1 (initial), backup 2 (unchanged), backup 3 (after one `bench/dataset.py mutate` "day"),
#   restore latest (checked against the dataset), verify --read-data / restic check --read-data.
# All tools see identical data at every step: every tool does backups 1+2, the dataset is mutated
# once, then every tool does backup 3, restore and verify. Page caches are dropped before each step
# (needs root; otherwise a warning). Prints a Markdown table (restic absolute, lifeboat as ratios to
# restic) and writes the raw figures to $BENCH_DIR/results.tsv.
#
# Run:   bench/repository-vs-restic.sh
# Env:   BENCH_SIZE (default 1G), BENCH_DIR (default: a new dir under /tmp; must be absent or empty),
#        BENCH_KEEP=1 keeps the work dir, LIFEBOAT_JAVA_OPTS is passed through to bin/lifeboat.
# Lifeboat is run through bin/lifeboat from a private copy of this checkout (bin, pom.xml, src/main)
# built in the work dir, so edits to the checkout during the run cannot trigger rebuilds mid-step.
# Needs: restic, python3, GNU time (/usr/bin/time), maven. Exit status non-zero on any error or mismatch.
set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$HERE/bench/lib.sh"  # die, bench_workdir, drop_caches, build_lifeboat, dataset, check_restore
SIZE="${BENCH_SIZE:-1G}"
TOOLS=(restic lb-zstd lb-gzip6)
for c in restic python3 /usr/bin/time; do command -v "$c" >/dev/null || die "$c not found (apt-get install -y restic python3 time)"; done
[ -f "$DATASET" ] || die "$DATASET not found"

bench_workdir
trap remove_workdir EXIT
DATA="$W/data" TSV="$W/results.tsv"
export LIFEBOAT_PASSWORD=bench-passphrase RESTIC_PASSWORD=bench-passphrase RESTIC_CACHE_DIR="$W/restic-cache"
printf 'tool\tstep\twall_s\tuser_s\tsys_s\tmaxrss_kb\trepo_bytes\n' > "$TSV"

repo() { echo "$W/repo-$1"; }

# measure TOOL STEP CMD...: one timed run of CMD, appended to the TSV (repo size only after backups).
measure() {
  local tool=$1 step=$2 log="$W/logs/$1-$2.log"; shift 2
  drop_caches
  echo "bench: $tool $step ..." >&2
  if ! /usr/bin/time -f '%e %U %S %M' -o "$W/time.out" "$@" > "$log" 2>&1; then
    tail -n 20 "$log" >&2; die "$tool $step failed: $* (log above)"
  fi
  local e u s m size=-; read -r e u s m < <(tail -n 1 "$W/time.out")
  case $step in backup*) size=$(du -sb "$(repo "$tool")" | cut -f1) ;; esac
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$step" "$e" "$u" "$s" "$m" "$size" >> "$TSV"
}

run() {  # run TOOL STEP: the tool's command for that step, measured
  local tool=$1 step=$2 r; r=$(repo "$1")
  case $tool:$step in
    restic:backup*)   measure "$@" restic backup --repo "$r" --compression auto "$DATA" ;;
    restic:restore)   measure "$@" restic restore --repo "$r" latest --target "$W/restore-$tool" ;;
    restic:verify)    measure "$@" restic check --repo "$r" --read-data ;;
    lb-*:backup*)     measure "$@" "$LB" backup --repo "$r" "$DATA" ;;
    lb-*:restore)     measure "$@" "$LB" restore --repo "$r" latest --target "$W/restore-$tool" ;;
    lb-*:verify)      measure "$@" "$LB" verify --repo "$r" --read-data ;;
  esac
}

echo "bench: work dir $W, size $SIZE, lifeboat $(git -C "$HERE" describe --always --dirty 2>/dev/null || echo '?'), $(restic version | cut -d' ' -f1-2)" >&2
build_lifeboat
dataset generate "$DATA" --size "$SIZE"
restic init --repo "$(repo restic)" --repository-version 2 > "$W/logs/restic-init.log" 2>&1 || die "restic init failed"
"$LB" init --repo "$(repo lb-zstd)" --compression zstd:3 > "$W/logs/lb-zstd-init.log" 2>&1 || die "lifeboat init (zstd) failed"
"$LB" init --repo "$(repo lb-gzip6)" --compression gzip:6 > "$W/logs/lb-gzip6-init.log" 2>&1 || die "lifeboat init (gzip) failed"

for t in "${TOOLS[@]}"; do run "$t" backup1; run "$t" backup2; done
dataset mutate "$DATA"
for t in "${TOOLS[@]}"; do run "$t" backup3; run "$t" restore; check_restore "$t"; run "$t" verify; done

# Markdown table: restic absolute; lifeboat figures as ratios to restic (<1 = lifeboat smaller/faster).
awk -F'\t' -v data="$(du -sb "$DATA" | cut -f1)" -v files="$(find "$DATA" -type f | wc -l)" '
  NR == 1 { next }
  { k = $1 SUBSEP $2; wall[k] = $3; cpu[k] = $4 + $5; rss[k] = $6; repo[k] = $7; if (!($2 in seen)) { seen[$2] = 1; steps[++n] = $2 } }
  function r(a, t, s) { return (a["restic" SUBSEP s] != "-" && a["restic" SUBSEP s] > 0 && a[t SUBSEP s] != "-") ? sprintf("%.2f", a[t SUBSEP s] / a["restic" SUBSEP s]) : "-" }
  function mib(x) { return x == "-" ? "-" : sprintf("%.1f", x / 1048576) }
  END {
    printf "Dataset: %.1f MiB after mutation, %d files. lifeboat columns are ratios to restic.\n\n", data / 1048576, files
    print "| step | restic wall s | restic CPU s | restic RSS MiB | restic repo MiB | zstd wall | zstd CPU | zstd RSS | zstd repo | gzip6 wall | gzip6 CPU | gzip6 RSS | gzip6 repo |"
    print "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
    for (i = 1; i <= n; i++) { s = steps[i]; k = "restic" SUBSEP s
      line = sprintf("| %s | %.2f | %.2f | %.0f | %s |", s, wall[k], cpu[k], rss[k] / 1024, mib(repo[k]))
      for (j = 1; j <= 2; j++) { t = j == 1 ? "lb-zstd" : "lb-gzip6"
        line = line sprintf(" %s | %s | %s | %s |", r(wall, t, s), r(cpu, t, s), r(rss, t, s), r(repo, t, s)) }
      print line }
  }' "$TSV"
echo; echo "Raw figures ($TSV):"; column -t -s $'\t' "$TSV"
report_failures
echo; echo "All restores matched the dataset."

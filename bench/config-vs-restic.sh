#!/usr/bin/env bash
# Configuration backup: Lifeboat's `config` flow vs restic 0.14 on the dataset's config/ tree (many
# small yaml/json/conf/pem-like files) plus an application .env and a Kubernetes Secret holding
# secrets. Steps: first backup, unchanged backup, backup after a day of changes (bench/dataset.py
# mutate), diff of the two backups, restore into a directory (checked against the tree). Lifeboat
# runs as the service (`bin/lifeboat serve`, its own ports) driven by `bin/lifeboat config ...`;
# its CPU is the service's and the command's together. Prints a Markdown table of wall time, CPU
# and repository growth, Lifeboat as ratios to restic, and how many secret values Lifeboat sealed.
#
# Run:   bench/config-vs-restic.sh          (BENCH_SIZE, default 1G: config/ is ~5 % of it)
# Needs: restic, python3, jq, curl, GNU time (apt-get install -y restic jq curl time), maven.
set -Eeuo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
. "$HERE/bench/lib.sh"  # die, bench_workdir, remove_workdir, drop_caches, build_lifeboat, dataset, now, free_port
SIZE=${BENCH_SIZE:-1G}
for c in restic python3 jq curl /usr/bin/time; do command -v "$c" >/dev/null || die "$c not found (apt-get install -y restic python3 jq curl time)"; done
bench_workdir
SERVE_PID=
cleanup() {
  if [ -n "$SERVE_PID" ]; then kill "$SERVE_PID" 2>/dev/null || true; wait "$SERVE_PID" 2>/dev/null || true; fi
  remove_workdir
}
trap cleanup EXIT
export RESTIC_PASSWORD=bench-passphrase RESTIC_CACHE_DIR="$W/restic-cache"
RESTIC_REPO="$W/restic-repo" LB_REPO="$W/lb-repo" CONF="$W/conf"
echo "bench: work dir $W, dataset $SIZE, lifeboat $(git -C "$HERE" describe --always --dirty 2>/dev/null || echo '?'), $(restic version | cut -d' ' -f1-2), $(nproc) cores" >&2

build_lifeboat
cp -a "$HERE/routes" "$W/lifeboat/"
dataset generate "$W/data" --size "$SIZE"
DATA="$W/data/config"
printf 'APP_PORT=8080\nDB_HOST=db.internal\nDB_PASSWORD=bench-S3cret-password\nAPI_TOKEN="bench-token-7f3a9c"\n' > "$DATA/.env"
printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: camera-db\ndata:\n  password: YmVuY2gtc2VjcmV0\n' > "$DATA/secret.yaml"
FILES=$(find "$DATA" -type f | wc -l) BYTES=$(du -sb "$DATA" | cut -f1)

HTTP_PORT=$(free_port $(( 18500 + RANDOM % 500 ))) MGMT_PORT=$(free_port $(( HTTP_PORT + 1 )))
mkdir -p "$CONF" "$W/restores" "$W/alerts"
printf 'camel.server.port = %s\ncamel.management.port = %s\nlifeboat.alerts-dir = %s\n' "$HTTP_PORT" "$MGMT_PORT" "$W/alerts" \
  > "$CONF/application.properties"
cat > "$CONF/lifeboat.yaml" <<EOF
repository: { path: $LB_REPO, passwordFile: $W/repository.password, create: true, compression: zstd:3 }
catalog: { url: 'jdbc:h2:file:$W/catalog/lifeboat;AUTO_SERVER=TRUE' }
configs:
  - { name: bench, kind: system, paths: [$DATA], schedule: "0 0 3 1 1 ?" }
configKey: { file: $W/config.key }
dropFolder: { enabled: false }
recovery: { roots: [$W/restores], drills: { enabled: false } }
EOF
LIFEBOAT_JAVA_OPTS="${LIFEBOAT_JAVA_OPTS:--Xmx512m}" "$W/lifeboat/bin/lifeboat" serve --config "$CONF" > "$W/logs/serve.log" 2>&1 &
SERVE_PID=$!
for i in $(seq 360); do
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/api/v1/backup/status" 2>/dev/null || true)
  [ "$code" = 401 ] && break
  kill -0 "$SERVE_PID" 2>/dev/null || { tail -n 30 "$W/logs/serve.log" >&2; die "the service exited (log above)"; }
  [ "$i" -lt 360 ] || die "the service does not answer after 3 minutes"
  sleep 0.5
done
LIFEBOAT_TOKEN=$("$LB" token create --role Admin --config "$CONF" 2> "$W/logs/token.log" | head -n 1) || true
[ -n "$LIFEBOAT_TOKEN" ] || { cat "$W/logs/token.log" >&2; die "token create failed"; }
export LIFEBOAT_TOKEN
URL=(--url "http://127.0.0.1:$HTTP_PORT")
restic init --repo "$RESTIC_REPO" --repository-version 2 > "$W/logs/restic-init.log" 2>&1 || die "restic init failed"

# CPU seconds (user+sys) of a process so far, from /proc (clock ticks)
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }
# measure TOOL STEP CMD...: wall, CPU (the command's, plus the service's for lifeboat) and repository growth
declare -A WALL CPU GROW
measure() {
  local tool=$1 step=$2; shift 2
  local repo=$RESTIC_REPO s0 c0 t0 out="$W/logs/$tool-${step// /-}.log"
  [ "$tool" = lifeboat ] && repo=$LB_REPO
  drop_caches
  s0=$(du -sb "$repo" | cut -f1) c0=$([ "$tool" = lifeboat ] && cpu_of "$SERVE_PID" || echo 0) t0=$(now)
  /usr/bin/time -f '%U %S' -o "$W/logs/time" "$@" > "$out" 2>&1 || { cat "$out" >&2; die "$tool $step failed"; }
  WALL[$tool,$step]=$(awk -v a="$(now)" -v b="$t0" 'BEGIN { printf "%.2f", a - b }')
  CPU[$tool,$step]=$(awk -v t="$(cat "$W/logs/time")" -v c1="$([ "$tool" = lifeboat ] && cpu_of "$SERVE_PID" || echo 0)" \
    -v c0="$c0" 'BEGIN { split(t, x, " "); printf "%.2f", x[1] + x[2] + c1 - c0 }')
  GROW[$tool,$step]=$(( $(du -sb "$repo" | cut -f1) - s0 ))
  echo "bench: $tool $step: ${WALL[$tool,$step]} s" >&2
}

STEPS=("first backup" "unchanged backup" "backup after a day" "diff of the two" "restore")
measure restic "first backup" restic backup --repo "$RESTIC_REPO" --compression auto "$DATA"
measure lifeboat "first backup" "$LB" config backup --source bench "${URL[@]}"
FIRST=$("$LB" config list --source bench --json "${URL[@]}" | jq -r '.backups[0].snapshot')
measure restic "unchanged backup" restic backup --repo "$RESTIC_REPO" --compression auto "$DATA"
measure lifeboat "unchanged backup" "$LB" config backup --source bench "${URL[@]}"
dataset mutate "$W/data"
measure restic "backup after a day" restic backup --repo "$RESTIC_REPO" --compression auto "$DATA"
measure lifeboat "backup after a day" "$LB" config backup --source bench "${URL[@]}"
R1=$(restic snapshots --repo "$RESTIC_REPO" --json | jq -r '.[0].id') R3=$(restic snapshots --repo "$RESTIC_REPO" --json | jq -r '.[-1].id')
measure restic "diff of the two" restic diff --repo "$RESTIC_REPO" "$R1" "$R3"
measure lifeboat "diff of the two" "$LB" config diff --source bench --from "$FIRST" --to latest "${URL[@]}"
measure restic "restore" restic restore --repo "$RESTIC_REPO" latest --target "$W/restore-restic"
measure lifeboat "restore" "$LB" config restore --source bench --target "$W/restores/lifeboat" --yes "${URL[@]}"

# both restores hold the tree's content exactly
for got in "$W/restore-restic$DATA" "$W/restores/lifeboat$DATA"; do
  diff -r --no-dereference "$DATA" "$got" > "$W/logs/check.log" 2>&1 || FAILURES+=("restore $got differs: $(head -n 3 "$W/logs/check.log" | tr '\n' ' ')")
done
SEALED=$("$LB" config list --source bench --json "${URL[@]}" | jq '[.backups[-1].items[].secretsSealed] | add')
LISTED=$("$LB" config list --source bench "${URL[@]}"; "$LB" config diff --source bench --from "$FIRST" --to latest "${URL[@]}")
for secret in bench-S3cret-password bench-token-7f3a9c YmVuY2gtc2VjcmV0; do
  if { echo "$LISTED"; cat "$W/logs/serve.log"; } | grep -q "$secret"; then FAILURES+=("secret $secret shown in the clear"); fi
done

echo
echo "Configuration tree: $FILES files, $(awk -v b="$BYTES" 'BEGIN { printf "%.1f", b / 1048576 }') MiB; Lifeboat sealed $SEALED secret values. Lifeboat columns are ratios to restic (<1: Lifeboat faster or smaller)."
echo
echo "| step | restic wall s | restic CPU s | restic repo growth KiB | Lifeboat wall | Lifeboat CPU | Lifeboat repo growth |"
echo "|---|--:|--:|--:|--:|--:|--:|"
for s in "${STEPS[@]}"; do
  awk -v s="$s" -v rw="${WALL[restic,$s]}" -v rc="${CPU[restic,$s]}" -v rg="${GROW[restic,$s]}" -v lw="${WALL[lifeboat,$s]}" \
      -v lc="${CPU[lifeboat,$s]}" -v lg="${GROW[lifeboat,$s]}" 'function r(a, b) { return b > 0 ? sprintf("%.2f", a / b) : "-" }
    BEGIN { printf "| %s | %.2f | %.2f | %d | %s | %s | %s |\n", s, rw, rc, rg / 1024, r(lw, rw), r(lc, rc), r(lg, rg) }'
done
{ for s in "${STEPS[@]}"; do for t in restic lifeboat; do
  printf '%s\t%s\t%s\t%s\t%s\n' "$t" "$s" "${WALL[$t,$s]}" "${CPU[$t,$s]}" "${GROW[$t,$s]}"; done; done; } > "$W/results.tsv"
report_failures

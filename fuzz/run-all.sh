#!/usr/bin/env bash
# Runs every fuzz target (or the TARGETs given) for SECONDS each (default 60), one after
# another and one job at a time, and prints a table of executions per target. Logs go to
# fuzz/logs/<target>.log, new corpus entries to fuzz/corpus/<target>/, crashes to
# fuzz/artifacts/<target>/.
#
#   fuzz/seed.sh && fuzz/run-all.sh 60
#   fuzz/run-all.sh 120 archive manifests      # only these targets
#
# Stable toolchain: `-s none` (no sanitizer) needs no nightly flag. CARGO_TARGET_DIR, when set,
# is used as the fuzz build's target directory.
set -uo pipefail
cd "$(dirname "$0")/.."
per_target=${1:-60}
shift || true
target_dir=${CARGO_TARGET_DIR:-fuzz/target}
mkdir -p fuzz/logs
cargo fuzz build -s none --target-dir "$target_dir" || exit 2
total=0
failed=0
printf '%-14s %8s %12s %10s\n' target seconds executions exec/s
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo fuzz list)
for target in "${targets[@]}"; do
    log="fuzz/logs/$target.log"
    cargo fuzz run -s none --target-dir "$target_dir" "$target" -- \
        -max_total_time="$per_target" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
        >"$log" 2>&1
    status=$?
    execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
    rate=$(awk '/stat::average_exec_per_sec/ {print $2}' "$log")
    printf '%-14s %8s %12s %10s' "$target" "$per_target" "${execs:-?}" "${rate:-?}"
    if [ "$status" -ne 0 ]; then
        printf '  FAILED (exit %s, see %s)' "$status" "$log"
        failed=$((failed + 1))
    fi
    printf '\n'
    total=$((total + ${execs:-0}))
done
echo "total executions: $total; targets failed: $failed"
[ "$failed" -eq 0 ]

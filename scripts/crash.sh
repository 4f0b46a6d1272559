#!/bin/sh
# crash.sh: kill triage import, sync and serve with SIGKILL at seeded random moments
# (50 runs each unless CRASH_RUNS says otherwise) and print the figures.
#   CRASH_RUNS=50 CRASH_SEED=1 scripts/crash.sh
set -eu
cd "$(dirname "$0")/.."
export CRASH_RUNS="${CRASH_RUNS:-50}"
export CRASH_SEED="${CRASH_SEED:-1}"
echo "crash: runs=$CRASH_RUNS seed=$CRASH_SEED"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
go test -count=1 -v -timeout 60m ./tests/crashtest/ >"$log" 2>&1 || status=$?
grep -E '^\s+\S+_test\.go:[0-9]+: |^(--- |ok |FAIL|PASS)' "$log" | sed -E 's/^\s+\S+_test\.go:[0-9]+: /  /'
if [ "$status" -ne 0 ]; then
	echo "crash: FAILED (seed $CRASH_SEED); full output:"
	cat "$log"
fi
exit "$status"

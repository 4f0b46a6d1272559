#!/usr/bin/env bash
# fuzz.sh: run every fuzz target in turn for FUZZ_TIME each (default 75s) and print the
# executions and findings; failing inputs land in the package's testdata/fuzz.
#   FUZZ_TIME=5m scripts/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."
t="${FUZZ_TIME:-75s}"
status=0
for pkg in $(go list ./...); do
	dir=$(go list -f '{{.Dir}}' "$pkg")
	for f in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
		echo "== $pkg $f ($t)"
		if ! go test "$pkg" -run '^$' -fuzz "^$f\$" -fuzztime "$t" 2>&1 | grep -E 'elapsed:.*execs|^(ok|FAIL|---)' | tail -2; then
			status=1
		fi
	done
done
exit "$status"

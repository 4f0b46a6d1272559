#!/usr/bin/env bash
# soak.sh: two UIs and a sync on one database for SOAK_SECONDS (default 600), and the
# size limits at full size (a 100k-message conversation).
#   SOAK_SECONDS=600 scripts/soak.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export SOAK_SECONDS="${SOAK_SECONDS:-600}" SIZE_FULL=1
go test -count=1 -v -timeout 60m ./tests/soaktest/ 2>&1 | grep -E '_test\.go:[0-9]+: |^(--- |ok |FAIL|PASS)'

#!/usr/bin/env bash
# The benchmark suite on a fresh machine: set up like CI (plus wrk), then run it.
# Writes bench/results/latest.{md,json}; arguments go to bench/run.py (e.g. --repeat 5, --only app).
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/setup wrk
exec python3 bench/run.py "$@"

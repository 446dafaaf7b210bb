#!/usr/bin/env bash
# Load test of docs/load-test.md: 50 dashboard users (locust) while ingest runs at 5,000 messages/s.
#
#   IOC_DATABASE_URL=postgresql://.../ioc_load IOC_REDIS_URL=redis://127.0.0.1:6379/12 \
#       benchmarks/load_test.sh [--users 50] [--seconds 60] [--rate 5000] [--workers 4] [--threads 4] [--collectors 1]
#           [--web-nice 10] [--login-parallel 2] [--mqtt-url mqtt://...  (default: a private Mosquitto)]
#
# The database must hold the demo data (catalog, areas, history): see docs/load-test.md, "Preparing".
# The users sign in first (timed apart); gunicorn and locust run under nice -n 10 (ingest first).
# Prints JSON: p50/p95/p99 per page and per request, login times, and the ingest rate held during the load.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${IOC_PYTHON:-$here/../.venv/bin/python}"
exec "$python" "$here/load_test.py" "$@"

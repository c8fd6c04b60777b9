#!/usr/bin/env bash
# Fuzzes the JSON API against its OpenAPI document with Schemathesis, signed in as admin, on a
# demo county in a scratch data directory: no 500s, and every answer (status, content type,
# headers, body) is one the document describes.
#
#   scripts/schemathesis.sh [path/to/yiyang]      (builds target/debug/yiyang when not given)
#
# Environment: SCHEMATHESIS_MAX_EXAMPLES (default 40), SCHEMATHESIS_SEED (default: random; the
# seed is printed so a failing run can be repeated exactly), SCHEMATHESIS_PHASES.
# Business-rule refusals ("that organization does not exist") are answers the document lists, so
# positive_data_acceptance is not checked. `/auth/logout` is left out (it would end the run's own
# session) and the SSE stream `/alerts/stream` gets a bounded check of its own below (a fuzzer
# waiting on a stream that never ends would only time out).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v schemathesis >/dev/null || {
  echo "schemathesis is not installed: pip install schemathesis" >&2
  exit 1
}

scratch=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$scratch"
}
trap cleanup EXIT

if [ $# -ge 1 ]; then
  binary=$1
else
  cargo build -p yiyang --locked --quiet
  binary=${CARGO_TARGET_DIR:-target}/debug/yiyang
fi
# A copy: a later build in a shared target directory must not swap the program under the server.
cp "$binary" "$scratch/yiyang"

password=${YIYANG_ADMIN_PASSWORD:-schemathesis-$RANDOM-pass}
YIYANG_ADMIN_PASSWORD=$password "$scratch/yiyang" serve --data-dir "$scratch/data" \
  --demo --demo-elders 500 --mqtt-url off --listen 127.0.0.1:0 >"$scratch/server.log" 2>&1 &
server_pid=$!
base=""
for _ in $(seq 1 600); do
  base=$(sed -n 's/.*yiyang listening on \(http:\/\/[^ ]*\).*/\1/p' "$scratch/server.log" | head -n 1)
  [ -n "$base" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$scratch/server.log" >&2; exit 1; }
  sleep 0.2
done
[ -n "$base" ] || { echo "the server did not start within 120 s" >&2; cat "$scratch/server.log" >&2; exit 1; }

token=$(curl -fsS -H 'Content-Type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$password\"}" "$base/api/v1/auth/login" |
  sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[ -n "$token" ] || { echo "signing in as admin failed" >&2; exit 1; }

status=0

# The SSE stream, bounded: open it, acknowledge an open alert, and check what arrived in the next
# seconds against the document.
auth=(-H "Authorization: Bearer $token")
curl -fsS "$base/api/v1/openapi.json" >"$scratch/openapi.json"
curl -sS -N --max-time 4 "${auth[@]}" "$base/api/v1/alerts/stream" >"$scratch/stream.txt" 2>/dev/null &
stream_pid=$!
sleep 1
alert=$(curl -fsS "${auth[@]}" "$base/api/v1/alerts?status=open&per_page=1" |
  sed -n 's/^{"items":\[{"id":"\([^"]*\)".*/\1/p')
[ -n "$alert" ] && curl -fsS -o /dev/null -X POST "${auth[@]}" "$base/api/v1/alerts/$alert/acknowledge"
wait "$stream_pid" || true
python3 scripts/sse_conformance.py "$scratch/openapi.json" "$scratch/stream.txt" || status=1

seed=${SCHEMATHESIS_SEED:-$RANDOM$RANDOM}
max_examples=${SCHEMATHESIS_MAX_EXAMPLES:-40}
phases=${SCHEMATHESIS_PHASES:-examples,coverage,fuzzing,stateful}
started=$(date +%s)
# From the scratch directory: Schemathesis keeps its example database in the working directory.
(cd "$scratch" && schemathesis run "$base/api/v1/openapi.json" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
  --exclude-path /auth/logout --exclude-path /alerts/stream \
  "${auth[@]}" \
  --phases "$phases" --max-examples "$max_examples" --seed "$seed" \
  --workers 2 --request-timeout 10 --no-color \
  --suppress-health-check too_slow,filter_too_much \
  --warnings off) || status=$?
echo "schemathesis: $(($(date +%s) - started)) s (seed $seed, $max_examples examples per operation)"

if ! kill -0 "$server_pid" 2>/dev/null; then
  echo "FAIL the server stopped during the run:" >&2
  tail -n 50 "$scratch/server.log" >&2
  status=1
fi
if grep -q 'panicked' "$scratch/server.log"; then
  echo "FAIL the server panicked:" >&2
  grep -A5 'panicked' "$scratch/server.log" | head -n 40 >&2
  status=1
fi

if [ "$status" -ne 0 ]; then
  cat >&2 <<EOF

To reproduce: SCHEMATHESIS_SEED=$seed SCHEMATHESIS_MAX_EXAMPLES=$max_examples SCHEMATHESIS_PHASES=$phases scripts/schemathesis.sh
(each failure above also prints the curl command that shows it against a server started with
 yiyang serve --demo --demo-elders 500 --mqtt-url off).
EOF
fi
exit "$status"

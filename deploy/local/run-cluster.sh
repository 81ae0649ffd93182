#!/usr/bin/env bash
# Runs a local multi-process WellWon cluster for development and demos:
#   a private PostgreSQL server (membership table and grain state; or WELLWON_PG to use an existing one),
#   SILOS silo processes (src/Silo) on ports BASE_PORT.., and the API host (src/Api) as a cluster client.
# Ctrl-C stops everything. See docs/local-cluster.md.
set -euo pipefail

SILOS=${SILOS:-3}
BASE_PORT=${BASE_PORT:-11111}
API_URL=${API_URL:-http://localhost:5000}
CLUSTER_ID=${CLUSTER_ID:-local}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/wellwon-local-XXXXXX)
PIDS=()

CLEANED=0
cleanup() {
  [[ $CLEANED -eq 1 ]] && return
  CLEANED=1
  echo "==> stopping"
  # SIGTERM lets silos leave the cluster gracefully; anything still alive after 20 s is killed.
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 40); do
    alive=0
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [[ $alive -eq 0 ]] && break
    sleep 0.5
  done
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  if [[ -n "${PG_DATA:-}" ]]; then
    run_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" stop -m fast >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

run_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

if [[ -z "${WELLWON_PG:-}" ]]; then
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [[ -x "$PG_BIN/initdb" ]] || { echo "PostgreSQL binaries not found; install postgresql or set WELLWON_PG" >&2; exit 1; }
  PG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  PG_DATA="$WORK/pg"
  mkdir -p "$PG_DATA"
  [[ $(id -u) -eq 0 ]] && chown -R postgres "$WORK"
  echo "==> starting PostgreSQL on 127.0.0.1:$PG_PORT"
  run_pg "$PG_BIN/initdb" -D "$PG_DATA" -A trust -U postgres >/dev/null
  run_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/log" -o "-p $PG_PORT -k $PG_DATA -c listen_addresses=127.0.0.1 -c fsync=off" -w start >/dev/null
  WELLWON_PG="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres"
fi

echo "==> building"
for project in src/Silo src/Api; do
  dotnet build -c Release "$ROOT/$project" -v quiet -nologo >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; exit 1; }
done

for ((i = 0; i < SILOS; i++)); do
  port=$((BASE_PORT + i))
  echo "==> silo$i on 127.0.0.1:$port"
  dotnet "$ROOT/src/Silo/bin/Release/net10.0/WellWon.Silo.dll" \
    --WellWon:Silo:ClusterId="$CLUSTER_ID" --WellWon:Silo:SiloName="silo$i" \
    --WellWon:Cluster:Port="$port" --WellWon:Postgres:ConnectionString="$WELLWON_PG" \
    >"$WORK/silo$i.log" 2>&1 &
  PIDS+=($!)
done

echo "==> API (cluster client) on $API_URL"
# Development: the API generates its token signing key under ~/.wellwon on first start; production sets WellWon:Auth:SigningKey.
ASPNETCORE_ENVIRONMENT=Development dotnet "$ROOT/src/Api/bin/Release/net10.0/WellWon.Api.dll" --urls "$API_URL" \
  --WellWon:Silo:ClusterId="$CLUSTER_ID" --WellWon:Postgres:ConnectionString="$WELLWON_PG" \
  >"$WORK/api.log" 2>&1 &
PIDS+=($!)

echo "==> logs in $WORK; waiting for $API_URL/health/ready"
ready=0
for _ in $(seq 1 120); do
  if curl -fsS "$API_URL/health/ready" >/dev/null 2>&1; then
    ready=1
    echo "==> ready: open $API_URL (Ctrl-C to stop)"
    break
  fi
  sleep 1
done
if [[ $ready -ne 1 ]]; then
  echo "==> not ready after 120 s; last lines of the logs:" >&2
  tail -n 5 "$WORK"/*.log >&2
  exit 1
fi
# Runs until Ctrl-C or until any process exits (then everything is stopped).
wait -n "${PIDS[@]}" || true
echo "==> a process exited; see $WORK" >&2

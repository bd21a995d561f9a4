#!/usr/bin/env bash
# Airflow for local use: `airflow standalone` (scheduler, API server and UI, triggerer, dag processor) on
# SQLite, with this project's DAGs and no example DAGs. Prints the URL and the login once the UI answers.
# Stop it with Ctrl-C. Environment: CDP_HOME (default ./cdp_home), AIRFLOW_HOME (default
# $CDP_HOME/airflow), AIRFLOW_HOST (default 127.0.0.1), AIRFLOW_PORT (default 8080).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bin="${VENV_BIN:-$root/.venv/bin}"
cdp_home="${CDP_HOME:-cdp_home}"
mkdir -p "$cdp_home"
# Absolute, because task processes may not start in this directory.
export CDP_HOME="$(cd "$cdp_home" && pwd)"
export AIRFLOW_HOME="${AIRFLOW_HOME:-$CDP_HOME/airflow}"
mkdir -p "$AIRFLOW_HOME"
export AIRFLOW_HOME="$(cd "$AIRFLOW_HOME" && pwd)"
host="${AIRFLOW_HOST:-127.0.0.1}"
port="${AIRFLOW_PORT:-8080}"
url="http://$host:$port"

export AIRFLOW__CORE__DAGS_FOLDER="$root/dags"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="sqlite:///$AIRFLOW_HOME/airflow.db"
export AIRFLOW__API__HOST="$host"
export AIRFLOW__API__PORT="$port"
# Task processes reach the API server at this address; it must match the port.
export AIRFLOW__API__BASE_URL="$url"
# Task processes run Spark from this environment: pyspark, java, spark-submit.
export PATH="$bin:$PATH"
password_file="$AIRFLOW_HOME/simple_auth_manager_passwords.json.generated"

announce() {
    "$bin/python" - "$url" "$password_file" <<'PY'
import json, sys, time, urllib.request
from pathlib import Path

url, password_file = sys.argv[1], Path(sys.argv[2])
for _ in range(900):
    try:
        with urllib.request.urlopen(f"{url}/api/v2/monitor/health", timeout=5) as response:
            ready = response.status == 200 and password_file.is_file()
    except OSError:
        ready = False
    if ready:
        password = json.loads(password_file.read_text()).get("admin", "(see the file)")
        print(f"\n  Airflow is ready: {url}\n  login: admin / {password}   (stored in {password_file})\n",
              flush=True)
        break
    time.sleep(2)
PY
}

echo "Starting Airflow standalone: AIRFLOW_HOME=$AIRFLOW_HOME, DAGs from $AIRFLOW__CORE__DAGS_FOLDER," \
     "data in CDP_HOME=$CDP_HOME. The first start takes a minute or two."
announce &
exec "$bin/airflow" standalone

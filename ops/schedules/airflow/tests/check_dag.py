"""Parses the DAG file with ast (no Airflow needed), imports it against the stub airflow package
beside this file, renders its command with the Variables and interval it names, and prints a JSON
summary for RetrainScheduleTest. Run: python3 ops/schedules/airflow/tests/check_dag.py"""

import ast
import json
import os
import re
import runpy
import sys
from datetime import datetime, timezone

here = os.path.dirname(os.path.abspath(__file__))
dag_file = os.path.join(os.path.dirname(here), "beamml_retrain_dag.py")
with open(dag_file, encoding="utf-8") as f:
    tree = ast.parse(f.read(), filename=dag_file)
imports = sorted({n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)})

sys.path.insert(0, os.path.join(here, "stub"))
module = runpy.run_path(dag_file)
dag = module["dag"]

variables = {"beamml_home": "/opt/beamml", "beamml_data": "gs://b/data", "beamml_registry": "gs://b/registry",
             "beamml_work": "gs://b/work", "beamml_hmac_key_file": "/secrets/hmac.key"}


def render(template):
    """The subset of Jinja the command uses: var.value.NAME, var.value.get(NAME, DEFAULT), the interval end."""
    end = datetime(2026, 1, 15, 3, 0, tzinfo=timezone.utc)
    out = re.sub(r"\{\{ var\.value\.get\('(\w+)', ([^)]+)\) \}\}", lambda m: variables.get(m.group(1), m.group(2)), template)
    out = re.sub(r"\{\{ var\.value\.(\w+) \}\}", lambda m: variables[m.group(1)], out)
    out = out.replace("{{ data_interval_end.strftime('%Y-%m-%dT%H:%M:%SZ') }}", end.strftime("%Y-%m-%dT%H:%M:%SZ"))
    out = out.replace("{{ dag.dag_id }}", dag.dag_id).replace("{{ run_id }}", "scheduled__2026-01-14T03:00:00+00:00")
    left = re.findall(r"\{\{.*?\}\}", out)
    if left:
        raise SystemExit("unrendered template: " + ", ".join(left))
    return out


print(json.dumps({
    "imports": imports,
    "dag_id": dag.dag_id,
    "schedule": dag.schedule,
    "catchup": dag.catchup,
    "max_active_runs": dag.max_active_runs,
    "retries": dag.default_args.get("retries"),
    "tasks": [{"task_id": t.task_id, "command": render(t.bash_command), "skip_on_exit_code": t.skip_on_exit_code}
              for t in dag.tasks],
}))

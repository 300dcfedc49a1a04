"""Nightly retrain of the beamml promotion-response model.

One task runs ``./pipeline retrain`` on the machine (or worker image) that has the beamml checkout:
the training set of the last ``beamml_window_days`` days up to the end of the data interval, a new
model version, and the promotion gate against the current champion on that set's test split.

Exit codes (see the README, "Exit codes" and "Retraining"):
  0  promoted: the alias moved to the new version (the alias history records it)
  3  the gate refused: the version stays registered, the refusal is in the alias history; the task
     is marked skipped, not failed
  75 another writer moved the alias meanwhile: a failure Airflow retries, and the retry decides
     against the new holder
  any other code fails the task (2 usage, 4 input missing, 5 output refused, 7 unbalanced, 1 runtime)

Airflow Variables: beamml_home (the checkout), beamml_data (input root), beamml_registry (local path
or gs://), beamml_work (training-set output, replaced every run), beamml_hmac_key_file, and
optionally beamml_window_days (default 28) and beamml_min_auc (default 0.6).
"""

from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator

PROMOTION_REFUSED = 3

RETRAIN = (
    "cd {{ var.value.beamml_home }} && ./pipeline retrain"
    " --clicks='{{ var.value.beamml_data }}/clicks/*.jsonl'"
    " --sales='{{ var.value.beamml_data }}/sales/*.csv'"
    " --profiles='{{ var.value.beamml_data }}/profiles/*.csv'"
    " --responses='{{ var.value.beamml_data }}/responses/*.csv'"
    " --hmacKeyFile={{ var.value.beamml_hmac_key_file }}"
    " --registry={{ var.value.beamml_registry }}"
    " --modelName=promo --alias=champion"
    " --trainingWindowDays={{ var.value.get('beamml_window_days', 28) }}"
    " --asOf={{ data_interval_end.strftime('%Y-%m-%dT%H:%M:%SZ') }}"
    " --minAuc={{ var.value.get('beamml_min_auc', 0.6) }}"
    " --output={{ var.value.beamml_work }}/retrain"
    " --reason='airflow {{ dag.dag_id }} {{ run_id }}'"
)

with DAG(
    dag_id="beamml_retrain",
    description="training set of a recent window, train, gate against the champion, promote or refuse",
    schedule="0 3 * * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=10)},
    tags=["beamml", "ml"],
) as dag:
    retrain = BashOperator(
        task_id="retrain",
        bash_command=RETRAIN,
        skip_on_exit_code=PROMOTION_REFUSED,
        execution_timeout=timedelta(hours=4),
    )

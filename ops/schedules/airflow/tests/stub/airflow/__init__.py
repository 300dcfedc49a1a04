"""The two names beamml_retrain_dag.py imports, recording what the DAG file passes them.

Not Airflow: lets a test import the DAG file where Airflow is not installable. DAG and BashOperator
take a few keyword arguments, each one Airflow 2.x takes under the same name; any other keyword
fails, so a misspelt parameter in the DAG file fails here too.
"""

CURRENT = []


class DAG:
    def __init__(self, dag_id, description=None, schedule=None, start_date=None, catchup=True,
                 max_active_runs=16, default_args=None, tags=None):
        self.dag_id = dag_id
        self.description = description
        self.schedule = schedule
        self.start_date = start_date
        self.catchup = catchup
        self.max_active_runs = max_active_runs
        self.default_args = default_args or {}
        self.tags = tags or []
        self.tasks = []

    def __enter__(self):
        CURRENT.append(self)
        return self

    def __exit__(self, *exc):
        CURRENT.pop()
        return False

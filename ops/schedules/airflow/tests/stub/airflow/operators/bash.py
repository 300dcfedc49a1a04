"""BashOperator as the DAG file uses it (see airflow/__init__.py)."""

import airflow


class BashOperator:
    def __init__(self, task_id, bash_command, env=None, skip_on_exit_code=99, execution_timeout=None,
                 retries=None, cwd=None):
        if not airflow.CURRENT:
            raise RuntimeError("a task must be created inside `with DAG(...)`")
        self.task_id = task_id
        self.bash_command = bash_command
        self.env = env
        self.skip_on_exit_code = skip_on_exit_code
        self.execution_timeout = execution_timeout
        self.dag = airflow.CURRENT[-1]
        self.dag.tasks.append(self)

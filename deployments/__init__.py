"""Deployments: the schedules of every flow (``serve.py``) and work-pool definitions (``prefect.yaml``)."""

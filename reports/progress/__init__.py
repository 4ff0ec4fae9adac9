"""The progress of a unit against its quotas, and the stored snapshots of it.

The computation (report.py, from periods, lineage, admissions, breakdown and forecast), the snapshots
pages read (snapshots.py), the jobs that recompute them (jobs.py, tasks.py) and the "recompute now"
button with its progress bar (views.py, urls.py).
"""

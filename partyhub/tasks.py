from celery import shared_task


@shared_task
def heartbeat() -> str:
    """Lets an operator see that beat and a worker are alive (it shows in the worker log)."""
    return "ok"

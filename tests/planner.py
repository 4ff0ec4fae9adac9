"""Planner statistics for tests that create thousands of rows inside their own transaction."""

from django.db import connection


def refresh_statistics() -> None:
    """ANALYZE on PostgreSQL, so the rows this test just created count.

    Autovacuum cannot see rows of an open transaction; a test database whose tables were analysed
    while empty makes the planner pick nested loops over sequential scans, and a join over a few
    thousand rows then takes minutes instead of milliseconds. ANALYZE in the same transaction
    samples them. SQLite needs nothing.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

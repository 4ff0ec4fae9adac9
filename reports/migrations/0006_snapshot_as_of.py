"""A snapshot is for one organisation, period and as-of date (issue 12, item 8).

Snapshots are a cache: the old rows do not say which day they were computed for, so they are
dropped and the next reader computes them again.
"""

import datetime

from django.db import migrations, models


def drop_snapshots(apps, schema_editor):
    apps.get_model("reports", "ProgressSnapshot").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0005_outbox"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="progresssnapshot", name="unique_snapshot_per_period"),
        migrations.RunPython(drop_snapshots, migrations.RunPython.noop),
        migrations.AddField(
            model_name="progresssnapshot",
            name="as_of",
            field=models.DateField(default=datetime.date(2000, 1, 1)),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name="progresssnapshot",
            constraint=models.UniqueConstraint(
                fields=("organisation", "period_key", "as_of"), name="unique_snapshot_per_period_and_day"
            ),
        ),
    ]

"""The bulk import's PostgreSQL-only writing (reports/imports/apply/inserts.py: COPY for the rows without a key
to return, `set_column`'s UPDATE ... FROM VALUES) against what it replaces, on a PostgreSQL database holding
the demo, inside a transaction rolled back (nothing kept). The test suite runs on SQLite, where neither path
is taken:

    DATABASE_URL=postgres://... .venv/bin/python bench/import_pg_check.py
"""

import datetime
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    os.environ.update({"DJANGO_SETTINGS_MODULE": "partyhub.settings"})
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from members.models import Member, Person
    from recruitment.models import Candidate
    from recruitment.vocabulary import Stage
    from reports.imports.apply import inserts

    assert connection.vendor == "postgresql", "a PostgreSQL DATABASE_URL, please"
    copied = []
    original = inserts._copy

    def spy(table, rows):
        done = original(table, rows)
        copied.append(done)
        return done

    inserts._copy = spy
    user = get_user_model().objects.order_by("pk").first()

    def history_rows(model, ids):
        history = model.history.model
        skip = {"history_id", "history_date"}
        fields = [f.attname for f in history._meta.concrete_fields if f.attname not in skip]
        return list(history.objects.filter(id__in=ids).order_by("id", "history_id").values_list(*fields))

    def compare(model, records, update, default_user, reason):
        ids = [r.pk for r in records]
        model.history.model.objects.filter(id__in=ids).delete()
        inserts.insert_history(model, records, update=update, default_user=default_user, default_reason=reason)
        ours = history_rows(model, ids)
        model.history.model.objects.filter(id__in=ids).delete()
        model.history.bulk_history_create(
            records, update=update, default_user=default_user, default_change_reason=reason
        )
        theirs = history_rows(model, ids)
        assert len(ours) == len(records) and ours == theirs, [
            (a, b) for a, b in zip(ours, theirs, strict=False) if a != b
        ][:2]

    with transaction.atomic():
        candidates = list(Candidate.objects.order_by("pk")[:60])
        for i, c in enumerate(candidates):
            c.open_findings = [] if i % 3 else [{"code": "X\t\\y\n", "message": "Ngày “a”\r\nb", "n": i}]
            c.returned_reason = "tab\there back\\slash\nnew \\N" if i % 2 else ""
            c.stage = Stage.TRAINING if i % 5 == 0 else c.stage  # a choice's enum member
            if i % 4 == 0:
                c._history_user = user
        compare(Candidate, candidates, True, None, "Nhập từ tệp")
        compare(Person, list(Person.objects.order_by("pk")[:30]), False, user, None)
        assert copied and all(copied), copied
        print(f"COPY: the history rows equal bulk_history_create's ({len(copied)} COPY statements)")

        # Records whose keys come back: drawn from the sequence, then copied.
        returned = []
        original_returning = inserts._copy_returning

        def spy_returning(table, rows):
            keys = original_returning(table, rows)
            returned.append(keys is not None)
            return keys

        inserts._copy_returning = spy_returning
        made = {}
        for how in ("ours", "django"):
            people = [
                Person(full_name=f"Người\t{i} \\ {how}\n", gender="female", date_of_birth=datetime.date(2001, 2, 3))
                for i in range(25)
            ]
            if how == "ours":
                inserts.insert(Person, people)
            else:
                Person.objects.bulk_create(people)
            assert all(p.pk is not None and not p._state.adding for p in people)
            assert [p.pk for p in people] == sorted(p.pk for p in people)
            fields = [f.attname for f in Person._meta.concrete_fields if f.attname not in {"id", "full_name"}]
            found = Person.objects.filter(pk__in=[p.pk for p in people]).order_by("pk")
            assert [p.pk for p in found] == [p.pk for p in people]
            made[how] = [(name.replace(how, ""), *rest) for name, *rest in found.values_list("full_name", *fields)]
        assert returned == [True] and made["ours"] == made["django"], (returned, made)
        print("insert: the records equal bulk_create's, with their keys")

        members = list(Member.objects.order_by("pk")[:3])
        values = [(c.pk, None if i % 3 == 0 else members[i % 3].pk) for i, c in enumerate(candidates)]
        inserts.set_column(Candidate, "helper", values)
        found = dict(Candidate.objects.filter(pk__in=[c.pk for c in candidates]).values_list("pk", "helper_id"))
        assert found == dict(values)
        print("set_column: the values set")
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()

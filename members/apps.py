from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Tổ chức và đảng viên"

    def ready(self):
        from django.db.backends.signals import connection_created

        from .names import register_sqlite_collation

        # SQLite sorts people's names with Python's Vietnamese order (members/names.py).
        connection_created.connect(register_sqlite_collation, dispatch_uid="members.names.sqlite_collation")

"""Backups of the whole database and their restore: `manage.py backup`, `manage.py restore FILE`
(`make backup`, `make restore FILE=...`; docs/deployment.md, "Backups").

- PostgreSQL (DATABASE_URL postgres://...): `pg_dump --format=custom` into a `.dump` file, and
  `pg_restore --clean --if-exists --single-transaction` back, so a failed restore changes nothing.
- SQLite (the default): a `.sqlite3` copy made with SQLite's online backup API (Python's
  `sqlite3.Connection.backup`), consistent even while the site writes; restored the same way.

The files are named after the local date and time (`partyhub-2026-12-05-093000.dump`) and, like their
folder, readable by their owner only: they hold the personal data of every member.

Uploaded files (the scans of signed papers, recruitment.papers) live outside the database. When they
are on the local disk (the default storage, MEDIA_ROOT), the backup also packs them into a companion
archive, `<backup>.media.tar.gz`, and the restore unpacks it into MEDIA_ROOT (a file of the same name
is replaced, others are left). A store of another kind (S3-compatible) is backed up by its own means
(versioning, replication): docs/deployment.md, "Uploaded files".
"""

import contextlib
import datetime
import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import connections
from django.utils import timezone

from . import pagecache

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
SUFFIX = {SQLITE: ".sqlite3", POSTGRESQL: ".dump"}
# The first bytes of each kind of file: a file of the other kind is refused before anything is touched.
MAGIC = {SQLITE: b"SQLite format 3\x00", POSTGRESQL: b"PGDMP"}
KIND_LABEL = {SQLITE: "SQLite", POSTGRESQL: "PostgreSQL"}


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why, in Vietnamese."""


def default_directory() -> Path:
    return Path(settings.BASE_DIR) / "backups"


def database_kind(using: str = "default") -> str:
    vendor = connections[using].vendor
    if vendor == "sqlite":
        return SQLITE
    if vendor == "postgresql":
        return POSTGRESQL
    raise BackupError(f"Không sao lưu được cơ sở dữ liệu loại {vendor}: chỉ hỗ trợ PostgreSQL và SQLite.")


def describe(using: str = "default") -> str:
    """The database a restore would overwrite, for the confirmation question (never the password)."""
    settings_dict = connections[using].settings_dict
    if database_kind(using) == SQLITE:
        return f"SQLite {settings_dict['NAME']}"
    host = settings_dict.get("HOST") or "socket"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"PostgreSQL {settings_dict['NAME']} ({settings_dict.get('USER') or '?'}@{host}{port})"


def backup_name(kind: str, now: datetime.datetime) -> str:
    return f"partyhub-{timezone.localtime(now):%Y-%m-%d-%H%M%S}{SUFFIX[kind]}"


def _new_file(directory: Path, kind: str) -> Path:
    """An empty file of mode 600 named after now; a second backup within the same second gets `-2`."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = backup_name(kind, timezone.now())
    stem, suffix = name.removesuffix(SUFFIX[kind]), SUFFIX[kind]
    for number in range(1, 100):
        path = directory / (name if number == 1 else f"{stem}-{number}{suffix}")
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            continue
        return path
    raise BackupError(f"Quá nhiều bản sao lưu trong cùng một giây trong {directory}.")


def backup(directory: Path | None = None, using: str = "default") -> Path:
    """Back the database up into a new file in `directory` (backups/ by default), and the uploaded
    files on the local disk into its companion archive (`media_archive`); the database file's path."""
    kind = database_kind(using)
    path = _new_file(directory or default_directory(), kind)
    try:
        if kind == SQLITE:
            _sqlite_backup(path, using)
        else:
            _pg_dump(path, using)
        _pack_media(path)
    except BaseException:
        path.unlink(missing_ok=True)
        media_archive(path).unlink(missing_ok=True)
        raise
    return path


# --- uploaded files -------------------------------------------------------------------------


def media_root() -> Path | None:
    """The directory of the uploaded files when they are on the local disk; None for another store."""
    storage = storages["default"]
    return Path(storage.location) if isinstance(storage, FileSystemStorage) else None


def media_archive(path: Path) -> Path:
    """The companion archive of the uploaded files of the backup at `path`."""
    return path.with_name(path.name + ".media.tar.gz")


def _pack_media(path: Path) -> None:
    root = media_root()
    if root is None or not root.is_dir() or not any(root.iterdir()):
        return
    archive = media_archive(path)
    os.close(os.open(archive, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(root, arcname=".")


def restore_media(path: Path) -> None:
    """Unpack the companion archive of the backup at `path`, if it has one, into MEDIA_ROOT."""
    archive, root = media_archive(path), media_root()
    if not archive.is_file():
        return
    if root is None:
        raise BackupError(
            f"Có tệp tải lên trong {archive} nhưng nơi lưu tệp hiện không phải ổ đĩa của máy: "
            "hãy chép các tệp này vào nơi lưu bằng công cụ của nó."
        )
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:gz") as tar:
        # The "data" filter refuses absolute paths, links out of the directory and device files.
        tar.extractall(root, filter="data")


def restore(path: Path, using: str = "default") -> None:
    """Replace everything in the database with the backup at `path`."""
    kind = database_kind(using)
    if not path.is_file():
        raise BackupError(f"Không có tệp {path}.")
    with path.open("rb") as file:
        head = file.read(16)
    found = next((k for k, magic in MAGIC.items() if head.startswith(magic)), None)
    if found != kind:
        what = f"là bản sao lưu {KIND_LABEL[found]}" if found else "không phải bản sao lưu của PartyHub"
        raise BackupError(
            f"Tệp {path} {what}, còn cơ sở dữ liệu đang dùng là {KIND_LABEL[kind]}: không phục hồi gì. "
            "Kiểm tra DATABASE_URL và tên tệp."
        )
    if kind == SQLITE:
        _sqlite_restore(path, using)
    else:
        _pg_restore(path, using)
    restore_media(path)
    # The restored rows reuse ids the lost ones had: no page part kept before may be read again.
    pagecache.forget_all()


# --- SQLite ---------------------------------------------------------------------------------


def _sqlite_backup(path: Path, using: str) -> None:
    # Through Django's own connection, so an in-memory database (the test suite's) is copied too. The
    # backup API copies a consistent snapshot even while other processes write (it restarts if they do).
    source = connections[using]
    source.ensure_connection()
    with contextlib.closing(sqlite3.connect(path)) as target:
        source.connection.backup(target)
        (result,) = target.execute("PRAGMA quick_check").fetchone()
    if result != "ok":
        raise BackupError(f"Bản sao lưu {path} bị hỏng ngay khi tạo ({result}).")


def _sqlite_restore(path: Path, using: str) -> None:
    with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as source:
        (result,) = source.execute("PRAGMA quick_check").fetchone()
        if result != "ok":
            raise BackupError(f"Tệp {path} bị hỏng ({result}): không phục hồi gì.")
        target = connections[using]
        target.ensure_connection()
        if target.in_atomic_block:
            raise BackupError("Không phục hồi được giữa một giao dịch đang mở.")
        # Page by page into the open database, in one write transaction: other connections see the
        # old database or the restored one, never a mix.
        source.backup(target.connection)


# --- PostgreSQL -----------------------------------------------------------------------------


def _pg_command(program: str, using: str) -> tuple[list[str], dict[str, str]]:
    """The program with the connection's options, and an environment carrying the password (never on
    the command line, where `ps` would show it)."""
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(f"Không tìm thấy lệnh {program}: cài gói postgresql-client-15.")
    settings_dict = connections[using].settings_dict
    command = [executable, "--no-password", f"--dbname={settings_dict['NAME']}"]
    if settings_dict.get("HOST"):
        command.append(f"--host={settings_dict['HOST']}")
    if settings_dict.get("PORT"):
        command.append(f"--port={settings_dict['PORT']}")
    if settings_dict.get("USER"):
        command.append(f"--username={settings_dict['USER']}")
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    if settings_dict.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = str(settings_dict["OPTIONS"]["sslmode"])
    return command, env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{what} thất bại (mã {result.returncode}):\n{result.stderr.strip()}")


def _pg_dump(path: Path, using: str) -> None:
    command, env = _pg_command("pg_dump", using)
    _run([*command, "--format=custom", f"--file={path}"], env, "pg_dump")


def _pg_restore(path: Path, using: str) -> None:
    command, env = _pg_command("pg_restore", using)
    # This process's own connection holds nothing the restore needs, but close it all the same.
    connections[using].close()
    # --clean --if-exists drops each object before recreating it (and works on an empty database);
    # --single-transaction makes it all or nothing; --no-owner gives the objects to the role restoring.
    _run(
        [*command, "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error", str(path)],
        env,
        "pg_restore",
    )

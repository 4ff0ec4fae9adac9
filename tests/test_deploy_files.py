"""The files of deploy/ agree with the code: the environment template names what the settings read, the
systemd units start commands that exist with the same user, checkout and environment, gunicorn binds
loopback where nginx sends, nginx sets the headers the settings trust; and `check --deploy` is clean
with the template's configuration (docs/deployment.md)."""

import os
import re
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from gunicorn.config import KNOWN_SETTINGS, Config

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
UNITS = {name: DEPLOY / "systemd" / f"partyhub-{name}.service" for name in ("web", "worker", "beat")}
# What a production installation cannot go without: the checks refuse to start without the first
# four (partyhub.E001-E003, DEBUG off), and the rest are the production stack (PostgreSQL, Redis,
# HTTPS origins, the address in emails, a real sender).
REQUIRED = {
    "DJANGO_DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "EMAIL_URL",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "REDIS_URL",
    "SITE_URL",
    "DEFAULT_FROM_EMAIL",
}


# --- the environment template -----------------------------------------------------------------


def env_example() -> tuple[dict[str, str], set[str]]:
    """deploy/env.example: the values set (quotes removed), and the names only shown commented out."""
    values, commented = {}, set()
    for line in (DEPLOY / "env.example").read_text(encoding="utf-8").splitlines():
        if m := re.fullmatch(r"([A-Z][A-Z0-9_]*)=(.*)", line):
            value = m[2]
            values[m[1]] = value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value
        elif m := re.fullmatch(r"#([A-Z][A-Z0-9_]*)=.*", line):
            commented.add(m[1])
    return values, commented


def settings_env_names() -> set[str]:
    """Every environment variable partyhub/settings.py reads (env.str("X"), env.int("X"), "X" in env, ...)."""
    text = (ROOT / "partyhub" / "settings.py").read_text(encoding="utf-8")
    return set(re.findall(r'\benv(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]*)"', text)) | set(
        re.findall(r'"([A-Z][A-Z0-9_]*)" in env\b', text)
    )


def readme_configuration_names() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", section, flags=re.M))


def test_the_readers_of_names_find_them():
    assert {"SECRET_KEY", "EMAIL_URL", "PARTYHUB_IMPORT_QUEUE", "DJANGO_DEBUG"} <= settings_env_names()
    assert {"SECRET_KEY", "SECURE_HSTS_SECONDS"} <= readme_configuration_names()
    values, commented = env_example()
    assert values["DEFAULT_FROM_EMAIL"] == "PartyHub <no-reply@partyhub.example.vn>"
    assert "CONN_MAX_AGE" in commented


def test_every_name_in_the_template_is_read_by_the_settings():
    values, commented = env_example()
    assert sorted((set(values) | commented) - settings_env_names()) == []


def test_every_required_name_is_set_in_the_template_and_read_by_the_settings():
    values, _ = env_example()
    assert sorted(REQUIRED - settings_env_names()) == []
    assert sorted(REQUIRED - set(values)) == []


def test_the_template_and_the_readme_table_name_the_same_variables():
    values, commented = env_example()
    assert sorted(readme_configuration_names() ^ (set(values) | commented)) == []


def test_the_template_holds_no_secret():
    values, _ = env_example()
    assert "CHANGE-ME" in values["SECRET_KEY"]
    for name in ("DATABASE_URL", "EMAIL_URL"):
        password = re.fullmatch(r"[a-z+]+://[^:/@]+:([^@]*)@.*", values[name])
        assert password and password[1] == "CHANGE-ME", name
    assert values["DJANGO_DEBUG"] == "0"


# --- check --deploy with the template's configuration -----------------------------------------


def _check_deploy(values: dict[str, str]) -> subprocess.CompletedProcess:
    # Only what the template sets: nothing of the test run's own environment (DATABASE_URL, a test-only
    # DJANGO_ALLOW_ASYNC_UNSAFE) may make the check pass.
    names = settings_env_names() | {"DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}
    env = {k: v for k, v in os.environ.items() if k not in names}
    env.update(values)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_template_and_a_random_key():
    values, _ = env_example()
    result = _check_deploy({**values, "SECRET_KEY": secrets.token_urlsafe(50)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_refuses_the_template_copied_as_it_is():
    values, _ = env_example()
    result = _check_deploy(values)
    assert result.returncode != 0
    assert "partyhub.E001" in result.stderr


# --- systemd units ----------------------------------------------------------------------------


def unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """A systemd unit file: section -> key -> values (a key may repeat), continuation lines joined."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    text = re.sub(r"\\\n\s*", " ", path.read_text(encoding="utf-8"))
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if m := re.fullmatch(r"\[(\w+)\]", line):
            current = sections.setdefault(m[1], {})
            continue
        key, _, value = line.partition("=")
        assert current is not None, f"{path.name}: {line} outside a section"
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def service(name: str) -> dict[str, str]:
    parsed = unit(UNITS[name])
    assert set(parsed) == {"Unit", "Service", "Install"}, name
    return {key: values[-1] for key, values in parsed["Service"].items()}


def test_there_are_exactly_the_web_worker_and_beat_units():
    assert sorted(p.name for p in (DEPLOY / "systemd").glob("*.service")) == sorted(p.name for p in UNITS.values())
    beats = [name for name in UNITS if " beat" in service(name)["ExecStart"]]
    assert beats == ["beat"]


@pytest.mark.parametrize("name", UNITS)
def test_each_unit_runs_an_installed_command_of_the_checkout_with_the_shared_environment(name):
    web, this = service("web"), service(name)
    for key in ("User", "Group", "WorkingDirectory", "EnvironmentFile"):
        assert this[key] == web[key], f"{name}: {key}"
    assert this["User"] != "root"
    checkout = Path(this["WorkingDirectory"])
    program, *args = this["ExecStart"].split()
    # The virtualenv of the checkout, and a program the requirements install there.
    assert Path(program).parent == checkout / ".venv" / "bin", program
    assert (ROOT / ".venv" / "bin" / Path(program).name).exists(), program
    # Every file of the checkout the command names exists in the repository.
    for arg in args:
        if arg.startswith(f"{checkout}/"):
            assert (ROOT / Path(arg).relative_to(checkout)).exists(), arg
    assert unit(UNITS[name])["Install"]["WantedBy"] == ["multi-user.target"]
    assert "redis-server.service" in unit(UNITS[name])["Unit"]["After"][0]


def test_web_runs_gunicorn_with_the_deploy_config_and_celery_runs_the_project_app():
    web = service("web")["ExecStart"].split()
    assert Path(web[0]).name == "gunicorn"
    assert web[1:] == ["--config", f"{service('web')['WorkingDirectory']}/deploy/gunicorn.conf.py"]
    for name, role in (("worker", "worker"), ("beat", "beat")):
        program, *args = service(name)["ExecStart"].split()
        assert Path(program).name == "celery"
        assert args[:3] == ["-A", "partyhub", role]
    assert (ROOT / "partyhub" / "celery.py").exists()


def test_beat_keeps_its_schedule_in_its_state_directory():
    beat = service("beat")
    args = beat["ExecStart"].split()
    schedule = Path(args[args.index("--schedule") + 1])
    assert schedule.parent == Path("/var/lib") / beat["StateDirectory"]


def test_the_documented_environment_file_is_the_one_the_units_read():
    path = service("web")["EnvironmentFile"]
    assert path in (DEPLOY / "env.example").read_text(encoding="utf-8")
    assert path in (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")


# --- gunicorn and nginx -----------------------------------------------------------------------


def gunicorn_config() -> dict:
    return {k: v for k, v in runpy.run_path(str(DEPLOY / "gunicorn.conf.py")).items() if not k.startswith("_")}


def test_gunicorn_config_imports_and_binds_loopback_only():
    config = gunicorn_config()
    known = {setting.name for setting in KNOWN_SETTINGS}
    modules = {k for k, v in config.items() if type(v).__name__ == "module"}
    assert sorted(set(config) - known - modules) == []  # a misspelt setting would be silently ignored
    parsed = Config()
    for key, value in config.items():
        if key not in modules:
            parsed.set(key, value)  # gunicorn's own validation of each value
    assert parsed.bind == ["127.0.0.1:8000"]
    assert parsed.workers >= 2
    module, _, attribute = config["wsgi_app"].partition(":")
    assert (ROOT / (module.replace(".", "/") + ".py")).exists() and attribute == "application"


def nginx() -> str:
    return re.sub(r"#.*", "", (DEPLOY / "nginx" / "partyhub.conf").read_text(encoding="utf-8"))


def test_nginx_sends_to_gunicorn_with_the_headers_the_settings_trust():
    text = nginx()
    (bind,) = gunicorn_config()["bind"]
    assert re.search(rf"upstream partyhub_gunicorn \{{\s*server {re.escape(bind)};", text)
    assert "proxy_pass http://partyhub_gunicorn;" in text
    # SECURE_PROXY_SSL_HEADER (without DEBUG) is ("HTTP_X_FORWARDED_PROTO", "https"): nginx must set it
    # itself from the real scheme, or a client could claim HTTPS.
    source = (ROOT / "partyhub" / "settings.py").read_text(encoding="utf-8")
    assert 'SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")' in source
    assert re.search(r"proxy_set_header X-Forwarded-Proto \$scheme;", text)
    # PARTYHUB_PROXY_COUNT=1: nginx appends the address it was called from to X-Forwarded-For.
    assert re.search(r"proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;", text)
    assert re.search(r"proxy_set_header Host \$host;", text)


def test_nginx_serves_tls_for_the_template_host_and_redirects_plain_http():
    text = nginx()
    values, _ = env_example()
    host = values["ALLOWED_HOSTS"]
    assert re.search(r"listen 443 ssl", text) and "ssl_certificate " in text and "ssl_certificate_key " in text
    assert re.search(r"ssl_protocols TLSv1\.2 TLSv1\.3;", text)
    assert text.count(f"server_name {host};") == 2
    assert "return 301 https://$host$request_uri;" in text
    assert values["CSRF_TRUSTED_ORIGINS"] == values["SITE_URL"] == f"https://{host}"


def test_nginx_takes_uploads_a_little_larger_than_the_import_limit():
    (size,) = re.findall(r"client_max_body_size (\d+)m;", nginx())
    assert settings.PARTYHUB_IMPORT_MAX_BYTES < int(size) * 1024 * 1024 <= 2 * settings.PARTYHUB_IMPORT_MAX_BYTES


def test_nginx_serves_the_collected_static_files():
    checkout = Path(service("web")["WorkingDirectory"])
    static_root = checkout / Path(settings.STATIC_ROOT).relative_to(ROOT)
    assert re.search(
        rf"location /{re.escape(settings.STATIC_URL.strip('/'))}/ \{{\s*alias {re.escape(str(static_root))}/;", nginx()
    )

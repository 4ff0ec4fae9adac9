"""`make bench`: the province at each size on PostgreSQL, its recompute, report and pages under load.

    BENCH_SIZES="25000 100000 400000" .venv/bin/python bench/run.py      (what `make bench` runs)

For each size in BENCH_SIZES (members):
  1. empties the bench database (drops and recreates its `public` schema; the database must have
     "bench" in its name) and Redis database of BENCH_REDIS_URL, then `manage.py migrate`;
  2. builds the province with BENCH_BUILD (`generate_scale --members N --seed S` when that command
     exists, else `load_demo --members N --seed S`), timed, with the builder's peak memory;
  3. recomputes every unit's standard snapshots in one process (bench/steps.py recompute), timed and
     with its number of queries, beside the one-statement SQL baseline (bench/steps.py baseline);
  4. times `manage.py progress_report` for the province, cold (in-process and as a command) and from
     its snapshot;
  5. serves the app with gunicorn (2 workers, DEBUG off, Redis cache) on 127.0.0.1:BENCH_PORT and runs
     locust headless (BENCH_USERS users, spawn rate BENCH_SPAWN_RATE, BENCH_DURATION) over the pages of
     bench/locustfile.py: requests per second, p50, p95, p99 and failures per page;
  6. writes bench/results/<stamp>-<size>.json and .md (the raw locust CSVs and the gunicorn log in
     bench/results/<stamp>-<size>/).
Then runs the SQLite benches (BENCH_SCRIPTS: bench/import_bench.py, digest_bench.py, marked_bench.py,
each with BENCH_<NAME>_ARGS) and writes their output to bench/results/<stamp>-scripts.json and .md.

docs/performance.md ("make bench") says how to read the files. Exits 1 if any step failed; the
results are written either way, with the error in place of the figure.
"""

import datetime
import json
import os
import platform
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
BIN = Path(sys.executable).parent

# The data builder: "generate_scale" (the realistic province), "load_demo", or "auto" (generate_scale
# when the command exists, else load_demo).
BUILD = os.environ.get("BENCH_BUILD", "auto")
BUILDERS = {
    "generate_scale": ["generate_scale", "--members", "{members}", "--seed", "{seed}"],
    "load_demo": ["load_demo", "--members", "{members}", "--seed", "{seed}"],
}
SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "25000 100000 400000").split()]
SEED = os.environ.get("BENCH_SEED", "1")
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://partyhub:partyhub@127.0.0.1:5432/partyhub_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
PORTS = range(int(os.environ.get("BENCH_PORT", "8100")), 8200)
WORKERS = os.environ.get("BENCH_WORKERS", "2")
USERS = os.environ.get("BENCH_USERS", "20")
SPAWN_RATE = os.environ.get("BENCH_SPAWN_RATE", "5")
DURATION = os.environ.get("BENCH_DURATION", "60s")
# A run of one user alone before the concurrent one ("0" skips it).
SINGLE_DURATION = os.environ.get("BENCH_SINGLE_DURATION", "30s")
# The steps of each size, a subset of these; without "build" the bench database is used as it is (to
# measure again after a change without building anew).
STEPS = os.environ.get("BENCH_STEPS", "build recompute baseline report load").split()
SCRIPTS = os.environ.get("BENCH_SCRIPTS", "import_bench digest_bench marked_bench").split()
SCRIPT_ARGS = {
    name: shlex.split(os.environ.get(f"BENCH_{name.removesuffix('_bench').upper()}_ARGS", "")) for name in SCRIPTS
}

PAGES_ORDER = [
    "dashboard province",
    "dashboard commune",
    "dashboard cell",
    "pipeline board province",
    "deadlines province",
    "tree top",
    "tree expand province",
]


def log(message: str) -> None:
    print(f"[bench {datetime.datetime.now(datetime.UTC):%H:%M:%S}] {message}", flush=True)


def base_env() -> dict[str, str]:
    """This process's environment for the app on the bench database; no .env or developer database leaks in."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_DEBUG"}}
    env.update({"DJANGO_SETTINGS_MODULE": "partyhub.settings", "DATABASE_URL": DATABASE_URL, "PYTHONUNBUFFERED": "1"})
    return env


def manage(*args: str, env: dict | None = None, capture: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env or base_env(),
        capture_output=capture,
        text=True,
        check=True,
    )


def timed_child(argv: list[str], env: dict, log_path: Path) -> dict:
    """Run a child to its end with its output in log_path; its wall time and peak memory (os.wait4)."""
    started = time.perf_counter()
    with open(log_path, "w", encoding="utf-8") as out:
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        tail = log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
        raise RuntimeError(f"{' '.join(argv[1:])} exited {process.returncode}:\n{tail}")
    return {"seconds": round(seconds, 1), "peak_rss_mib": round(usage.ru_maxrss / 1024)}


def step_json(step: str, *extra: str) -> dict:
    done = subprocess.run(
        [sys.executable, str(BENCH / "steps.py"), step, *extra],
        cwd=ROOT,
        env=base_env(),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"steps.py {step} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the database ---------------------------------------------------------------------------


def reset_database() -> None:
    import psycopg2
    import redis

    name = urllib.parse.urlparse(DATABASE_URL).path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(
            f"BENCH_DATABASE_URL names the database {name!r}: the bench empties it, so it must be a bench one."
        )
    connection = psycopg2.connect(DATABASE_URL)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA IF EXISTS public CASCADE")
            cursor.execute("CREATE SCHEMA public")
    finally:
        connection.close()
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.flushdb()
    finally:
        client.close()


def postgres_version() -> str:
    import psycopg2

    connection = psycopg2.connect(DATABASE_URL)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return cursor.fetchone()[0]
    finally:
        connection.close()


def builder() -> str:
    if BUILD != "auto":
        if BUILD not in BUILDERS:
            raise SystemExit(f"BENCH_BUILD={BUILD!r}: expected one of {', '.join(BUILDERS)} or auto.")
        return BUILD
    if any(ROOT.glob("*/management/commands/generate_scale.py")):
        return "generate_scale"
    return "load_demo"


# --- gunicorn and locust --------------------------------------------------------------------


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds: TIME_WAIT is no obstacle
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"No free port in {PORTS.start}-{PORTS.stop - 1}.")


def web_env() -> dict[str, str]:
    """Production-like settings (docs/deployment.md): DEBUG off, a real secret, the Redis cache, an SMTP
    address (the checks insist on one; the pages under test send no mail)."""
    env = base_env()
    env.update(
        {
            "DJANGO_DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "EMAIL_URL": "smtp://127.0.0.1:2525",
            "REDIS_URL": REDIS_URL,
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1"})
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited {process.returncode} on start")
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                response.read()
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not answer {url} within {seconds} s")


def stop(process: subprocess.Popen) -> None:
    """Stop the process group this script started (gunicorn's master and its workers), by its id."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def read_locust_csv(prefix: Path) -> dict:
    import csv

    pages = {}
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            pages[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": round(float(row["Requests/s"]), 2),
                "p50_ms": _ms(row["50%"]),
                "p95_ms": _ms(row["95%"]),
                "p99_ms": _ms(row["99%"]),
                "max_ms": _ms(row["Max Response Time"]),
                "avg_bytes": round(float(row["Average Content Size"])),
            }
    failures = []
    with open(f"{prefix}_failures.csv", newline="", encoding="utf-8") as f:
        failures = [
            {"page": r["Name"], "error": r["Error"], "occurrences": int(r["Occurrences"])} for r in csv.DictReader(f)
        ]
    return {"pages": pages, "failures": failures}


def duration_seconds(text: str = DURATION) -> int:
    """A duration as seconds: 60, 60s, 2m."""
    match = re.fullmatch(r"(\d+)([sm]?)", text.strip())
    if not match:
        raise SystemExit(f"Duration {text!r}: expected e.g. 60s or 2m.")
    return int(match.group(1)) * (60 if match.group(2) == "m" else 1)


def _ms(value: str) -> float | None:
    return None if value in ("", "N/A") else round(float(value))


def load_test(out: Path, targets: Path) -> dict:
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    env = web_env()
    manage("collectstatic", "--noinput", env=env)
    gunicorn_log = out / "gunicorn.log"
    with open(gunicorn_log, "w", encoding="utf-8") as glog:
        server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "partyhub.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                WORKERS,
                "--timeout",
                "120",
                # Its control socket has one default path for every gunicorn on the machine.
                "--no-control-socket",
            ],
            cwd=ROOT,
            env=env,
            stdout=glog,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_up(f"{host}/dang-nhap/", server)
        result = {"host": host, "gunicorn_workers": int(WORKERS)}
        codes = json.loads(targets.read_text(encoding="utf-8"))["recovery_codes"]
        if single_seconds := duration_seconds(SINGLE_DURATION):
            # One user alone first, every page in turn: what a page costs without waiting for the others.
            result["single_user"] = run_locust(
                host, targets, codes[:1], out / "single", 1, "1", single_seconds, {"BENCH_ROUND_ROBIN": "1"}
            )
        result |= run_locust(host, targets, codes[1:], out / "locust", int(USERS), SPAWN_RATE, duration_seconds())
    finally:
        stop(server)
    return result


def run_locust(
    host: str, targets: Path, codes: list[str], prefix: Path, users: int, rate: str, seconds: int, extra_env=None
) -> dict:
    """One headless locust run; its own copy of the targets with recovery codes no other run spends."""
    own = prefix.with_name(f"{prefix.name}-targets.json")
    own.write_text(json.dumps({**json.loads(targets.read_text(encoding="utf-8")), "recovery_codes": codes}))
    own.chmod(0o600)
    argv = [
        str(BIN / "locust"),
        "-f",
        str(BENCH / "locustfile.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        rate,
        # A backstop: the locustfile stops the run `seconds` after the last user has signed in.
        "--run-time",
        f"{seconds + 600}s",
        "--host",
        host,
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    env = {**os.environ, "BENCH_TARGETS": str(own), "BENCH_MEASURE_SECONDS": str(seconds), **(extra_env or {})}
    loadavg = [round(x, 2) for x in os.getloadavg()]
    try:
        with open(f"{prefix}.log", "w", encoding="utf-8") as log_file:
            done = subprocess.run(argv, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    finally:
        own.unlink()  # the bench login's codes
    return {
        "users": users,
        "spawn_rate": float(rate),
        "duration_seconds": seconds,
        "locust_exit_code": done.returncode,
        "loadavg_before": loadavg,
        "command": " ".join(shlex.quote(a) for a in argv[1:]),
        **read_locust_csv(prefix),
    }


# --- one size -------------------------------------------------------------------------------


def bench_size(members: int, stamp: str, work: Path) -> dict:
    out = RESULTS / f"{stamp}-{members}"
    out.mkdir(parents=True, exist_ok=True)
    build = builder()
    result: dict = {"size": members, "builder": build, "seed": SEED, "errors": {}}

    def attempt(name: str, action) -> bool:
        log(f"{members}: {name}")
        try:
            result[name] = action()
            return True
        except Exception as error:  # noqa: BLE001 - every failure is recorded, the run goes on
            result["errors"][name] = str(error)
            log(f"{members}: {name} FAILED: {error}")
            return False

    def build_data() -> dict:
        reset_database()
        migrate = timed_child([sys.executable, "manage.py", "migrate", "--noinput"], base_env(), out / "migrate.log")
        argv = [part.format(members=members, seed=SEED) for part in BUILDERS[build]]
        timing = timed_child([sys.executable, "manage.py", *argv], base_env(), out / "build.log")
        return {"command": "manage.py " + " ".join(argv), **timing, "migrate_seconds": migrate["seconds"]}

    if "build" in STEPS:
        if not attempt("build", build_data):
            return result
    else:
        result["build"] = {"command": "(none: BENCH_STEPS has no build; the database as it was)"}
    attempt("counts", counts)
    targets = work / f"targets-{members}.json"
    login_ok = attempt("login", lambda: step_json("login", "--out", str(work)))
    if login_ok:
        (work / "targets.json").rename(targets)
    if "recompute" in STEPS:
        attempt("recompute", lambda: step_json("recompute"))
    if "baseline" in STEPS:
        attempt("baseline", lambda: step_json("baseline"))
    if "recompute" in result and "baseline" in result and result["baseline"]["seconds_best"]:
        result["recompute_to_baseline"] = round(result["recompute"]["seconds"] / result["baseline"]["seconds_best"], 1)
    if "report" in STEPS:
        attempt("report", lambda: step_json("report"))
        period = result.get("report", {}).get("period")
        if period and login_ok:
            attempt("report_command", lambda: report_command(result["login"]["province"]["code"], period, out))
    if "load" in STEPS and login_ok:
        attempt("load", lambda: load_test(out, targets))
    return result


def counts() -> dict:
    """What was built: members, units, candidates, movements (one SQL statement each)."""
    import psycopg2

    tables = {
        "members": "members_member",
        "organisations": "members_organisation",
        "cells": "members_organisation WHERE level IN ('cell', 'grassroots_cell')",
        "candidates": "recruitment_candidate",
        "movements": "members_membermovement",
        "stage_entries": "recruitment_stageentry",
    }
    connection = psycopg2.connect(DATABASE_URL)
    found = {}
    try:
        with connection.cursor() as cursor:
            for name, source in tables.items():
                try:
                    cursor.execute(f"SELECT count(*) FROM {source}")
                    found[name] = cursor.fetchone()[0]
                except psycopg2.Error:
                    connection.rollback()
                    found[name] = None
    finally:
        connection.close()
    return found


def report_command(code: str, period: str, out: Path) -> dict:
    """`manage.py progress_report` as a user runs it, Python's and Django's start-up included."""
    argv = ["manage.py", "progress_report", "--org", code, "--period", period, "--format", "json"]
    return {"command": " ".join(argv), **timed_child([sys.executable, *argv], base_env(), out / "progress_report.json")}


# --- the SQLite benches ---------------------------------------------------------------------


def run_scripts(stamp: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    results = {}
    for name in SCRIPTS:
        script = BENCH / f"{name}.py"
        argv = [sys.executable, str(script), *SCRIPT_ARGS[name]]
        log(f"scripts: {name} {' '.join(SCRIPT_ARGS[name])}")
        started = time.perf_counter()
        done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True)
        results[name] = {
            "command": " ".join(shlex.quote(a) for a in [".venv/bin/python", f"bench/{name}.py", *SCRIPT_ARGS[name]]),
            "exit_code": done.returncode,
            "seconds": round(time.perf_counter() - started, 1),
            "stdout": done.stdout,
            "stderr_tail": done.stderr[-3000:],
        }
    return results


# --- writing the results --------------------------------------------------------------------


def machine() -> dict:
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    match = re.search(r"MemTotal:\s+(\d+) kB", meminfo)
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    except OSError:
        commit = ""
    try:
        pg = postgres_version()
    except Exception as error:  # noqa: BLE001
        pg = f"unknown ({error})"
    return {
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "nproc": os.cpu_count(),
        "ram_gib": round(int(match.group(1)) / 1024 / 1024, 1) if match else None,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "postgresql": pg,
        "commit": commit,
    }


def settings_used() -> dict:
    return {
        "BENCH_SIZES": " ".join(map(str, SIZES)),
        "BENCH_BUILD": BUILD,
        "BENCH_STEPS": " ".join(STEPS),
        "BENCH_SEED": SEED,
        "BENCH_USERS": USERS,
        "BENCH_SPAWN_RATE": SPAWN_RATE,
        "BENCH_DURATION": DURATION,
        "BENCH_SINGLE_DURATION": SINGLE_DURATION,
        "BENCH_WORKERS": WORKERS,
    }


def write(path_stem: Path, data: dict, markdown: str) -> None:
    path_stem.with_suffix(".json").write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    path_stem.with_suffix(".md").write_text(markdown, encoding="utf-8")
    log(f"wrote {path_stem.relative_to(ROOT)}.json and .md")


def _fmt(value, unit: str = "") -> str:
    if value is None:
        return "–"
    return f"{value:,}{unit}".replace(",", " ") if isinstance(value, int) else f"{value}{unit}"


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def size_markdown(r: dict, header: dict) -> str:
    lines = [
        f"# make bench: {r['size']:,} members".replace(",", " "),
        "",
        f"- date: {header['date']}",
        f"- command: `{header['command']}`",
        f"- machine: {header['machine']['nproc']} cores, {header['machine']['ram_gib']} GiB RAM, "
        f"kernel {header['machine']['kernel']}, PostgreSQL {header['machine']['postgresql']}, "
        f"Python {header['machine']['python']}, commit {header['machine']['commit'][:12]}, "
        f"load average at the start {header['machine']['loadavg']}",
        f"- builder: `{r.get('build', {}).get('command', r['builder'])}`",
        "",
    ]
    if r["errors"]:
        lines += ["## Errors", ""] + [f"- **{k}**: `{_last_line(v)}`" for k, v in r["errors"].items()]
        lines.append("")
    rows = []
    if (b := r.get("build")) and "seconds" in b:
        rows.append(
            ("build", f"{b['seconds']} s", f"peak RSS {b['peak_rss_mib']} MiB; migrate {b['migrate_seconds']} s")
        )
    if c := r.get("counts"):
        rows.append(("data", "", ", ".join(f"{k} {_fmt(v)}" for k, v in c.items())))
    if rc := r.get("recompute"):
        rows.append(
            (
                "recompute of every snapshot",
                f"{rc['seconds']} s",
                f"{_fmt(rc['queries'])} queries ({rc['seconds_in_queries']} s in them), {rc['units']} units × "
                f"{len(rc['periods'])} periods; {rc['how']}",
            )
        )
    if bl := r.get("baseline"):
        rows.append(
            (
                "one-statement baseline",
                f"{bl['seconds_best']} s",
                f"runs {bl['seconds_runs']}; term {bl['term']}; province achieved {bl['province_achieved']}",
            )
        )
    if "recompute_to_baseline" in r:
        rows.append(("recompute / baseline", f"{r['recompute_to_baseline']}x", "budget: within 5x"))
    if rp := r.get("report"):
        rows.append(
            ("progress_report province, cold", f"{rp['cold_seconds']} s", f"{rp['cold_queries']} queries, in-process")
        )
        rows.append(
            (
                "progress_report province, from snapshot",
                f"{rp['snapshot_seconds']} s",
                f"{rp['snapshot_queries']} queries; read from snapshot: {rp['from_snapshot']}",
            )
        )
    if cmd := r.get("report_command"):
        rows.append(("`manage.py progress_report` (a process)", f"{cmd['seconds']} s", f"`{cmd['command']}`"))
    lines += ["## Timings", "", "| step | time | notes |", "|---|---:|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    if load := r.get("load"):
        if single := load.get("single_user"):
            lines += pages_markdown("one user alone", single, load["gunicorn_workers"])
        if "pages" in load:
            lines += pages_markdown(
                f"{load['users']} users, spawn rate {load['spawn_rate']}/s", load, load["gunicorn_workers"]
            )
    return "\n".join(lines) + "\n"


def pages_markdown(title: str, run: dict, workers: int) -> list[str]:
    lines = [
        "",
        f"## Pages, {title}: {run['duration_seconds']} s measured, gunicorn {workers} workers, "
        f"load average before {run['loadavg_before']}",
        "",
        "| page | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | failures | avg KB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    pages = run["pages"]
    for name in [*PAGES_ORDER, *(n for n in pages if n not in PAGES_ORDER)]:
        if name not in pages or (name not in PAGES_ORDER and not pages[name]["requests"]):
            continue
        p = pages[name]
        lines.append(
            f"| {name} | {p['requests']} | {p['rps']} | {_fmt(p['p50_ms'])} | {_fmt(p['p95_ms'])} | "
            f"{_fmt(p['p99_ms'])} | {_fmt(p['max_ms'])} | {p['failures']} | {round(p['avg_bytes'] / 1024, 1)} |"
        )
    if run["failures"]:
        lines += ["", "Failures:", ""] + [f"- {f['page']}: {f['error']} ({f['occurrences']}×)" for f in run["failures"]]
    lines += ["", f"locust: `locust {run['command']}` (exit code {run['locust_exit_code']})"]
    return lines


def scripts_markdown(results: dict, header: dict) -> str:
    lines = [
        "# make bench: the SQLite benches",
        "",
        f"- date: {header['date']}",
        f"- command: `{header['command']}`",
        "",
    ]
    for name, r in results.items():
        lines += [f"## {name}", "", f"`{r['command']}`: exit code {r['exit_code']}, {r['seconds']} s", "", "```"]
        lines += [r["stdout"].rstrip() or "(no output)", "```", ""]
        if r["exit_code"] != 0:
            lines += ["stderr (end):", "", "```", r["stderr_tail"].rstrip(), "```", ""]
    return "\n".join(lines)


def main() -> int:
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M")
    header = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "command": " ".join(f"{k}={shlex.quote(v)}" for k, v in settings_used().items()) + " make bench",
        "settings": settings_used(),
        "machine": machine(),
    }
    failed = False
    work = Path(tempfile.mkdtemp(prefix="partyhub-bench-"))
    try:
        for members in SIZES:
            result = bench_size(members, stamp, work)
            failed |= bool(result["errors"])
            write(RESULTS / f"{stamp}-{members}", {**header, **result}, size_markdown(result, header))
    finally:
        shutil.rmtree(work, ignore_errors=True)  # the bench login's password and codes
    if SCRIPTS:
        scripts = run_scripts(stamp)
        failed |= any(r["exit_code"] != 0 for r in scripts.values())
        write(RESULTS / f"{stamp}-scripts", {**header, "scripts": scripts}, scripts_markdown(scripts, header))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""The pages a province board opens, under concurrent users (bench/run.py starts it headless).

    BENCH_TARGETS=bench/results/<run>/targets.json .venv/bin/locust -f bench/locustfile.py \
        --headless -u 20 -r 5 -t 60s --host http://127.0.0.1:8100 --csv <prefix>

targets.json is written by `bench/steps.py login`: the bench login (board staff at the province), its
one-time recovery codes, and the province, the commune and the cell whose pages are loaded (the
commune and the cell with the most members). Each user signs in once through the real login and
second-factor pages, spending one recovery code, then opens the pages at random, each request named
after its page so that locust reports one line per page.

gunicorn runs with DEBUG off, as behind the production proxy: the requests say they came over HTTPS
through one proxy (X-Forwarded-Proto, X-Forwarded-For), which is what nginx adds in production
(docs/deployment.md). The session and CSRF cookies are then marked Secure, which the client would not
send back over plain HTTP; the user clears that flag in its own cookie jar.
"""

import json
import os
import re
import threading
from pathlib import Path

import gevent
from locust import HttpUser, between, events, task

TARGETS = json.loads(Path(os.environ["BENCH_TARGETS"]).read_text(encoding="utf-8"))
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_codes = list(TARGETS["recovery_codes"])
_codes_lock = threading.Lock()
# The measurement starts when every user has signed in (password hashing and all) and lasts this long;
# locust's own --run-time is only a backstop. Think time between two pages, in seconds.
MEASURE_SECONDS = float(os.environ.get("BENCH_MEASURE_SECONDS", "60"))
WAIT = [float(x) for x in os.environ.get("BENCH_WAIT", "0.5 1.5").split()]
_ready = {"users": 0}

# The pages and their URLs (members/urls.py, recruitment/urls.py, reports/dashboard/urls.py).
PROVINCE, COMMUNE, CELL = (TARGETS[k]["pk"] for k in ("province", "commune", "cell"))
PAGES = {
    "dashboard province": f"/to-chuc/{PROVINCE}/bao-cao/",
    "dashboard commune": f"/to-chuc/{COMMUNE}/bao-cao/",
    "dashboard cell": f"/to-chuc/{CELL}/bao-cao/",
    "pipeline board province": f"/to-chuc/{PROVINCE}/phat-trien-dang/",
    "deadlines province": f"/to-chuc/{PROVINCE}/han/",
    "tree top": "/to-chuc/",
    "tree expand province": f"/to-chuc/{PROVINCE}/con/",
}
# Pages a signed-out or unconfirmed session is sent to instead of the one it asked for.
DETOURS = ("/dang-nhap/", "/tai-khoan/xac-thuc-hai-buoc/")


def _user_ready(environment) -> None:
    """Once every user has tried to sign in: forget the figures so far, and stop MEASURE_SECONDS later."""
    with _codes_lock:
        _ready["users"] += 1
        last = _ready["users"] == environment.runner.target_user_count
    if last:
        environment.stats.reset_all()
        environment.bench_measure_started = True
        gevent.spawn_later(MEASURE_SECONDS, environment.runner.quit)


@events.quitting.add_listener
def _measured(environment, **kwargs) -> None:
    """A run that never got every user signed in measured nothing: say so, and exit 1."""
    if not getattr(environment, "bench_measure_started", False):
        print(f"bench: only {_ready['users']} users signed in before the run ended; nothing was measured")
        environment.process_exit_code = 1


def next_code() -> str:
    with _codes_lock:
        if not _codes:
            raise RuntimeError("Hết mã dự phòng của tài khoản bench: tăng RECOVERY_CODES trong bench/steps.py.")
        return _codes.pop()


class BoardUser(HttpUser):
    wait_time = between(*WAIT)

    def on_start(self) -> None:
        try:
            self._sign_in()
        finally:
            _user_ready(self.environment)

    def _sign_in(self) -> None:
        origin = self.host.replace("http://", "https://", 1)
        self.client.headers.update({"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1", "Origin": origin})
        credentials = {"username": TARGETS["username"], "password": TARGETS["password"]}
        self._post_form("login", "/dang-nhap/", credentials, stays_at="/dang-nhap/")
        self._post_form(
            "login second factor",
            "/tai-khoan/xac-thuc-hai-buoc/nhap-ma/",
            {"code": next_code()},
            stays_at="/tai-khoan/",
        )

    def _post_form(self, name: str, url: str, fields: dict, stays_at: str) -> None:
        """GET the form for its CSRF token, POST it, and expect a redirect away from `stays_at`.

        Redirects are not followed: the cookies the response sets are Secure and must lose that flag
        before the next request, or the client would leave them out.
        """
        page = self.client.get(url, name=f"{name} (form)")
        self._insecure_cookies()
        match = CSRF_FIELD.search(page.text)
        if match is None:
            raise RuntimeError(f"{name}: no CSRF token at {page.url} (status {page.status_code})")
        with self.client.post(
            url,
            data={"csrfmiddlewaretoken": match.group(1), **fields},
            name=name,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            self._insecure_cookies()
            location = response.headers.get("Location", "")
            if response.status_code != 302 or stays_at in location:
                response.failure(f"status {response.status_code}, Location {location!r}")
                raise RuntimeError(f"{name} failed")

    def _insecure_cookies(self) -> None:
        for cookie in self.client.cookies:
            cookie.secure = False

    def round_robin(self) -> None:
        """Every page in turn (BENCH_ROUND_ROBIN=1: the run of one user alone sees each page as often)."""
        self._turn = getattr(self, "_turn", -1) + 1
        name = list(PAGES)[self._turn % len(PAGES)]
        self._page(name, headers={"HX-Request": "true"} if name == "tree expand province" else {})

    def _page(self, name: str, **kwargs) -> None:
        with self.client.get(PAGES[name], name=name, catch_response=True, **kwargs) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
            elif any(detour in response.url for detour in DETOURS):
                response.failure(f"sent to {response.url}")

    @task(4)
    def dashboard_province(self) -> None:
        self._page("dashboard province")

    @task(3)
    def dashboard_commune(self) -> None:
        self._page("dashboard commune")

    @task(3)
    def dashboard_cell(self) -> None:
        self._page("dashboard cell")

    @task(2)
    def pipeline_board(self) -> None:
        self._page("pipeline board province")

    @task(2)
    def deadlines(self) -> None:
        self._page("deadlines province")

    @task(2)
    def tree_top(self) -> None:
        self._page("tree top")

    @task(2)
    def tree_expand(self) -> None:
        self._page("tree expand province", headers={"HX-Request": "true"})


if os.environ.get("BENCH_ROUND_ROBIN") == "1":
    BoardUser.tasks = [BoardUser.round_robin]

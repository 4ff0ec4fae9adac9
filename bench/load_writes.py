"""A bounded load test on the demo province: page views mixed with pipeline writes (issue 14).

    LOAD_TARGETS=bench/results/load/targets.json LOAD_WRITES=bench/results/load/writes.jsonl \
        .venv/bin/locust -f bench/load_writes.py --headless -u 50 -r 5 -t 300s \
        --host http://127.0.0.1:8100 --csv bench/results/load/load

`bench/load_check.py targets` writes targets.json (the demo's secretaries, their units); after the run
`bench/load_check.py check` reads writes.jsonl and says whether every write the run made is in the
database, exactly once. Each user signs in through the real login page (secretaries have no second
factor) and then, at random:
- a cell secretary proposes a new outstanding candidate in their cell through the real form (a
  name made unique per write, a citizen ID unique per write) and opens the candidate's page;
- everyone opens the pages of their unit: the dashboard, the pipeline board, the deadlines, the
  member list and the tree.
A write answered 302 to the new candidate's page is logged to LOAD_WRITES with its name and id.
"""

import datetime
import json
import os
import re
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

from locust import HttpUser, between, task

TARGETS = json.loads(Path(os.environ["LOAD_TARGETS"]).read_text(encoding="utf-8"))
WRITES = Path(os.environ["LOAD_WRITES"])
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SELECT = re.compile(r'<select name="(\w+)"[^>]*>(.*?)</select>', re.S)
OPTION = re.compile(r'<option value="([^"]+)"')
CANDIDATE_URL = re.compile(r"^/quan-chung/(\d+)/$")
# Given names and middle names the unique names are built from (Vietnamese letters only: the name
# validation refuses digits).
SYLLABLES = ["An", "Bình", "Chi", "Dũng", "Đức", "Giang", "Hà", "Khánh", "Lan", "Minh", "Ngọc", "Phúc", "Quang", "Sơn"]
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
_lock = threading.Lock()
# Each run starts its names at a random place (targets.json), so two runs on one database never share one.
_counter = {"n": int(TARGETS["first_name_number"])}


def next_write() -> int:
    with _lock:
        _counter["n"] += 1
        return _counter["n"]


def unique_name(n: int) -> str:
    """ "Lê Thị <s1> <s2> <s3>" from the digits of n in base len(SYLLABLES): one name per write."""
    parts, base = [], len(SYLLABLES)
    for _ in range(4):
        parts.append(SYLLABLES[n % base])
        n //= base
    return "Lê " + " ".join(parts)


class _Signed(HttpUser):
    abstract = True
    wait_time = between(*(float(x) for x in os.environ.get("LOAD_WAIT", "0.5 1.5").split()))
    login: dict

    def on_start(self) -> None:
        # As behind the production proxy (bench/locustfile.py): HTTPS said by the proxy's headers, and
        # the Secure flag of the cookies cleared in this client's jar so that it sends them back.
        origin = self.host.replace("http://", "https://", 1)
        self.client.headers.update({"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1", "Origin": origin})
        page = self.client.get("/dang-nhap/", name="login (form)")
        self.insecure_cookies()
        token = CSRF_FIELD.search(page.text).group(1)
        with self.client.post(
            "/dang-nhap/",
            data={"csrfmiddlewaretoken": token, "username": self.login["username"], "password": TARGETS["password"]},
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            self.insecure_cookies()
            if response.status_code != 302:
                response.failure(f"login: status {response.status_code}")

    def insecure_cookies(self) -> None:
        for cookie in self.client.cookies:
            cookie.secure = False

    def page(self, name: str, url: str) -> None:
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200 or "/dang-nhap/" in response.url:
                response.failure(f"status {response.status_code} at {response.url}")

    def views(self) -> None:
        unit = self.login["unit"]
        for name, url in (
            ("dashboard", f"/to-chuc/{unit}/bao-cao/"),
            ("pipeline board", f"/to-chuc/{unit}/phat-trien-dang/"),
            ("deadlines", f"/to-chuc/{unit}/han/"),
            ("members", f"/to-chuc/{unit}/"),
            ("tree", "/to-chuc/"),
        ):
            self.page(name, url)


class CellSecretary(_Signed):
    weight = 2

    def on_start(self) -> None:
        self.login = TARGETS["cell_secretaries"][id(self) % len(TARGETS["cell_secretaries"])]
        super().on_start()

    @task(3)
    def read(self) -> None:
        self.views()

    @task(2)
    def propose(self) -> None:
        unit = self.login["unit"]
        url = f"/to-chuc/{unit}/phat-trien-dang/them/"
        form = self.client.get(url, name="propose (form)")
        self.insecure_cookies()
        if form.status_code != 200:
            return
        fields = {"csrfmiddlewaretoken": CSRF_FIELD.search(form.text).group(1)}
        for name, options in SELECT.findall(form.text):
            values = OPTION.findall(options)
            if values:
                fields[name] = values[0]
        n = next_write()
        name = unique_name(n)
        today = datetime.datetime.now(VIETNAM).date()
        fields.update(
            full_name=name,
            gender="female",
            date_of_birth=today.replace(year=today.year - 25, day=1).isoformat(),
            citizen_id=f"0{TARGETS['id_prefix']}{n:08d}"[:12],
            phone="",
            ethnicity="Kinh",
            religion="Không",
            proposed_on=today.isoformat(),
        )
        with self.client.post(url, data=fields, name="propose", allow_redirects=False, catch_response=True) as response:
            self.insecure_cookies()
            location = response.headers.get("Location", "")
            found = CANDIDATE_URL.match(location)
            if response.status_code != 302 or not found:
                response.failure(f"status {response.status_code}, Location {location!r}")
                return
        with _lock, WRITES.open("a", encoding="utf-8") as log:
            log.write(json.dumps({"name": name, "candidate": int(found.group(1))}, ensure_ascii=False) + "\n")
        self.page("candidate", location)


class CommuneReader(_Signed):
    weight = 1

    def on_start(self) -> None:
        self.login = TARGETS["commune_secretary"]
        super().on_start()

    @task
    def read(self) -> None:
        self.views()

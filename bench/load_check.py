"""Before and after bench/load_writes.py, against the same database as the server under load.

    DATABASE_URL=… .venv/bin/python bench/load_check.py targets OUT.json   # who signs in, which units
    DATABASE_URL=… .venv/bin/python bench/load_check.py check WRITES.jsonl  # every write present, once

`check` prints one line of figures and exits 1 if a write the server acknowledged (302 to the new
candidate's page) is missing, doubled, or not the candidate of that name in that cell.
"""

import json
import os
import secrets
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partyhub.settings")

import django  # noqa: E402

django.setup()

from members.demo.users import CELL_SECRETARY, COMMUNE_SECRETARY, DEMO_PASSWORD, OTHER_CELL_SECRETARY  # noqa: E402
from members.models import RoleAssignment  # noqa: E402
from recruitment.models import Candidate  # noqa: E402


def _unit_of(username: str) -> int:
    return RoleAssignment.objects.filter(user__username=username).values_list("organisation_id", flat=True).first()


def targets(out: str) -> None:
    data = {
        "password": DEMO_PASSWORD,
        "cell_secretaries": [{"username": u, "unit": _unit_of(u)} for u in (CELL_SECRETARY, OTHER_CELL_SECRETARY)],
        "commune_secretary": {"username": COMMUNE_SECRETARY, "unit": _unit_of(COMMUNE_SECRETARY)},
        # Citizen IDs of this run: "0" + 3 random digits + the write's number, never one already recorded.
        "id_prefix": f"{secrets.randbelow(900) + 100}",
        "first_name_number": secrets.randbelow(14**5 - 100_000),
    }
    Path(out).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(data, ensure_ascii=False))


def check(writes: str) -> int:
    lines = [json.loads(line) for line in Path(writes).read_text(encoding="utf-8").splitlines() if line]
    ids = [w["candidate"] for w in lines]
    found = dict(Candidate.objects.filter(pk__in=ids).values_list("pk", "person__full_name"))
    names = Counter(
        Candidate.objects.filter(person__full_name__in=[w["name"] for w in lines]).values_list(
            "person__full_name", flat=True
        )
    )
    missing = [w for w in lines if found.get(w["candidate"]) != w["name"]]
    doubled = [name for name, count in names.items() if count > 1]
    print(
        f"load check: {len(lines)} writes acknowledged, {len(lines) - len(missing)} present, "
        f"{len(missing)} missing or wrong, {len(doubled)} doubled"
    )
    return 1 if missing or doubled or len(set(ids)) != len(ids) else 0


if __name__ == "__main__":
    command, path = sys.argv[1], sys.argv[2]
    if command == "targets":
        targets(path)
    else:
        sys.exit(check(path))

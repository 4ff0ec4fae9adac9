"""On PostgreSQL, the ICU collation orders names exactly as `members.names.sort_key` does (the Python
order used on SQLite and for lists built in memory). Skipped on SQLite."""

import random
import unicodedata

import pytest
from django.db import connection

from members.models import Person
from members.names import order_by_name, sort_key
from tests.factories import PersonFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

FAMILIES = ["Nguyễn", "Ngô", "Đỗ", "Dương", "Vũ", "Võ", "Lê", "Ưng", "Ông", "Ơ", "Ân", "Âu", "Ăng"]
MIDDLES = ["", "Văn", "Thị", "Thị Minh", "Hữu", "Đức", "Ngọc", "Văn Thành"]
GIVENS = ["An", "Ân", "Ăn", "Ba", "Bà", "Bả", "Bã", "Bá", "Bạ", "Bác", "Bạc", "Dũng", "Đạt", "Hà", "Hai", "Hạ"]
GIVENS += ["Ôn", "Ơn", "On", "Oanh", "Uyên", "Ưng", "Ước", "Vinh", "Xuân", "Yến", "Sáng", "Sang", "Sảng"]


@pytest.fixture
def on_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("the ICU collation `vietnamese` is PostgreSQL's; SQLite uses sort_key itself")


def test_the_icu_collation_orders_names_as_sort_key_does(on_postgres):
    rng = random.Random(13)
    names = {"Hùng", "An", "Nguyễn Văn An", "Ngô Văn An"}
    while len(names) < 300:
        words = [rng.choice(FAMILIES), rng.choice(MIDDLES), rng.choice(GIVENS)]
        names.add(" ".join(w for w in words if w))
    for name in names:
        PersonFactory(full_name=unicodedata.normalize("NFC", name))
    got = list(order_by_name(Person.objects.all(), "full_name").values_list("full_name", "pk"))
    expected = sorted(got, key=lambda row: (sort_key(row[0]), row[1]))
    assert [n for n, _ in got] == [n for n, _ in expected]


def test_the_collation_exists_and_puts_d_with_stroke_after_d(on_postgres):
    with connection.cursor() as cursor:
        cursor.execute(
            "select x from (values ('Vũ'), ('Đạt'), ('Dũng'), ('Em')) t(x) order by x collate \"vietnamese\""
        )
        assert [row[0] for row in cursor.fetchall()] == ["Dũng", "Đạt", "Em", "Vũ"]

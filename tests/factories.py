"""factory_boy factories for volume; the named cast in tests/cast.py is for permissions."""

import datetime
import itertools

import factory
from django.contrib.auth import get_user_model

from members import services
from members.models import Member, MemberMovement, Organisation, Person, RoleAssignment
from members.vocabulary import Gender, Level, MemberStatus, MovementKind

_codes = itertools.count(1)


class OrganisationFactory(factory.Factory):
    """Builds through organisation_create so every test tree obeys the structure rules."""

    class Meta:
        model = Organisation

    code = factory.LazyFunction(lambda: f"T{next(_codes):05d}")
    name = factory.LazyAttribute(lambda o: f"Tổ chức {o.code}")
    level = Level.CELL
    parent = None
    sector = ""
    founded_on = None

    @classmethod
    def _create(cls, model_class, **kwargs):
        return services.organisation_create(**kwargs)

    @classmethod
    def _build(cls, model_class, **kwargs):
        kwargs.pop("parent", None)
        return model_class(**kwargs)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    full_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    gender = Gender.MALE
    date_of_birth = datetime.date(1990, 5, 17)
    citizen_id = factory.Sequence(lambda n: f"{n:012d}")


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member
        # The hook below only adds a movement row; the member itself needs no second save.
        skip_postgeneration_save = True

    person = factory.SubFactory(PersonFactory)
    cell = None
    status = MemberStatus.FULL
    admission_decision_date = datetime.date(2015, 3, 2)
    ceremony_date = datetime.date(2015, 3, 20)
    recognition_date = datetime.date(2016, 3, 20)

    @factory.post_generation
    def admitted(obj, create, extracted, **kwargs):
        # Every member enters the roll through a movement, as the count-on-date needs.
        if create and obj.admission_decision_date:
            MemberMovement.objects.create(
                member=obj, kind=MovementKind.ADMITTED, date=obj.admission_decision_date, organisation=obj.cell
            )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or "secret-pass-123")
        if create:
            obj.save(update_fields=["password"])


def grant(user, organisation, role) -> RoleAssignment:
    return RoleAssignment.objects.create(user=user, organisation=organisation, role=role)

"""Field validators shared by models and forms."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def validate_not_in_future(value) -> None:
    today = timezone.localdate()
    if value and value > today:
        raise ValidationError(
            _("Ngày %(value)s ở tương lai (hôm nay là %(today)s); ngày này phải là ngày đã qua."),
            code="future_date",
            params={"value": value.strftime("%d/%m/%Y"), "today": today.strftime("%d/%m/%Y")},
        )

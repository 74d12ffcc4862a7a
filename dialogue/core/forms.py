"""Form fields shared by every module: Vietnamese dates and type-to-search pickers."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectChoice, SelectField, StringField
from wtforms import TimeField as BaseTimeField
from wtforms.validators import Length, ValidationError

from .time import format_date, parse_date


class DateField(StringField):
    """A date typed as dd/mm/yyyy, whatever the browser's language."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {}).update(
            {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off",
             "class": "date-input"}
        )
        super().__init__(label, validators, **kwargs)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return format_date(self.data) if self.data else ""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0].strip():
            try:
                self.data = parse_date(valuelist[0])
            except ValueError:
                raise ValueError(_l("Ngày phải có dạng dd/mm/yyyy, ví dụ 02/03/2026.")) from None


class PickerField(HiddenField):
    """The id of an object chosen by typing its name; ``label_field`` keeps what was shown."""

    def __init__(self, label=None, validators=None, *, search_url: str, label_field: str,
                 **kwargs):
        super().__init__(label, validators, **kwargs)
        self.search_url = search_url
        self.label_field = label_field

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0].strip():
            try:
                self.data = int(valuelist[0])
            except ValueError:
                raise ValueError(_l("Hãy chọn từ danh sách gợi ý.")) from None

    def _value(self):
        return "" if self.data is None else str(self.data)


def required_choice(message):
    def check(form, field):
        if field.data is None:
            raise ValidationError(message)

    return check


class ChoiceField(SelectField):
    """A select of (value, label) pairs whose refusal of a forged value reads in Vietnamese."""

    def __init__(self, label=None, validators=None, choices=(), **kwargs):
        super().__init__(label, validators,
                         choices=[SelectChoice(value, text) for value, text in choices], **kwargs)

    def pre_validate(self, form):
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(_l("Lựa chọn không hợp lệ.")) from None


class TimeField(BaseTimeField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Giờ phải có dạng HH:MM, ví dụ 08:00.")) from None


def max_length(limit: int) -> Length:
    return Length(max=limit, message=_l("Tối đa %(max)d ký tự."))


def submitted_version(form) -> int | None:
    """The record version the form was opened on (its hidden ``version`` field)."""
    value = form.version.data or ""
    return int(value) if value.isdigit() else None

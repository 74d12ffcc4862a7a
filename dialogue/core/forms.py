"""Form fields shared by every module: Vietnamese dates, pickers, e-mail addresses, versions,
ids."""

import re

from flask_babel import lazy_gettext as _l
from wtforms import FieldList, HiddenField, SelectChoice, SelectField, StringField
from wtforms import IntegerField as BaseIntegerField
from wtforms import TimeField as BaseTimeField
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from ..extensions import db
from .time import format_date, parse_date

#: Ids are 32-bit in the database: anything larger cannot name a row, and would overflow.
MAX_ID = 2**31 - 1
#: Years a session can sensibly have; outside them dates overflow UTC conversions.
FIRST_YEAR, LAST_YEAR = 1900, 2100
TIME_FORMAT_MESSAGE = _l("Giờ phải có dạng HH:MM, ví dụ 08:00.")


def to_id(value) -> int | None:
    """A row id from user input, or None when it cannot be one."""
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


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
                day = parse_date(valuelist[0])
            except ValueError:
                raise ValueError(_l("Ngày phải có dạng dd/mm/yyyy, ví dụ 02/03/2026.")) from None
            if not FIRST_YEAR <= day.year <= LAST_YEAR:
                raise ValueError(_l("Năm phải từ %(first)d đến %(last)d.",
                                    first=FIRST_YEAR, last=LAST_YEAR))
            self.data = day


class TimeField(BaseTimeField):
    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"step": 300})
        super().__init__(label, [InputRequired(TIME_FORMAT_MESSAGE), *(validators or [])],
                         **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(TIME_FORMAT_MESSAGE) from None


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
            self.data = to_id(valuelist[0])
            if self.data is None:
                raise ValueError(_l("Hãy chọn từ danh sách gợi ý."))

    def _value(self):
        return "" if self.data is None else str(self.data)


def resolve_pick(field: PickerField, model, message):
    """The object a picker names, or None with ``message`` beside the field."""
    if field.data is None:
        return None
    obj = db.session.get(model, field.data)
    if obj is None:
        field.errors = [*field.errors, message]
    return obj


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

    def offer(self, choices) -> None:
        """Set the (value, label) pairs at request time (from the database)."""
        self.choices = [SelectChoice(value, text) for value, text in choices]

    def pre_validate(self, form):
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(_l("Lựa chọn không hợp lệ.")) from None


class NumberField(BaseIntegerField):
    """A whole number whose refusal of text reads in Vietnamese."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Hãy nhập một số nguyên.")) from None


class RowList(FieldList):
    """Repeated rows (participants, connection points) with a bound on their number.

    WTForms reads row indices with ``str.isdigit()``, which "²" passes and ``int()`` then
    refuses; only ASCII digits are rows here.
    """

    _INDEX = re.compile(r"^(\d+)-", re.ASCII)

    def __init__(self, unbound_field, label=None, *, max_entries: int, **kwargs):
        super().__init__(unbound_field, label, max_entries=max_entries, **kwargs)

    def _extract_indices(self, prefix, formdata):
        offset = len(prefix) + 1
        for key in formdata:
            if key.startswith(prefix) and (match := self._INDEX.match(key[offset:] + "-")):
                yield int(match.group(1)[:6])


def max_length(limit: int) -> Length:
    return Length(max=limit, message=_l("Tối đa %(max)d ký tự."))


class EmailAddressField(StringField):
    """An optional e-mail address (where the notices go), spaces around it dropped; a text
    input (not type=email), so the refusal is ours, in Vietnamese, beside the field.

    The validator refuses anything but one address, so a line break (a second header a
    mail could be made to carry: "a@b.vn\\r\\nBcc: …") never reaches the database.
    """

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "email", "autocomplete": "off",
                                        "spellcheck": "false"})
        super().__init__(label, [
            Optional(), Email(_l("Địa chỉ thư điện tử không hợp lệ.")), max_length(254),
            *(validators or [])], filters=[lambda text: text.strip() if text else text],
            **kwargs)


def submitted_version(form) -> int:
    """The record version the form was opened on (its hidden ``version`` field).

    A form without a readable version cannot prove it saw the current record, so it gets
    0, which no saved record has: the save is refused as stale rather than let through.
    """
    return to_id(form.version.data) or 0

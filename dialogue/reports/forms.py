from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import Optional

from ..core.forms import ChoiceField, DateField, NumberField, PickerField
from .periods import QUARTER_NUMERALS, PeriodKind


class ReportForm(FlaskForm):
    """The period and unit of a report; read from the query string, so links can carry it."""

    class Meta:
        csrf = False

    period = ChoiceField(_l("Kỳ báo cáo"), choices=PeriodKind.choices(),
                         default=PeriodKind.YEAR.value)
    year = NumberField(_l("Năm"), [Optional()])
    month = ChoiceField(_l("Tháng"), choices=[(str(m), str(m)) for m in range(1, 13)],
                        default="1")
    quarter = ChoiceField(_l("Quý"), default="1", choices=[
        (str(number), numeral) for number, numeral in enumerate(QUARTER_NUMERALS, start=1)])
    date_from = DateField(_l("Từ ngày"), [Optional()])
    date_to = DateField(_l("Đến ngày"), [Optional()])
    unit_id = PickerField(_l("Đơn vị (gồm cả cấp dưới)"), search_url="units.search",
                          label_field="unit_label")
    unit_label = StringField()
    roll_up = BooleanField(_l("Tính số liệu đơn vị cũ vào đơn vị kế thừa (từ 01/07/2025)"))

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from ..core.forms import (
    ChoiceField,
    DateField,
    EmailAddressField,
    NumberField,
    PickerField,
    max_length,
)
from .models import CommitmentStatus, IssueKind, IssueOutcome


class IssueForm(FlaskForm):
    raised_by = StringField(_l("Người nêu"), validators=[
        DataRequired(_l("Hãy ghi người nêu ý kiến.")), max_length(200)],
        render_kw={"placeholder": _l("Họ tên, ví dụ: Ông Rơ Châm Tuấn")})
    locality = StringField(_l("Thôn, làng, tổ dân phố"), validators=[max_length(200)])
    contact = StringField(_l("Điện thoại hoặc địa chỉ (không công khai)"),
                          validators=[max_length(300)])
    citizen_email = EmailAddressField(
        _l("Thư điện tử của người nêu (không công khai; để báo kết quả giải quyết)"))
    kind = ChoiceField(_l("Loại"), choices=IssueKind.choices())
    field_id = ChoiceField(_l("Lĩnh vực"), choices=[])
    content = TextAreaField(_l("Nội dung"), validators=[
        DataRequired(_l("Hãy ghi nội dung ý kiến.")), max_length(10000)])
    answered_by = StringField(_l("Người trả lời"), validators=[max_length(300)])
    answer = TextAreaField(_l("Trả lời tại hội nghị"), validators=[max_length(10000)])
    outcome = ChoiceField(_l("Kết quả"), choices=IssueOutcome.choices())
    version = HiddenField()


class CommitmentForm(FlaskForm):
    agency_name = StringField(_l("Cơ quan thực hiện"), validators=[
        DataRequired(_l("Hãy ghi cơ quan thực hiện.")), max_length(300)],
        render_kw={"list": "agency-names", "autocomplete": "off"})
    official_id = PickerField(_l("Cán bộ phụ trách (nếu có)"), search_url="officials.search",
                              label_field="official_label")
    official_label = StringField()
    action = TextAreaField(_l("Việc phải làm"), validators=[
        DataRequired(_l("Hãy ghi việc phải làm.")), max_length(5000)])
    due_on = DateField(_l("Hạn (ngày cụ thể)"), [Optional()])
    working_days = NumberField(_l("…hoặc số ngày làm việc kể từ ngày hội nghị"), validators=[
        Optional(), NumberRange(1, 365, _l("Số ngày làm việc phải từ 1 đến 365."))])
    version = HiddenField()


class AgencyEmailForm(FlaskForm):
    email = EmailAddressField(_l("Thư điện tử của cơ quan (nhận thư tổng hợp việc được giao)"))


class StatusForm(FlaskForm):
    status = ChoiceField(_l("Tình trạng mới"), choices=CommitmentStatus.choices())
    note = TextAreaField(_l("Lý do, căn cứ"), validators=[max_length(2000)])
    version = HiddenField()


class InformedForm(FlaskForm):
    citizen_informed_on = DateField(_l("Ngày trả lời công dân bằng văn bản"), [
        InputRequired(_l("Hãy nhập ngày."))])
    version = HiddenField()


class ProgressForm(FlaskForm):
    on = DateField(_l("Ngày"), [InputRequired(_l("Hãy nhập ngày."))])
    text = TextAreaField(_l("Tiến độ"), validators=[
        DataRequired(_l("Hãy ghi nội dung cập nhật.")), max_length(5000)])
    attachment = FileField(_l("Văn bản kèm theo (PDF, ảnh, Word, Excel)"))


class FieldForm(FlaskForm):
    name = StringField(_l("Tên lĩnh vực"), validators=[
        DataRequired(_l("Hãy nhập tên lĩnh vực.")), max_length(200)])


class HolidayForm(FlaskForm):
    day = DateField(_l("Ngày nghỉ"), [InputRequired(_l("Hãy nhập ngày."))])
    name = StringField(_l("Tên ngày lễ"), validators=[
        DataRequired(_l("Hãy nhập tên ngày lễ.")), max_length(200)])


class BoardFilterForm(FlaskForm):
    class Meta:
        csrf = False

    unit_id = PickerField(_l("Đơn vị (gồm cả cấp dưới)"), search_url="units.search",
                          label_field="unit_label")
    unit_label = StringField()
    agency_id = ChoiceField(_l("Cơ quan"), choices=[], default="")
    field_id = ChoiceField(_l("Lĩnh vực"), choices=[], default="")
    status = ChoiceField(_l("Tình trạng"),
                         choices=[("", _l("Đang mở")), *CommitmentStatus.choices()], default="")
    due_before = DateField(_l("Hạn đến ngày"), [Optional()])

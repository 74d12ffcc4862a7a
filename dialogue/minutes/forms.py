from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Form, FormField, HiddenField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    NumberRange,
    Optional,
    ValidationError,
)

from ..core.forms import ChoiceField, NumberField, PickerField, RowList, max_length
from .models import MinutesTemplate
from .operations import MAX_ATTENDANCE_GROUPS


class AttendanceForm(Form):
    label = StringField(_l("Thành phần"), validators=[max_length(200)])
    count = NumberField(_l("Số người"), validators=[
        Optional(), NumberRange(0, 100000, _l("Số người phải từ 0 đến 100.000."))])

    def validate_label(self, field):
        # A count without a group name would be dropped, losing what was typed.
        if self.count.data and not (field.data or "").strip():
            raise ValidationError(_l("Hãy ghi thành phần, hoặc xóa cả dòng."))


class MinutesForm(FlaskForm):
    template = ChoiceField(_l("Mẫu văn bản"), choices=MinutesTemplate.choices())
    parent_body = StringField(_l("Cơ quan chủ quản (nếu có)"), validators=[max_length(200)])
    issuing_body = StringField(_l("Cơ quan ban hành"), validators=[
        DataRequired(_l("Hãy ghi tên cơ quan ban hành.")), max_length(200)])
    number = NumberField(_l("Số văn bản (để trống: cấp số tự động khi hoàn thiện)"),
                         validators=[Optional(), NumberRange(
                             1, 999999, _l("Số văn bản phải từ 1 đến 999.999."))])
    symbol = StringField(_l("Ký hiệu"), validators=[
        DataRequired(_l("Hãy ghi ký hiệu, ví dụ BB-UBND.")), max_length(40)])
    place_name = StringField(_l("Địa danh ở dòng ngày tháng"), validators=[
        DataRequired(_l("Hãy ghi địa danh.")), max_length(100)])
    attendance = RowList(FormField(AttendanceForm), min_entries=1,
                         max_entries=MAX_ATTENDANCE_GROUPS)
    attendees = TextAreaField(_l("Đại biểu tham dự (mỗi dòng một người)"),
                              validators=[max_length(20000)])
    conclusions = TextAreaField(_l("Kết luận của chủ trì hội nghị"),
                                validators=[max_length(50000)])
    signing_note = TextAreaField(
        _l("Ghi chú về việc ký (ví dụ: người từ chối ký và lý do)"),
        validators=[max_length(5000)])
    copies = NumberField(_l("Số bản"), validators=[
        InputRequired(_l("Hãy ghi số bản.")),
        NumberRange(1, 99, _l("Số bản phải từ 1 đến 99."))])
    recipients = TextAreaField(_l("Nơi nhận (mỗi dòng một nơi)"),
                               validators=[max_length(5000)])
    version = HiddenField()


class CorrectionForm(FlaskForm):
    reason = TextAreaField(_l("Lý do đính chính"), validators=[
        DataRequired(_l("Hãy ghi lý do đính chính.")), max_length(2000)])
    version = HiddenField()


class VerifyForm(FlaskForm):
    class Meta:
        csrf = False  # a lookup by GET: nothing changes

    code = StringField(_l("Mã xác thực hoặc SHA-256 của tệp"), validators=[max_length(200)])


class ArchiveExportForm(FlaskForm):
    year = NumberField(_l("Năm"), validators=[
        InputRequired(_l("Hãy ghi năm.")),
        NumberRange(2000, 2100, _l("Năm phải từ 2000 đến 2100."))])
    unit_id = PickerField(_l("Đơn vị (gồm cả cấp dưới và đơn vị cũ trước sáp nhập)"),
                          search_url="units.search", label_field="unit_label")
    unit_label = StringField()

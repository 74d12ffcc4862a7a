from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Optional

from ..core.forms import ChoiceField as SelectField
from ..core.forms import DateField, PickerField, TimeField, max_length, required_choice
from ..units.models import UnitLevel
from .models import ParticipantRole, SessionFormat, SessionKind, SessionStatus

TIME_MESSAGE = _l("Giờ phải có dạng HH:MM, ví dụ 08:00.")


def _time(label):
    return TimeField(label, validators=[InputRequired(TIME_MESSAGE)],
                     render_kw={"step": 300})


def _date(label, *validators):
    return DateField(label, validators=[*validators])


class ConnectionPointForm(Form):
    name = StringField(_l("Tên điểm cầu"), validators=[max_length(200)])
    place = StringField(_l("Nơi đặt điểm cầu"), validators=[max_length(300)])


class ParticipantForm(Form):
    full_name = StringField(_l("Họ và tên"), validators=[max_length(120)])
    role = SelectField(_l("Thành phần"), choices=ParticipantRole.choices(),
                       default=ParticipantRole.CITIZEN_REPRESENTATIVE.value)
    organisation = StringField(_l("Cơ quan, đơn vị"), validators=[max_length(200)])
    email = StringField(_l("Thư điện tử"), validators=[
        Optional(), Email(_l("Địa chỉ thư điện tử không hợp lệ.")), max_length(254)])


class SessionForm(FlaskForm):
    title = StringField(_l("Tên hội nghị đối thoại"), validators=[
        DataRequired(_l("Hãy nhập tên hội nghị đối thoại.")),
        max_length(300)])
    unit_id = PickerField(_l("Đơn vị hành chính"), search_url="units.search",
                          label_field="unit_label",
                          validators=[required_choice(_l("Hãy chọn đơn vị hành chính."))])
    unit_label = StringField()
    kind = SelectField(_l("Loại hội nghị"), choices=SessionKind.choices())
    format = SelectField(_l("Hình thức"), choices=SessionFormat.choices())
    starts_on = _date(_l("Ngày bắt đầu"), InputRequired(_l("Hãy nhập ngày tổ chức.")))
    starts_time = _time(_l("Giờ bắt đầu"))
    ends_on = _date(_l("Ngày kết thúc (nếu khác ngày)"), Optional())
    ends_time = _time(_l("Giờ kết thúc"))
    venue = StringField(_l("Địa điểm"), validators=[max_length(300)])
    topic = TextAreaField(_l("Chủ đề"), validators=[max_length(5000)])
    agenda = TextAreaField(_l("Chương trình"), validators=[max_length(20000)])
    chair_id = PickerField(_l("Chủ trì"), search_url="officials.search",
                           label_field="chair_label")
    chair_label = StringField()
    chair_name = StringField(_l("…hoặc khách mời chủ trì (ghi họ tên, chức vụ)"),
                             validators=[max_length(200)])
    secretary_id = PickerField(_l("Thư ký"), search_url="officials.search",
                               label_field="secretary_label")
    secretary_label = StringField()
    secretary_name = StringField(_l("…hoặc thư ký ngoài danh sách"),
                                 validators=[max_length(200)])
    is_public = BooleanField(_l("Phiên công khai (không phải họp nội bộ)"), default=True)
    connection_points = FieldList(FormField(ConnectionPointForm), min_entries=2)
    participants = FieldList(FormField(ParticipantForm), min_entries=3)
    version = HiddenField()


class EditSessionForm(SessionForm):
    """Everything but the time: moving a session is a reschedule, with a reason."""

    starts_on = None
    starts_time = None
    ends_on = None
    ends_time = None


class RescheduleForm(FlaskForm):
    starts_on = _date(_l("Ngày bắt đầu mới"), InputRequired(_l("Hãy nhập ngày tổ chức.")))
    starts_time = _time(_l("Giờ bắt đầu"))
    ends_on = _date(_l("Ngày kết thúc (nếu khác ngày)"), Optional())
    ends_time = _time(_l("Giờ kết thúc"))
    venue = StringField(_l("Địa điểm"), validators=[max_length(300)])
    reason = TextAreaField(_l("Lý do dời lịch"), validators=[
        DataRequired(_l("Hãy ghi lý do dời lịch.")), max_length(2000)])
    version = HiddenField()


class StatusForm(FlaskForm):
    reason = TextAreaField(_l("Lý do"), validators=[max_length(2000)])
    version = HiddenField()


def _blank_choice(choices):
    return [("", _l("Tất cả")), *choices]


class SessionFilterForm(FlaskForm):
    """The filters above the list and the calendar; read from the query string."""

    class Meta:
        csrf = False

    level = SelectField(_l("Cấp"), choices=_blank_choice(UnitLevel.choices()), default="")
    unit_id = PickerField(_l("Đơn vị (gồm cả cấp dưới)"), search_url="units.search",
                          label_field="unit_label")
    unit_label = StringField()
    status = SelectField(_l("Trạng thái"), choices=_blank_choice(SessionStatus.choices()),
                         default="")
    kind = SelectField(_l("Loại"), choices=_blank_choice(SessionKind.choices()), default="")
    date_from = _date(_l("Từ ngày"), Optional())
    date_to = _date(_l("Đến ngày"), Optional())
    q = StringField(_l("Tìm theo tên, chủ đề, địa điểm"), validators=[max_length(200)])

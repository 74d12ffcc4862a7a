from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Form, FormField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from ..core.forms import ChoiceField as SelectField
from ..core.forms import (
    DateField,
    EmailAddressField,
    PickerField,
    RowList,
    TimeField,
    max_length,
    required_choice,
)
from ..units.models import UnitLevel
from .models import ParticipantRole, SessionFormat, SessionKind, SessionStatus

#: Gia Lai's 2024 provincial dialogue had 18 connection points; these bounds are generous.
MAX_CONNECTION_POINTS = 200
MAX_PARTICIPANTS = 500


NAME_MISSING = _l("Hãy nhập tên, hoặc xóa cả dòng.")


def _filled(*fields) -> bool:
    return any((field.data or "").strip() for field in fields)


class ConnectionPointForm(Form):
    name = StringField(_l("Tên điểm cầu"), validators=[max_length(200)])
    place = StringField(_l("Nơi đặt điểm cầu"), validators=[max_length(300)])

    def validate_name(self, field):
        # A row with a place but no name would be dropped, losing what was typed.
        if _filled(self.place) and not _filled(field):
            raise ValidationError(NAME_MISSING)


class ParticipantForm(Form):
    full_name = StringField(_l("Họ và tên"), validators=[max_length(120)])
    role = SelectField(_l("Thành phần"), choices=ParticipantRole.choices(),
                       default=ParticipantRole.CITIZEN_REPRESENTATIVE.value)
    organisation = StringField(_l("Cơ quan, đơn vị"), validators=[max_length(200)])
    email = EmailAddressField(_l("Thư điện tử"))

    def validate_full_name(self, field):
        if _filled(self.organisation, self.email) and not _filled(field):
            raise ValidationError(NAME_MISSING)


def _not_both(picked: str):
    """Free text beside a picker is for guests: refuse it when an official is picked too."""

    def check(form, field):
        if (field.data or "").strip() and form[picked].data is not None:
            raise ValidationError(_l("Đã chọn cán bộ ở ô trên: để trống ô này, hoặc xóa "
                                     "lựa chọn ở ô trên."))

    return check


class SessionForm(FlaskForm):
    title = StringField(_l("Tên hội nghị đối thoại"), validators=[
        DataRequired(_l("Hãy nhập tên hội nghị đối thoại.")), max_length(300)])
    unit_id = PickerField(_l("Đơn vị hành chính"), search_url="units.search",
                          label_field="unit_label",
                          validators=[required_choice(_l("Hãy chọn đơn vị hành chính."))])
    unit_label = StringField()
    kind = SelectField(_l("Loại hội nghị"), choices=SessionKind.choices())
    format = SelectField(_l("Hình thức"), choices=SessionFormat.choices())
    starts_on = DateField(_l("Ngày bắt đầu"), [InputRequired(_l("Hãy nhập ngày tổ chức."))])
    starts_time = TimeField(_l("Giờ bắt đầu"))
    ends_on = DateField(_l("Ngày kết thúc (nếu khác ngày)"), [Optional()])
    ends_time = TimeField(_l("Giờ kết thúc"))
    venue = StringField(_l("Địa điểm"), validators=[max_length(300)])
    topic = TextAreaField(_l("Chủ đề"), validators=[max_length(5000)])
    agenda = TextAreaField(_l("Chương trình"), validators=[max_length(20000)])
    chair_id = PickerField(_l("Chủ trì"), search_url="officials.search",
                           label_field="chair_label")
    chair_label = StringField()
    chair_name = StringField(_l("…hoặc khách mời chủ trì (ghi họ tên, chức vụ)"),
                             validators=[max_length(200), _not_both("chair_id")])
    secretary_id = PickerField(_l("Thư ký"), search_url="officials.search",
                               label_field="secretary_label")
    secretary_label = StringField()
    secretary_name = StringField(_l("…hoặc thư ký ngoài danh sách"),
                                 validators=[max_length(200), _not_both("secretary_id")])
    is_public = BooleanField(_l("Phiên công khai (không phải họp nội bộ)"), default=True)
    connection_points = RowList(FormField(ConnectionPointForm), min_entries=2,
                                max_entries=MAX_CONNECTION_POINTS)
    participants = RowList(FormField(ParticipantForm), min_entries=3,
                           max_entries=MAX_PARTICIPANTS)
    version = HiddenField()


class EditSessionForm(SessionForm):
    """Everything but time and venue: moving a session is a reschedule, with a reason."""

    starts_on = None
    starts_time = None
    ends_on = None
    ends_time = None
    venue = None


class RescheduleForm(FlaskForm):
    starts_on = DateField(_l("Ngày bắt đầu mới"), [InputRequired(_l("Hãy nhập ngày tổ chức."))])
    starts_time = TimeField(_l("Giờ bắt đầu"))
    ends_on = DateField(_l("Ngày kết thúc (nếu khác ngày)"), [Optional()])
    ends_time = TimeField(_l("Giờ kết thúc"))
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
    date_from = DateField(_l("Từ ngày"), [Optional()])
    date_to = DateField(_l("Đến ngày"), [Optional()])
    q = StringField(_l("Tìm theo tên, chủ đề, địa điểm"), validators=[max_length(200)])

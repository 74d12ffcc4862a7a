from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired

from ..core.forms import EmailAddressField, PickerField, max_length, required_choice


class OfficialForm(FlaskForm):
    full_name = StringField(_l("Họ và tên"), validators=[
        DataRequired(_l("Hãy nhập họ và tên.")), max_length(120)])
    position = StringField(_l("Chức vụ"), validators=[
        DataRequired(_l("Hãy nhập chức vụ, ví dụ “Chủ tịch UBND xã”.")), max_length(200)])
    unit_id = PickerField(_l("Đơn vị công tác"), search_url="units.search",
                          label_field="unit_label",
                          validators=[required_choice(_l("Hãy chọn đơn vị hành chính."))])
    unit_label = StringField()
    email = EmailAddressField(_l("Thư điện tử (nhận giấy mời)"))
    #: Only an administrator links an account: it lets a leader see what they chair.
    account = StringField(_l("Tài khoản đăng nhập của cán bộ (để lãnh đạo xem lịch mình chủ "
                             "trì)"), validators=[max_length(64)])
    version = HiddenField()

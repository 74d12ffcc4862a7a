from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField

from ..core.forms import ChoiceField, max_length
from .models import DeliveryState, NoticeKind


class OutboxFilterForm(FlaskForm):
    state = ChoiceField(_l("Trạng thái"), choices=[("", _l("Tất cả")), *DeliveryState.choices()])
    kind = ChoiceField(_l("Loại thư"), choices=[("", _l("Tất cả")), *NoticeKind.choices()])
    email = StringField(_l("Địa chỉ người nhận"), validators=[max_length(254)])


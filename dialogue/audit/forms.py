from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Optional

from ..core.forms import ChoiceField, DateField, max_length
from .models import AuditAction

OBJECT_TYPES = [("", _l("Tất cả")), ("session", _l("Phiên đối thoại")),
                ("official", _l("Cán bộ")), ("user", _l("Tài khoản"))]


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    actor = StringField(_l("Người thực hiện"), validators=[max_length(100)])
    action = ChoiceField(_l("Thao tác"), choices=[("", _l("Tất cả")), *AuditAction.choices()],
                         default="")
    object_type = ChoiceField(_l("Đối tượng"), choices=OBJECT_TYPES, default="")
    date_from = DateField(_l("Từ ngày"), [Optional()])
    date_to = DateField(_l("Đến ngày"), [Optional()])

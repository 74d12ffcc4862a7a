from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo

from ..core.forms import ChoiceField, EmailAddressField, PickerField, max_length
from .models import Role

LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]


class LoginForm(FlaskForm):
    username = StringField(_l("Tên đăng nhập"), validators=[
        DataRequired(_l("Hãy nhập tên đăng nhập.")), max_length(64)],
        render_kw={"autocomplete": "username", "autocapitalize": "none"})
    password = PasswordField(_l("Mật khẩu"), validators=[
        DataRequired(_l("Hãy nhập mật khẩu.")), max_length(200)],
        render_kw={"autocomplete": "current-password"})
    next = HiddenField()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Mật khẩu hiện tại"), validators=[
        DataRequired(_l("Hãy nhập mật khẩu hiện tại.")), max_length(200)],
        render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(_l("Mật khẩu mới"), validators=[
        DataRequired(_l("Hãy nhập mật khẩu mới.")), max_length(200)],
        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Nhập lại mật khẩu mới"), validators=[
        EqualTo("new_password", _l("Hai lần nhập mật khẩu mới không khớp."))],
        render_kw={"autocomplete": "new-password"})


class UserForm(FlaskForm):
    username = StringField(_l("Tên đăng nhập"), validators=[
        DataRequired(_l("Hãy nhập tên đăng nhập.")), max_length(64)])
    full_name = StringField(_l("Họ và tên"), validators=[
        DataRequired(_l("Hãy nhập họ và tên.")), max_length(120)])
    email = EmailAddressField(_l("Thư điện tử"))
    language = ChoiceField(_l("Ngôn ngữ"), choices=LANGUAGES, default="vi")
    is_active = BooleanField(_l("Đang hoạt động"), default=True)
    version = HiddenField()


class NewUserForm(UserForm):
    password = PasswordField(_l("Mật khẩu ban đầu"), validators=[
        DataRequired(_l("Hãy nhập mật khẩu ban đầu.")), max_length(200)],
        render_kw={"autocomplete": "new-password"})
    role = ChoiceField(_l("Vai trò"), choices=Role.choices())
    unit_id = PickerField(_l("Trên đơn vị"), search_url="units.search", label_field="unit_label")
    unit_label = StringField()


class EditUserForm(UserForm):
    username = None


class RoleForm(FlaskForm):
    role = ChoiceField(_l("Vai trò"), choices=Role.choices())
    unit_id = PickerField(_l("Trên đơn vị"), search_url="units.search", label_field="unit_label")
    unit_label = StringField()


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField(_l("Mật khẩu tạm thời"), validators=[
        DataRequired(_l("Hãy nhập mật khẩu mới.")), max_length(200)],
        render_kw={"autocomplete": "new-password"})

"""Errors a user can cause: each carries a Vietnamese message for the interface."""

from flask_babel import lazy_gettext as _l


class UserError(Exception):
    """A rule the user broke; ``field`` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class StaleEdit(UserError):
    """Someone saved the same record since this form was opened."""

    def __init__(self):
        super().__init__(_l("Bản ghi vừa được người khác cập nhật trong lúc bạn sửa. Hãy tải lại "
                            "trang, xem thay đổi của họ rồi nhập lại."))


def check_version(obj, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != obj.version:
        raise StaleEdit()

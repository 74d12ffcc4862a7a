"""Creating accounts from the command line, as an installer would."""

from dialogue.accounts.models import Role
from dialogue.accounts.operations import find_user


def test_users_create_asks_the_password_twice_and_gives_the_role(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "thuky.iagrai", "--role", "secretary", "--unit", "23764",
              "--full-name", "Nguyễn Thị Hồng Nhung"],
        input="mat-khau-2026\nmat-khau-2026\n")

    assert result.exit_code == 0, result.output
    assert "mat-khau-2026" not in result.output  # typed without echo
    assert "Đã tạo thuky.iagrai: Thư ký, văn phòng — Xã Ia Grai." in result.output
    user = find_user("thuky.iagrai")
    assert [(a.role, a.unit.name) for a in user.roles] == [(Role.SECRETARY, "Xã Ia Grai")]


def test_users_create_refuses_an_unknown_unit_and_a_short_password(app):
    runner = app.test_cli_runner()
    unknown = runner.invoke(args=["users", "create", "ai.do", "--role", "viewer",
                                  "--unit", "99999"], input="mat-khau-2026\nmat-khau-2026\n")
    assert unknown.exit_code != 0
    assert "khớp 0 đơn vị" in unknown.output

    short = runner.invoke(args=["users", "create", "ai.do", "--role", "admin"],
                          input="ngan\nngan\n")
    assert short.exit_code != 0
    assert "Mật khẩu cần ít nhất 8 ký tự." in short.output
    assert find_user("ai.do") is None

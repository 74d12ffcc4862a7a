"""Accounts on the units of Gia Lai, one per role.

``leader`` (lanhdao) and ``viewer`` (xem) hold their role on Xã Ia Grai; the secretaries of
the province and of the commune and the administrator come from tests/conftest.py.
"""

import pytest

from dialogue.accounts.models import Role


@pytest.fixture
def leader_official(create_official):
    return create_official(full_name="Rơ Mah Tuấn", position="Bí thư Đảng ủy xã Ia Grai",
                           unit="Xã Ia Grai")


@pytest.fixture
def leader(create_user, leader_official):
    return create_user("lanhdao", Role.LEADER, "Xã Ia Grai", full_name="Rơ Mah Tuấn",
                       official=leader_official)


@pytest.fixture
def viewer(create_user):
    return create_user("xem", Role.VIEWER, "Xã Ia Grai", full_name="Siu H’Lan")

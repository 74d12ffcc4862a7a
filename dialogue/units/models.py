"""Administrative units of Vietnam, in both the legacy and the 2025 structure."""

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import LabelledEnum, enum_column, set_labels
from ..extensions import db


class Era(LabelledEnum):
    LEGACY = "legacy"
    Y2025 = "2025"


set_labels(Era, {
    Era.LEGACY: _l("Trước 01/07/2025 (3 cấp)"),
    Era.Y2025: _l("Từ 01/07/2025 (2 cấp)"),
})

#: The last day of the three-tier structure and the first of the two-tier one.
LEGACY_LAST_DAY = date(2025, 6, 30)
REFORM_DAY = date(2025, 7, 1)


class UnitLevel(LabelledEnum):
    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"


set_labels(UnitLevel, {
    UnitLevel.PROVINCE: _l("Cấp tỉnh"),
    UnitLevel.DISTRICT: _l("Cấp huyện"),
    UnitLevel.COMMUNE: _l("Cấp xã"),
})


class UnitKind(LabelledEnum):
    TINH = "tinh"
    THANH_PHO_TRUNG_UONG = "thanh_pho_trung_uong"
    HUYEN = "huyen"
    QUAN = "quan"
    THI_XA = "thi_xa"
    THANH_PHO = "thanh_pho"
    XA = "xa"
    PHUONG = "phuong"
    THI_TRAN = "thi_tran"
    DAC_KHU = "dac_khu"

    @property
    def level(self) -> UnitLevel:
        return KIND_LEVELS[self]


KIND_LEVELS = {
    UnitKind.TINH: UnitLevel.PROVINCE,
    UnitKind.THANH_PHO_TRUNG_UONG: UnitLevel.PROVINCE,
    UnitKind.HUYEN: UnitLevel.DISTRICT,
    UnitKind.QUAN: UnitLevel.DISTRICT,
    UnitKind.THI_XA: UnitLevel.DISTRICT,
    UnitKind.THANH_PHO: UnitLevel.DISTRICT,
    UnitKind.XA: UnitLevel.COMMUNE,
    UnitKind.PHUONG: UnitLevel.COMMUNE,
    UnitKind.THI_TRAN: UnitLevel.COMMUNE,
    UnitKind.DAC_KHU: UnitLevel.COMMUNE,
}

set_labels(UnitKind, {
    UnitKind.TINH: _l("Tỉnh"),
    UnitKind.THANH_PHO_TRUNG_UONG: _l("Thành phố trực thuộc trung ương"),
    UnitKind.HUYEN: _l("Huyện"),
    UnitKind.QUAN: _l("Quận"),
    UnitKind.THI_XA: _l("Thị xã"),
    UnitKind.THANH_PHO: _l("Thành phố thuộc tỉnh"),
    UnitKind.XA: _l("Xã"),
    UnitKind.PHUONG: _l("Phường"),
    UnitKind.THI_TRAN: _l("Thị trấn"),
    UnitKind.DAC_KHU: _l("Đặc khu"),
})


#: How many digits an official code has at each level (GSO numbering: "52", "00004").
CODE_DIGITS = {UnitLevel.PROVINCE: 2, UnitLevel.DISTRICT: 3, UnitLevel.COMMUNE: 5}

_KIND_PREFIX = re.compile(
    r"^(Thành phố|Thị xã|Thị trấn|Đặc khu|Tỉnh|Huyện|Quận|Xã|Phường)\s+")


class Unit(db.Model):
    """A province, district or commune as it existed in one era.

    Official codes were reused with other meanings in 2025, so a code means nothing
    without its era (and level: legacy provinces, districts and communes number apart).
    """

    __tablename__ = "units"
    __table_args__ = (
        UniqueConstraint("era", "level", "code"),
        CheckConstraint(
            "valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from",
            name="valid_period",
        ),
        Index(None, "parent_id"),
        Index(None, "level", "name_folded"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    era: Mapped[Era] = mapped_column(enum_column(Era))
    code: Mapped[int]
    name: Mapped[str] = mapped_column(db.String(120))
    #: The name without diacritics, lower-case: what type-to-search compares with.
    name_folded: Mapped[str] = mapped_column(db.String(120))
    level: Mapped[UnitLevel] = mapped_column(enum_column(UnitLevel))
    kind: Mapped[UnitKind] = mapped_column(enum_column(UnitKind))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    #: The province above a district or commune: scopes filters without walking parents.
    province_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]

    parent: Mapped["Unit | None"] = relationship(
        remote_side=[id], foreign_keys=[parent_id], back_populates="children"
    )
    children: Mapped[list["Unit"]] = relationship(
        foreign_keys=[parent_id], back_populates="parent", order_by="Unit.code"
    )
    province: Mapped["Unit | None"] = relationship(remote_side=[id], foreign_keys=[province_id])
    successors: Mapped[list["Unit"]] = relationship(
        secondary="unit_successions",
        primaryjoin="Unit.id == UnitSuccession.predecessor_id",
        secondaryjoin="Unit.id == UnitSuccession.successor_id",
        order_by="Unit.code",
        viewonly=True,
    )
    predecessors: Mapped[list["Unit"]] = relationship(
        secondary="unit_successions",
        primaryjoin="Unit.id == UnitSuccession.successor_id",
        secondaryjoin="Unit.id == UnitSuccession.predecessor_id",
        order_by="Unit.code",
        viewonly=True,
    )

    def is_valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    @property
    def display_name(self) -> str:
        """The name, marked when it is a unit of the former structure (names were reused)."""
        if self.era is Era.LEGACY:
            return f"{self.name} ({_l('trước 01/07/2025')})"
        return self.name

    @property
    def short_name(self) -> str:
        """The name without its kind, as a date line prints it: "Ia Grai", "Gia Lai"."""
        return _KIND_PREFIX.sub("", self.name) or self.name

    @property
    def code_text(self) -> str:
        """The official code as written, zero-padded: its length tells the level."""
        return f"{self.code:0{CODE_DIGITS[self.level]}d}"

    @property
    def full_name(self) -> str:
        """The name with the province, as a secretary reads it in a picker."""
        names = [self.name]
        unit = self.parent
        while unit is not None:
            names.append(unit.name)
            unit = unit.parent
        return ", ".join(names)

    def __repr__(self) -> str:
        return f"<Unit {self.era}/{self.level}/{self.code} {self.name}>"


class UnitSuccession(db.Model):
    """A legacy unit that became (all or part of) a unit of the 2025 structure."""

    __tablename__ = "unit_successions"

    predecessor_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    successor_id: Mapped[int] = mapped_column(
        ForeignKey("units.id"), primary_key=True, index=True
    )
    #: The predecessor was split: only part of it went to this successor.
    is_partial: Mapped[bool] = mapped_column(default=False)

"""Tables of the catalogue: product models and the parts that fit them, warranty (三包) policies,
customers and their registered appliances."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType

from sqlalchemy import Boolean, Column, Date, Float, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from core.db import Base, UtcDateTime, utcnow
from core.regions import Region
from inventory.models import Part


def normalise_component(name: str) -> str:
    """'Compressor', ' control_board ' -> 'compressor', 'control board': how policies and reports meet."""
    return " ".join(name.replace("_", " ").lower().split())


@dataclass(frozen=True)
class WarrantyTerms:
    return_days: int
    exchange_days: int
    free_repair_months: int
    # component key (dispatch.intake.faults) -> its own free-repair months.
    component_months: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    # 三包: after this many repairs of the same fault within the term, exchange or refund.
    repeat_repair_limit: int = 2


class WarrantyPolicy(Base):
    __tablename__ = "warranty_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    return_days: Mapped[int] = mapped_column(Integer, default=7)
    exchange_days: Mapped[int] = mapped_column(Integer, default=15)
    free_repair_months: Mapped[int] = mapped_column(Integer, default=12)
    # After this many failed repairs of the same fault within the repair term, the customer may
    # choose an exchange or a refund (三包).
    repeat_repair_limit: Mapped[int] = mapped_column(Integer, default=2, server_default="2")

    component_terms: Mapped[list[ComponentTerm]] = relationship(cascade="all, delete-orphan",
                                                                   order_by="ComponentTerm.component")

    @property
    def terms(self) -> WarrantyTerms:
        return self.terms_for(component=True)

    def terms_for(self, *, component: bool) -> WarrantyTerms:
        """The terms; the per-component ones only when a component is in question, so a report that
        names none does not load them (every report runs this)."""
        months = ({normalise_component(t.component): t.free_repair_months for t in self.component_terms}
                  if component else {})
        return WarrantyTerms(self.return_days, self.exchange_days, self.free_repair_months,
                             MappingProxyType(months), self.repeat_repair_limit)


class ComponentTerm(Base):
    """A component covered longer than the whole appliance (say a compressor for 36 months)."""

    __tablename__ = "warranty_component_terms"

    policy_id: Mapped[int] = mapped_column(ForeignKey("warranty_policies.id", ondelete="CASCADE"),
                                           primary_key=True)
    component: Mapped[str] = mapped_column(String(60), primary_key=True)
    free_repair_months: Mapped[int] = mapped_column(Integer)


model_parts = Table(
    "model_parts",
    Base.metadata,
    Column("product_model_id", ForeignKey("product_models.id", ondelete="CASCADE"), primary_key=True),
    Column("part_id", ForeignKey("parts.id", ondelete="CASCADE"), primary_key=True),
)


class ProductModel(Base):
    __tablename__ = "product_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    name_zh: Mapped[str] = mapped_column(String(160), default="", server_default="")  # "" when not given
    category: Mapped[str] = mapped_column(String(60))
    product_line: Mapped[str] = mapped_column(String(60))
    warranty_policy_id: Mapped[int] = mapped_column(ForeignKey("warranty_policies.id"))
    repair_skill: Mapped[str] = mapped_column(String(40))
    service_minutes: Mapped[int] = mapped_column(Integer, default=45)
    # The lowest TechnicianSkill.level of `repair_skill` that may be sent (1 trainee … 3 expert).
    min_skill_level: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    warranty_policy: Mapped[WarrantyPolicy] = relationship()
    parts: Mapped[list[Part]] = relationship(secondary=model_parts)


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(32), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    is_business: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # The language messages to the customer are written in ("en", "zh_CN"); None: not known, both are used.
    locale: Mapped[str | None] = mapped_column(String(8))
    # How the customer wants to be told: "email", "sms" or "wechat"; None: e-mail if they gave one, else SMS.
    preferred_channel: Mapped[str | None] = mapped_column(String(16))
    # Set when the customer followed an opt-out link: from then on only essential messages reach them.
    messages_opted_out_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Asset(Base):
    """A registered appliance at a customer's address; its QR label carries `qr_token`."""

    __tablename__ = "assets"

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(64), unique=True)
    product_model_id: Mapped[int] = mapped_column(ForeignKey("product_models.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    address: Mapped[str] = mapped_column(String(255))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    purchase_date: Mapped[date | None] = mapped_column(Date)
    installed_on: Mapped[date | None] = mapped_column(Date)
    qr_token: Mapped[str] = mapped_column(String(64), unique=True)
    # How many finished repairs the appliance has, when the query loading it asked (see
    # dispatch.intake.services): 0 spares the repeat-repair rule a read of its history.
    finished_repairs: Mapped[int | None] = query_expression()

    product_model: Mapped[ProductModel] = relationship()
    customer: Mapped[Customer] = relationship()
    region: Mapped[Region | None] = relationship()

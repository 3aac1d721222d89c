"""Tables of the workforce: technicians, their skills, weekly shifts and days off."""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Date, Float, ForeignKey, Integer, String, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UtcDateTime
from core.regions import Region
from core.users import User
from inventory.models import Warehouse


class Technician(Base):
    __tablename__ = "technicians"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    home_lat: Mapped[float] = mapped_column(Float)
    home_lon: Mapped[float] = mapped_column(Float)
    home_address: Mapped[str] = mapped_column(String(255), default="", server_default="")
    daily_job_cap: Mapped[int] = mapped_column(Integer, default=8)
    # Where the technician last reported being (from status updates); None until the first one.
    last_lat: Mapped[float | None] = mapped_column(Float)
    last_lon: Mapped[float | None] = mapped_column(Float)
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    van_warehouse_id: Mapped[int | None] = mapped_column(ForeignKey("warehouses.id"), unique=True)
    # The portrait the customer sees while the technician is on the way (fieldwork.portraits): a random
    # file name, so its address cannot be guessed; None shows the technician's initials instead.
    photo_name: Mapped[str | None] = mapped_column(String(64), unique=True)

    user: Mapped[User] = relationship()
    region: Mapped[Region] = relationship()
    van: Mapped[Warehouse | None] = relationship()
    skills: Mapped[list["TechnicianSkill"]] = relationship(cascade="all, delete-orphan")
    shifts: Mapped[list["TechnicianShift"]] = relationship(cascade="all, delete-orphan",
                                                           order_by="TechnicianShift.weekday")
    days_off: Mapped[list["TechnicianDayOff"]] = relationship(cascade="all, delete-orphan")

    def skill_level(self, skill: str) -> int | None:
        return next((s.level for s in self.skills if s.skill == skill), None)


class TechnicianShift(Base):
    """Working hours on one weekday (0 = Monday), in local time, with an optional lunch break that
    may be taken anywhere inside its window."""

    __tablename__ = "technician_shifts"

    technician_id: Mapped[int] = mapped_column(ForeignKey("technicians.id", ondelete="CASCADE"), primary_key=True)
    weekday: Mapped[int] = mapped_column(Integer, primary_key=True)
    start: Mapped[time] = mapped_column(Time)
    end: Mapped[time] = mapped_column(Time)
    break_earliest: Mapped[time | None] = mapped_column(Time)
    break_latest_end: Mapped[time | None] = mapped_column(Time)
    break_minutes: Mapped[int] = mapped_column(Integer, default=0)


class TechnicianDayOff(Base):
    __tablename__ = "technician_days_off"

    technician_id: Mapped[int] = mapped_column(ForeignKey("technicians.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    reason: Mapped[str] = mapped_column(String(120), default="")


class TechnicianSkill(Base):
    __tablename__ = "technician_skills"

    technician_id: Mapped[int] = mapped_column(ForeignKey("technicians.id", ondelete="CASCADE"),
                                               primary_key=True)
    skill: Mapped[str] = mapped_column(String(40), primary_key=True)
    # 1 = trainee, 2 = qualified, 3 = expert; routing scales service time by it.
    level: Mapped[int] = mapped_column(Integer, default=2)
    # The last day the certification for this skill is valid; None: it does not expire.
    certified_until: Mapped[date | None] = mapped_column(Date)

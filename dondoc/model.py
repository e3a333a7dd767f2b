"""The plan model: plans, agencies, groups, obligations, targets.

Pure data, checked by pydantic, no I/O: this module never imports the
database, Prefect, Jinja2 or a mail library (``tests/unit/test_purity.py``
checks it). ``dondoc.config`` reads YAML into these models; the calendar and
deadline engine in ``dondoc.workdays`` and ``dondoc.deadlines`` compute on
them.

Vietnamese text is data: every free-text field is normalised to Unicode NFC
on the way in, so a plan typed with decomposed accents compares equal to one
typed with precomposed ones.
"""

from __future__ import annotations

import calendar as _stdcal
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

__all__ = [
    "Agency",
    "Area",
    "Assignment",
    "Catalog",
    "Contact",
    "Directory",
    "Every",
    "Goal",
    "Group",
    "Kind",
    "Level",
    "Obligation",
    "Plan",
    "Problem",
    "Programme",
    "Role",
    "Rule",
    "Schedule",
    "Signer",
    "Rename",
    "Source",
    "Successor",
    "Target",
    "Unit",
    "Validity",
    "WrittenDate",
    "nfc",
]


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC with surrounding blanks removed."""
    return unicodedata.normalize("NFC", text).strip()


Text = Annotated[str, AfterValidator(nfc), Field(min_length=1)]
Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=80)]
TargetId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=40)]
Address = Annotated[
    str,
    AfterValidator(str.lower),
    Field(pattern=r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$", max_length=254),
]


# The years a plan's dates may name: wider than any plan, narrow enough that date arithmetic never overflows.
Year = Annotated[int, Field(ge=1900, le=2999)]


def _in_years(day: dt.date | None) -> dt.date | None:
    if day is not None and not 1900 <= day.year <= 2999:
        raise ValueError(f"{day:%d/%m/%Y} is not between the years 1900 and 2999")
    return day


PlanDate = Annotated[dt.date, AfterValidator(_in_years)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rule(StrEnum):
    """How a plan's written date reads.

    ``before``: "trước ngày 20/5" — the last day to submit is the 19th.
    ``by``: "chậm nhất ngày 20/5", "trước hoặc vào ngày 20/5", "hạn 20/5" — the 20th.
    """

    BEFORE = "before"
    BY = "by"


class Kind(StrEnum):
    """What an obligation asks for."""

    PERIOD_REPORT = "period-report"
    IMPLEMENTATION_PLAN = "implementation-plan"
    EVALUATION = "evaluation"
    AD_HOC = "ad-hoc"


class Every(StrEnum):
    """How often an obligation falls due."""

    ONCE = "once"
    YEAR = "year"
    HALF_YEAR = "half-year"
    QUARTER = "quarter"
    MONTH = "month"
    AD_HOC = "ad-hoc"


class Level(StrEnum):
    """The administrative level of an agency."""

    NATIONAL = "national"
    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"


class Role(StrEnum):
    """What a contact is for: reminders go to reporters, escalation copies heads."""

    REPORTER = "reporter"
    HEAD = "head"
    LEADER = "leader"


class Unit(StrEnum):
    """The unit of a target's figure; it decides how figures are aggregated."""

    PERCENT = "percent"
    COUNT = "count"
    PER_1000 = "per-1000"
    PER_100000 = "per-100000"
    LEVEL = "level"
    TEXT = "text"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the configuration.

    ``where`` names the document (``"plan:bp-2021"``, ``"area:binh-phuoc"``,
    ``"calendar:2021"``) and ``path`` the field inside it, so the loader can
    turn it into ``file:line``.
    """

    where: str
    path: tuple[str | int, ...]
    message: str


_WRITTEN = re.compile(r"^\s*(\d{1,2})\s*/\s*(\d{1,2})(?:\s*/\s*(\d{4}))?\s*$")


class WrittenDate(_Model):
    """A date as a plan writes it: ``20/5`` (every year) or ``10/7/2021``."""

    day: int
    month: int
    year: Year | None = None

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        if isinstance(value, dt.date):
            return {"day": value.day, "month": value.month, "year": value.year}
        if isinstance(value, str):
            match = _WRITTEN.match(value)
            if not match:
                raise ValueError(f"'{value}' is not a date written as dd/mm or dd/mm/yyyy")
            day, month, year = match.groups()
            return {"day": int(day), "month": int(month), "year": int(year) if year else None}
        return value

    @classmethod
    def parse(cls, value: Any) -> WrittenDate:
        """A ``WrittenDate`` from text or a date; ``ValueError`` with one clear line."""
        if isinstance(value, WrittenDate):
            return value
        try:
            return cls.model_validate(value)
        except ValidationError as error:
            raise ValueError(error.errors()[0]["msg"].removeprefix("Value error, ")) from None

    @model_validator(mode="after")
    def _exists(self) -> WrittenDate:
        if not 1 <= self.month <= 12:
            raise ValueError(f"{self}: there is no month {self.month}")
        # Without a year, 29/2 would not exist most years: refuse it.
        year = self.year if self.year is not None else 2001
        if not 1 <= self.day <= _stdcal.monthrange(year, self.month)[1]:
            raise ValueError(f"{self}: day {self.day} does not exist in month {self.month}")
        return self

    def in_year(self, year: int) -> dt.date:
        """The date in ``year`` (a pinned year wins)."""
        return dt.date(self.year if self.year is not None else year, self.month, self.day)

    def __str__(self) -> str:
        text = f"{self.day}/{self.month}"
        return f"{text}/{self.year}" if self.year is not None else text


HALF_YEAR_PARTS = ("H1", "H2", "Y")


def _parse_due(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, dict):
        for part in value:
            if part not in HALF_YEAR_PARTS:
                raise ValueError(f"unknown period '{part}' (use H1, H2 or Y)")
        return {part: WrittenDate.parse(date) for part, date in value.items()}
    return WrittenDate.parse(value)


Due = Annotated[WrittenDate | dict[str, WrittenDate] | None, BeforeValidator(_parse_due)]


class Schedule(_Model):
    """When an obligation falls due.

    - ``once``: ``due: 10/7/2021``;
    - ``year``: ``due: 15/11`` (or a pinned ``20/11/2021``), period ``2021``;
    - ``half-year``: ``due: {H1: 20/5, Y: 15/11}`` — the 6-month report
      (``2021-H1``) and the annual one (``2021``); ``H2`` for a second-half report;
    - ``quarter`` / ``month``: ``day: 20`` of the period's last month, or of a
      later month with ``months_after: 1``;
    - ``ad-hoc``: opened by hand, never materialised.

    ``since`` skips periods due before that date (a plan issued in December
    whose yearly reports start the next year). ``assumed: true`` marks a date
    the plan does not write (``assumption``
    says whose choice it is); mails then say so.
    """

    every: Every
    due: Due = None
    day: int | None = Field(default=None, ge=1, le=31)
    months_after: int = Field(default=0, ge=0, le=11)
    since: PlanDate | None = None
    assumed: bool = False
    assumption: Text | None = None

    @model_validator(mode="after")
    def _shape(self) -> Schedule:
        every, due = self.every, self.due
        if every in (Every.ONCE, Every.YEAR) and not isinstance(due, WrittenDate):
            raise ValueError(f"'{every}' needs 'due' as one date, e.g. 20/5")
        if every is Every.ONCE and isinstance(due, WrittenDate) and due.year is None:
            raise ValueError("'once' needs a full date with its year, e.g. 10/7/2021")
        if every is Every.HALF_YEAR and (not isinstance(due, dict) or not due):
            raise ValueError("'half-year' needs 'due' as a mapping, e.g. {H1: 20/5, Y: 15/11}")
        if every in (Every.QUARTER, Every.MONTH) and self.day is None:
            raise ValueError(f"'{every}' needs 'day', the day of the month it is due")
        if every is Every.AD_HOC and (due is not None or self.day is not None):
            raise ValueError("'ad-hoc' takes no date: it is opened by hand")
        if self.assumed and not self.assumption:
            raise ValueError("'assumed: true' needs 'assumption': who set this date and why")
        return self


class Source(_Model):
    """Where a piece of configuration came from in the plan's text."""

    file: Text
    section: Text | None = None


class Validity(_Model):
    """The span a plan is in force (``end`` open for a standing plan)."""

    start: PlanDate
    end: PlanDate | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Validity:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"validity ends ({self.end}) before it starts ({self.start})")
        return self


class Obligation(_Model):
    """Reporters report something to a recipient, maybe via a coordinator, on a schedule.

    ``also_to`` names further recipients of the same report ("báo cáo Bộ
    LĐTBXH và UBND tỉnh"); ``via`` the coordinator it passes through.
    """

    id: Id
    title: Text
    kind: Kind
    reporters: list[Id] = Field(min_length=1)
    recipient: Id
    also_to: list[Id] = []
    via: Id | None = None
    schedule: Schedule
    rule: Rule
    quote: Text
    source: Source
    consolidates: list[Id] = []
    content: Text | None = None
    function: Id | None = None


class Goal(_Model):
    """A target's goal: ``{op: '>=', value: 95}`` reads "at least 95"."""

    op: Literal[">=", "<=", "=", ">", "<"]
    value: float


class Target(_Model):
    """A chỉ tiêu: what the plan wants reached, and who leads it."""

    id: TargetId
    text: Text
    unit: Unit
    goal: Goal | None = None
    lead: Id | None = None
    partners: list[Id] = []


class Programme(_Model):
    """A sub-programme of a plan, with its lead and partner agencies."""

    id: TargetId
    name: Text
    lead: Id
    partners: list[Id] = []
    quote: Text


class Assignment(_Model):
    """An agency named in the plan's implementation section, with its tasks."""

    agency: Id
    quote: Text


class Plan(_Model):
    """One plan issued by a People's Committee."""

    id: Id
    title: Text
    number: Text | None = None
    issued: dt.date | None = None
    issuer: Id
    area: Id
    coordinator: Id
    source: Source
    valid: Validity
    chase_from: PlanDate | None = Field(default=None, description="no automatic reminder for a last day before this")
    function: Id | None = None
    targets: list[Target] = []
    programmes: list[Programme] = []
    assignments: list[Assignment] = []
    obligations: list[Obligation] = Field(min_length=1)

    def obligation(self, obligation_id: str) -> Obligation:
        """The obligation with this id (``KeyError`` if none)."""
        for item in self.obligations:
            if item.id == obligation_id:
                return item
        raise KeyError(obligation_id)

    def function_of(self, obligation: Obligation) -> str | None:
        """The function an obligation serves (``children``): its own, else the plan's; who takes it over when an
        agency is dissolved depends on it."""
        return obligation.function or self.function


class Contact(_Model):
    """An address at an agency."""

    address: Address
    name: Text | None = None
    role: Role = Role.REPORTER
    title: Text | None = None  # chức vụ, as the office's contact sheet gives it
    phone: Annotated[str, Field(max_length=40)] | None = None


class Signer(_Model):
    """Who may sign an agency's documents (Decree 30/2020/NĐ-CP, Appendix I), as ``report approve --by`` names them.

    ``form`` is how the signer signs: none (the head, in their own name), ``KT`` (ký thay: a deputy for the
    head), ``TL`` (thừa lệnh), ``TUQ`` (thừa ủy quyền), ``Q`` (quyền: an acting head), ``TM`` (thay mặt: for a
    collective body). ``head`` is the title the form refers to ("GIÁM ĐỐC" in "KT. GIÁM ĐỐC"; for ``TM``, the
    body, "ỦY BAN NHÂN DÂN").
    """

    id: Id
    title: Text
    name: Text
    form: Literal["KT", "TL", "TUQ", "Q", "TM"] | None = None
    head: Text | None = None

    @model_validator(mode="after")
    def _head(self) -> Signer:
        if self.form in ("KT", "TL", "TUQ", "TM") and not self.head:
            raise ValueError(f"'form: {self.form}' needs 'head': the title it signs for, e.g. GIÁM ĐỐC")
        return self

    def lines(self) -> tuple[str, str]:
        """``(authority line, title line)``: ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"), ("", "Q. GIÁM ĐỐC"), ("", "GIÁM ĐỐC")."""
        if self.form == "Q":
            return "", f"Q. {self.title}".upper()
        if self.form:
            return f"{self.form}. {self.head}".upper(), self.title.upper()
        return "", self.title.upper()


class Successor(_Model):
    """Who takes over a function of a dissolved agency (or area), from when, on what basis.

    ``function`` is a name the plans use (``children``, ``labour``) or ``all``;
    Resolution 190/2025/QH15: the receiving agency carries on the work.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    function: Id
    agency: Id
    since: PlanDate = Field(alias="from")
    basis: Text


class Rename(_Model):
    """A new name from a date, the body unchanged ("Thừa Thiên Huế" → "Thành phố Huế" on 1/1/2025)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    since: PlanDate = Field(alias="from")
    name: Text
    short: Text | None = None
    basis: Text


class _Life(_Model):
    """When a body exists: ``valid_from``/``valid_until`` (last day, inclusive), the basis of its end
    (``ended_by``), its successors and its renames."""

    valid_from: PlanDate | None = None
    valid_until: PlanDate | None = None
    ended_by: Text | None = None
    successors: list[Successor] = []
    renamed: list[Rename] = []

    @model_validator(mode="after")
    def _ordered_life(self) -> _Life:
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError(
                f"valid_until ({self.valid_until:%d/%m/%Y}) is before valid_from ({self.valid_from:%d/%m/%Y})"
            )
        return self

    def name_on(self, day: dt.date | None) -> tuple[str, str | None]:
        """The name and short name in use on ``day`` (the latest rename in force)."""
        name, short = self.name, self.short  # type: ignore[attr-defined]
        for rename in sorted(self.renamed, key=lambda r: r.since):
            if day is not None and rename.since <= day:
                name, short = rename.name, rename.short or rename.name
        return name, short


class Agency(_Life):
    """A department, a People's Committee, a ministry: anyone who reports or receives.

    ``signers``: who signs the documents it issues (the consolidated report); ``report approve --by`` picks one.
    """

    id: Id
    name: Text
    short: Text | None = None
    level: Level
    domain: str | None = None
    language: Literal["vi", "en"] = "vi"
    contacts: list[Contact] = []
    signers: list[Signer] = []
    code: str | None = Field(default=None, max_length=20)

    def addresses(self, role: Role) -> list[str]:
        """The addresses of this agency's contacts with ``role``."""
        return [c.address for c in self.contacts if c.role is role]


class Group(_Model):
    """A named set of agencies ("UBND các huyện, thị xã, thành phố"); may hold groups."""

    id: Id
    name: Text
    members: list[Id] = Field(min_length=1)


class Area(_Life):
    """One file of ``config/agencies/``: the agencies and groups of an area, and its life (an agency without
    dates of its own lives as long as its area)."""

    area: Id
    name: Text
    short: Text | None = None
    agencies: list[Agency] = []
    groups: list[Group] = []


class Directory:
    """Every agency and group of every area, by id; expands groups to agencies."""

    def __init__(self, areas: list[Area]):
        self.agencies: dict[str, Agency] = {}
        self.groups: dict[str, Group] = {}
        self.area_of: dict[str, str] = {}
        self.areas: dict[str, Area] = {}
        for area in areas:
            self.areas.setdefault(area.area, area)
            for agency in area.agencies:
                self.agencies.setdefault(agency.id, agency)
                self.area_of.setdefault(agency.id, area.area)
            for group in area.groups:
                self.groups.setdefault(group.id, group)
                self.area_of.setdefault(group.id, area.area)

    def knows(self, ref: str) -> bool:
        """True if ``ref`` names an agency or a group."""
        return ref in self.agencies or ref in self.groups

    def expand(self, refs: list[str]) -> list[str]:
        """The agency ids behind ``refs``, groups expanded, each once, in order.

        Raises ``KeyError`` for an unknown id and ``ValueError`` for a group
        that contains itself.
        """
        seen: dict[str, None] = {}

        def visit(ref: str, trail: tuple[str, ...]) -> None:
            if ref in self.agencies:
                seen.setdefault(ref, None)
            elif ref in self.groups:
                if ref in trail:
                    raise ValueError(" → ".join((*trail, ref)))
                for member in self.groups[ref].members:
                    visit(member, (*trail, ref))
            else:
                raise KeyError(ref)

        for ref in refs:
            visit(ref, ())
        return list(seen)


@dataclass(frozen=True)
class Catalog:
    """Everything ``config/`` holds, validated: plans, the directory, calendar years."""

    plans: dict[str, Plan]
    directory: Directory
    calendar_years: dict[int, Any]

    def plan(self, plan_id: str) -> Plan:
        """The plan with this id (``KeyError`` if none)."""
        return self.plans[plan_id]

"""The reminder policy: when agencies are reminded and chased. Pure data.

``config/policy.yaml`` holds a default, per-plan and per-obligation
overrides. Offsets count *working days* before the last day; overdue
reminders repeat every N working days, at most M times; from a given overdue
step the agency's head and the coordinator's leader are copied. Mail goes
out only on working days, within office hours, outside quiet periods.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["Overdue", "Policy", "PolicyFile", "QuietPeriod"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Overdue(_Model):
    """Reminders after the last day: every ``every`` working days, at most ``max``."""

    every: int = Field(default=3, ge=1)
    max: int = Field(default=3, ge=0)


class QuietPeriod(_Model):
    """Days when no reminder is sent (e.g. around Tết), as ``dd/mm`` each year."""

    start: str = Field(pattern=r"^\d{1,2}/\d{1,2}$")
    end: str = Field(pattern=r"^\d{1,2}/\d{1,2}$")
    reason: str


class Policy(_Model):
    """One reminder policy."""

    before: list[int] = Field(default=[10, 3], description="working days before the last day")
    on_the_day: bool = True
    overdue: Overdue = Overdue()
    escalate_from: int = Field(default=2, ge=1, description="overdue step from which heads are copied")
    office_hours: tuple[dt.time, dt.time] = (dt.time(8, 0), dt.time(16, 30))
    quiet: list[QuietPeriod] = []

    @model_validator(mode="after")
    def _sane(self) -> Policy:
        if any(n <= 0 for n in self.before):
            raise ValueError("'before' counts working days before the last day: use positive numbers")
        if len(set(self.before)) != len(self.before):
            raise ValueError("'before' lists the same offset twice")
        if self.office_hours[0] >= self.office_hours[1]:
            raise ValueError("office hours end before they start")
        return self


class PolicyFile(_Model):
    """``config/policy.yaml``: the default and its overrides."""

    default: Policy = Policy()
    plans: dict[str, Policy] = {}
    obligations: dict[str, Policy] = Field(default={}, description="keys are 'plan-id/obligation-id'")
    horizon_days: int = Field(default=400, ge=1, description="how far ahead sync materialises deadlines")

    def for_obligation(self, plan_id: str, obligation_id: str) -> Policy:
        """The policy that applies: the obligation's, else the plan's, else the default."""
        return self.obligations.get(f"{plan_id}/{obligation_id}") or self.plans.get(plan_id) or self.default

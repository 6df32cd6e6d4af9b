"""Value objects of the subsidy engine: policies as data, claims as inputs, results as outputs.

Money is int fen everywhere; ratios are Decimal; nothing here is a float.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from marketplace.money import Fen


class FormulaKind(StrEnum):
    RATIO_OF_BASE = "ratio_of_base"
    FIXED_AMOUNT = "fixed_amount"
    GRADED = "graded"


class OverCap(StrEnum):
    TRUNCATE = "truncate"
    REJECT = "reject"


class StackingMode(StrEnum):
    INDEPENDENT = "independent"
    TOP_UP_TO_HIGHEST = "top_up_to_highest"
    HIGHEST_ONLY = "highest_only"


class PartialMode(StrEnum):
    NONE = "none"
    GRADED = "graded"
    MILESTONE_WEIGHTED = "milestone_weighted"


class Verdict(StrEnum):
    PASSED = "PASSED"
    PASSED_AFTER_RECTIFICATION = "PASSED_AFTER_RECTIFICATION"
    FAILED = "FAILED"
    FAILED_RECTIFIABLE = "FAILED_RECTIFIABLE"


class PoolMode(StrEnum):
    FIRST_COME_PARTIAL = "first_come_partial"
    FIRST_COME_ALL_OR_NOTHING = "first_come_all_or_nothing"
    PRO_RATA_BATCH = "pro_rata_batch"


PASSING_VERDICTS = frozenset({Verdict.PASSED, Verdict.PASSED_AFTER_RECTIFICATION})

# The fixed parameter names (bureau staff and the simulator's overrides use them).
AMOUNT_PARAMETERS = ("cap_per_project", "cap_per_unit", "cap_per_year", "cap_cumulative",
                     "one_off", "amount")
PARAMETER_NAMES = ("ratio", "cap_share_of_total", "grades", *AMOUNT_PARAMETERS)

ELIGIBILITY_CHECKS = ("registered_in_city", "tax_paying", "not_serious_dishonesty", "not_moved")
DETERMINANT_DATES = ("acceptance_date", "investment_received_date", "sale_date",
                     "recognition_date", "approval_date", "evaluation_date", "award_date")
TRIGGERS = ("approval", "contract_signed", "milestone_accepted", "acceptance_passed", "award")


@dataclass(frozen=True)
class DatedValue:
    """One value of a parameter, valid from `valid_from` until the next value; None ends it."""

    valid_from: date
    value: Any  # Decimal (ratio), Fen (amount), dict[str, Fen] (grades) or None (ended)
    clause: str | None
    value_id: str
    note: str = ""


@dataclass(frozen=True)
class Window:
    """The window of a cumulative cap: fixed dates or a rolling number of calendar years."""

    start: date | None = None
    end: date | None = None
    rolling_years: int | None = None

    def bounds(self, on: date) -> tuple[date, date]:
        if self.rolling_years is not None:
            return date(on.year - self.rolling_years + 1, 1, 1), date(on.year, 12, 31)
        assert self.start is not None and self.end is not None
        return self.start, self.end


@dataclass(frozen=True)
class Parameter:
    name: str
    values: tuple[DatedValue, ...]
    window: Window | None = None

    def at(self, on: date) -> DatedValue | None:
        """The value in force on `on` (None if none has started yet)."""
        current = None
        for dated in self.values:
            if dated.valid_from <= on:
                current = dated
        return current


@dataclass(frozen=True)
class InstallmentRule:
    trigger: str
    amount: Fen | None = None
    share: Decimal | None = None
    remainder: bool = False
    clause: str | None = None


@dataclass(frozen=True)
class FundingSplit:
    city: Decimal
    district: Decimal
    remainder: str  # "city" or "district"


@dataclass(frozen=True)
class PolicyDocument:
    """A successor document (loaded in the platform) that governs the policy over its own period."""

    valid_from: date
    valid_to: date
    document: str
    document_title: str
    clause: str
    clause_text: str
    version_id: str


@dataclass(frozen=True)
class Policy:
    code: str
    name: str
    document: str
    document_title: str
    clause: str
    clause_text: str
    effective_from: date
    effective_to: date | None
    kind: FormulaKind
    base_field: str | None
    base_label: str | None
    determinant_date: str
    eligibility: tuple[str, ...]
    requires_acceptance: bool
    partial_acceptance: PartialMode
    over_cap: OverCap
    clawback_on_fail: bool
    stacking_group: str
    stacking_mode: StackingMode
    parameters: dict[str, Parameter]
    installments: tuple[InstallmentRule, ...]
    funding_split: FundingSplit
    further_clauses: dict[str, str] = field(default_factory=dict)
    source: str = ""
    successors: tuple[PolicyDocument, ...] = ()

    def document_on(self, on: date) -> tuple[str, str, str, str]:
        """(document, title, clause, clause text) governing `on`: a successor's, else the file's."""
        for doc in self.successors:
            if doc.valid_from <= on <= doc.valid_to:
                return doc.document, doc.document_title, doc.clause, doc.clause_text
        return self.document, self.document_title, self.clause, self.clause_text


@dataclass(frozen=True)
class Check:
    """One eligibility fact from a dated snapshot (e.g. 商事登记, 信用中国)."""

    passed: bool
    snapshot: str | None = None


@dataclass(frozen=True)
class Eligibility:
    registered_in_city: Check
    tax_paying: Check
    not_serious_dishonesty: Check
    not_moved: Check

    @classmethod
    def all_passed(cls) -> Eligibility:
        ok = Check(True)
        return cls(ok, ok, ok, ok)


@dataclass(frozen=True)
class Milestone:
    weight: Decimal
    accepted: bool


@dataclass(frozen=True)
class Award:
    """An earlier award (committed, not waitlisted) of the same beneficiary."""

    policy_code: str
    amount_fen: Fen
    award_date: date
    award_id: str | None = None
    claim_id: str | None = None
    stacking_group: str | None = None


@dataclass(frozen=True)
class Claim:
    """One application or contract, built by the workflow from its rows (or by the simulator)."""

    claim_id: str
    policy_code: str
    beneficiary_id: str
    determinant_date: date
    eligibility: Eligibility
    base_fen: Fen | None = None
    units: int = 1
    verdict: Verdict | None = None
    grade: str | None = None
    total_investment_fen: Fen | None = None
    milestones: tuple[Milestone, ...] = ()
    paid_so_far_fen: Fen | None = None


@dataclass(frozen=True)
class PoolState:
    name: str
    total_fen: Fen
    committed_fen: Fen
    mode: PoolMode

    @property
    def remaining_fen(self) -> Fen:
        return max(0, self.total_fen - self.committed_fen)


@dataclass(frozen=True)
class Assessment:
    """The entitlement under the policy, before pool allocation and split."""

    policy: Policy
    claim: Claim
    entitlement_fen: Fen
    reasons: tuple[str, ...]
    trace: tuple[dict[str, Any], ...]
    clawback_receivable_fen: Fen = 0


@dataclass(frozen=True)
class InstallmentAmount:
    no: int
    trigger: str
    amount_fen: Fen
    status: str  # "paid" (already paid) or "due"


@dataclass(frozen=True)
class SubsidyResult:
    claim_id: str
    policy_code: str
    beneficiary_id: str
    entitlement_fen: Fen
    awarded_fen: Fen
    waitlisted_fen: Fen
    city_fen: Fen
    district_fen: Fen
    installments: tuple[InstallmentAmount, ...]
    clawback_receivable_fen: Fen
    overpaid_fen: Fen
    reasons: tuple[str, ...]
    trace: tuple[dict[str, Any], ...]
    explanation: str
    pool_after: PoolState | None = None

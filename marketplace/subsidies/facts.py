"""What the subsidy ledger needs to know of a contract — and nothing more.

Imports run contracts → subsidies only: the subsidy package never imports the contract package.
marketplace/contracts implements `ContractFacts` and installs it here when it is imported (its
`__init__`, loaded by every entry point through marketplace.models), as bids do for challenges
(marketplace/challenges/bidding.py). A command that runs before that fails loudly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Protocol

from sqlmodel import Session


class Outcome(StrEnum):
    """How a contract ended, as far as money is concerned."""

    PASSED = "passed"                                          # 验收通过
    PASSED_AFTER_RECTIFICATION = "passed_after_rectification"  # 整改后通过
    FAILED = "failed"                                          # 验收不通过（含整改后仍不通过）
    TERMINATED = "terminated"                                  # 中期检查终止


@dataclass(frozen=True)
class Payment:
    """One company payment to the team that an officer has checked (only these count as 企业投入资金)."""

    paid_on: date
    amount_fen: int


@dataclass(frozen=True)
class ContractFacts:
    """A contract that has ended (accepted, failed or terminated) — the input of 免申即享."""

    contract_id: int
    challenge_id: int
    title: str
    company_org_id: int            # 发榜企业 (its checked payments are the subsidy base)
    team_org_id: int               # 牵头揭榜单位
    contract_fen: int              # 任务书 amount (tri-party agreement total)
    payments: tuple[Payment, ...]  # checked payments only
    outcome: Outcome
    ended_on: date                 # acceptance (or termination) date: the subsidy's year
    signed_on: date
    policy_id: str | None          # the policy the bureau attached to the challenge; None → JB-COMPLETION
    district: str | None = None

    @property
    def invested_fen(self) -> int:
        return sum(p.amount_fen for p in self.payments)


class ContractSource(Protocol):
    def ended(self, *, session: Session, since: date | None = None) -> list[ContractFacts]:
        """Every contract that has ended (optionally: ended on or after `since`), oldest first."""

    def get(self, *, session: Session, contract_id: int) -> ContractFacts | None:
        """One ended contract, or None when it does not exist or has not ended."""


_source: ContractSource | None = None


def install(source: ContractSource) -> None:
    global _source
    _source = source


def source() -> ContractSource:
    if _source is None:
        raise RuntimeError("marketplace.contracts is not loaded: import marketplace.models before running commands")
    return _source

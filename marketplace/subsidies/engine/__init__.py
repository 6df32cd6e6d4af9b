"""The subsidy engine (issue 5): policies as data, a pure calculation, and a simulator.

The contract/acceptance workflow builds a `Claim` (and earlier `Award`s, a `PoolState`) from its
rows and calls `calculate()` — or `assess()` then `settle()` when a pro-rata batch is allocated
with `allocate_pro_rata()`.
"""

from marketplace.subsidies.engine.allocation import allocate_pro_rata, settle, split
from marketplace.subsidies.engine.core import assess, calculate
from marketplace.subsidies.engine.errors import PolicyFileError, SubsidyInputError
from marketplace.subsidies.engine.model import (
    Assessment,
    Award,
    Check,
    Claim,
    Eligibility,
    Milestone,
    Policy,
    PoolMode,
    PoolState,
    SubsidyResult,
    Verdict,
)
from marketplace.subsidies.engine.overrides import apply_overrides
from marketplace.subsidies.engine.policies import DEFAULT_POLICIES_DIR, load_policies, load_policy

__all__ = [
    "DEFAULT_POLICIES_DIR", "Assessment", "Award", "Check", "Claim", "Eligibility", "Milestone",
    "Policy", "PolicyFileError", "PoolMode", "PoolState", "SubsidyInputError", "SubsidyResult",
    "Verdict", "allocate_pro_rata", "apply_overrides", "assess", "calculate", "load_policies",
    "load_policy", "settle", "split",
]

"""Contracts (任务书): signing, milestones, company payments, acceptance (验收).

Importing the package installs its ContractSource into marketplace.subsidies.facts, the one interface
the subsidy ledger reads (ended contracts with their officer-checked payments)."""

from marketplace.contracts.source import SOURCE
from marketplace.subsidies import facts

facts.install(SOURCE)

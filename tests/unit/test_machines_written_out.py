"""Every state machine in the code has its expected table written out by hand in tests/machines.py."""

import importlib
import pkgutil

import marketplace
from tests import machines

WRITTEN_OUT = {"marketplace.challenges.states": machines.CHALLENGE, "marketplace.bids.states": machines.BID,
               "marketplace.accounts.states": machines.ORGANISATION,
               "marketplace.awards.states": {"announcement_item": machines.ANNOUNCEMENT_ITEM,
                                             "objection": machines.OBJECTION}}


def machine_modules():
    for info in pkgutil.walk_packages(marketplace.__path__, "marketplace."):
        if info.name.endswith(".states") and info.name != "marketplace.states":
            module = importlib.import_module(info.name)
            if hasattr(module, "TRANSITIONS"):
                yield info.name, module


def test_every_machine_in_the_code_has_a_hand_written_expected_table():
    found = dict(machine_modules())
    assert {"marketplace.challenges.states", "marketplace.bids.states"} <= set(found)
    missing = sorted(set(found) - set(WRITTEN_OUT))
    assert missing == [], f"write the expected machine of {missing} out in tests/machines.py"
    for name, module in found.items():
        several = all(isinstance(key, str) for key in WRITTEN_OUT[name])  # {machine name: table}
        tables = WRITTEN_OUT[name] if several else {name: WRITTEN_OUT[name]}
        code = module.TRANSITIONS if several else {name: module.TRANSITIONS}
        assert set(code) == set(tables), name
        for machine, table in tables.items():
            assert set(code[machine]) == set(table), (name, machine)

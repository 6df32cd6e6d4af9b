"""Every state machine in the code has its expected table written out by hand in tests/machines.py,
and the code's table equals it cell by cell: (state, action) → target and the roles allowed."""

import importlib
import pkgutil

import marketplace
from marketplace.states import Machine
from tests import machines

WRITTEN_OUT = {"challenge": machines.CHALLENGE, "bid": machines.BID, "organisation": machines.ORGANISATION,
               "join_request": machines.JOIN_REQUEST, "bid_partner": machines.BID_PARTNER,
               "announcement_item": machines.ANNOUNCEMENT_ITEM, "objection": machines.OBJECTION,
               "contract": machines.CONTRACT, "milestone": machines.MILESTONE, "payment": machines.PAYMENT,
               "subsidy": machines.SUBSIDY}


def machines_in_code() -> dict[str, Machine]:
    """Every Machine defined in a `*.states` module of marketplace, by its name."""
    found = {}
    for info in pkgutil.walk_packages(marketplace.__path__, "marketplace."):
        if info.name.endswith(".states") and info.name != "marketplace.states":
            module = importlib.import_module(info.name)
            for value in vars(module).values():
                if isinstance(value, Machine) and value.__class__ is Machine:
                    assert found.get(value.name, value) is value, f"two machines named {value.name}"
                    found[value.name] = value
    return found


def test_every_machine_in_the_code_has_a_hand_written_expected_table():
    found = machines_in_code()
    assert {"challenge", "bid", "contract", "subsidy"} <= set(found)
    missing = sorted(set(found) - set(WRITTEN_OUT))
    assert missing == [], f"write the expected machine of {missing} out in tests/machines.py"
    assert sorted(set(WRITTEN_OUT) - set(found)) == [], "a written-out machine is gone from the code"


def test_each_machine_matches_its_written_out_table_cell_by_cell():
    for name, machine in machines_in_code().items():
        code = {(state, action): (state if t.target == "same" else t.target, frozenset(str(r) for r in t.roles))
                for (state, action), t in machine.table.items()}
        assert code == WRITTEN_OUT[name], name

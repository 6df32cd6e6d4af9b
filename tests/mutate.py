"""`make mutate`: named one-line mutations of the rule modules, each run against its related tests.

Each mutation is (name, file, exact original snippet, replacement, tests). The script applies one
mutation in place, runs only the related tests (SQLite, -x), restores the file (always: finally,
and on SIGINT/SIGTERM), and prints whether a test caught it. A mutation whose snippet is no longer
found exactly once (the code moved on) is reported as "stale", never applied and not counted.
At the end it prints the kill rate over the mutations that ran.

Every surviving mutation is either a missing test (add one) or an equivalent change: list those in
EQUIVALENT with the reason, so they are reported as such and left out of the rate.

Do not run it while another test run uses this checkout: the mutated file is live while it runs.
Usage: .venv/bin/python tests/mutate.py [name-substring ...]
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOG = os.path.join(tempfile.gettempdir(), f"jiebang-mutate-{os.getpid()}.log")  # the last run's output
TIMEOUT = 300  # seconds per mutation run


@dataclass(frozen=True)
class Mutation:
    name: str
    file: str
    original: str
    replacement: str
    tests: tuple[str, ...]


CH_STATES = ("tests/challenges/test_states.py",)
BID_STATES = ("tests/bids/test_bid_states.py",)
BID_RULES = ("tests/bids/test_bid_permissions_and_demo.py", "tests/bids/test_bid_service.py",
             "tests/bids/test_bid_authz.py")
CH_RULES = ("tests/challenges/test_states.py", "tests/challenges/test_service.py",
            "tests/challenges/test_authz_matrix.py", "tests/challenges/test_pages.py")
ACCOUNTS = ("tests/domain/test_accounts.py", "tests/domain/test_org_verification_machine.py",
            "tests/web/test_authz_accounts.py", "tests/api/test_api_accounts.py")
MONEY = ("tests/unit/test_money.py",)
AUDIT = ("tests/domain/test_audit.py",)
SUBSIDY = ("tests/subsidies",)
CONTRACTS = ("tests/contracts/test_contract_service.py", "tests/contracts/test_subsidy_handover.py")
LEDGER = ("tests/subsidies_ledger/test_workflow.py",)
LAPSE = ("tests/contracts/test_rectification_lapse.py",)
MANUAL = ("tests/subsidies_ledger/test_manual_decision.py",)
POOLS = ("tests/subsidies_ledger/test_pools.py",)

M = Mutation
MUTATIONS = [
    # --- state tables -----------------------------------------------------------------------
    M("challenge: the company may publish", "marketplace/challenges/states.py",
      '(S.SUBMITTED, "publish", S.PUBLISHED, BUREAU,', '(S.SUBMITTED, "publish", S.PUBLISHED, (COMPANY, *BUREAU),',
      CH_STATES),
    M("challenge: return goes to draft", "marketplace/challenges/states.py",
      '(S.SUBMITTED, "return", S.RETURNED,', '(S.SUBMITTED, "return", S.DRAFT,', CH_STATES),
    M("challenge: officers may close", "marketplace/challenges/states.py",
      '(S.PUBLISHED, "close", S.CLOSED, (SYSTEM,),', '(S.PUBLISHED, "close", S.CLOSED, (SYSTEM, *BUREAU),', CH_STATES),
    M("challenge: closed challenges can be withdrawn", "marketplace/challenges/states.py",
      '(S.PUBLISHED, "withdraw", S.WITHDRAWN,', '((S.PUBLISHED, S.CLOSED), "withdraw", S.WITHDRAWN,', CH_STATES),
    M("challenge: editing a published one skips review", "marketplace/challenges/states.py",
      '(S.PUBLISHED, "edit", S.SUBMITTED,', '(S.PUBLISHED, "edit", "same",', CH_STATES),
    M("bid: officers may withdraw bids", "marketplace/bids/states.py",
      '"withdraw", B.WITHDRAWN, (TEAM,)', '"withdraw", B.WITHDRAWN, (TEAM, OFFICER)', BID_STATES),
    M("bid: qualified bids can be resubmitted", "marketplace/bids/states.py",
      '(B.SUBMITTED, "resubmit",', '((B.SUBMITTED, B.QUALIFIED), "resubmit",', BID_STATES),
    M("bid: the team may qualify", "marketplace/bids/states.py",
      '"qualify", B.QUALIFIED, (OFFICER, ADMIN)', '"qualify", B.QUALIFIED, (TEAM, OFFICER, ADMIN)', BID_STATES),
    # --- bid permissions and queries (the sealing rule) ---------------------------------------
    M("bid: sealing ignores the deadline", "marketplace/bids/permissions.py",
      "    if not challenge_permissions.deadline_passed(challenge, now):\n        return False\n",
      "    pass\n", BID_RULES),
    M("bid: drafts are opened too", "marketplace/bids/permissions.py",
      "OPENED_STATES = frozenset({B.SUBMITTED, B.QUALIFIED, B.DISQUALIFIED})",
      "OPENED_STATES = frozenset({B.DRAFT, B.SUBMITTED, B.QUALIFIED, B.DISQUALIFIED})", BID_RULES),
    M("bid: any team reads bids", "marketplace/bids/permissions.py",
      "    return actor.role == Role.TEAM and actor.organisation_id is not None \\\n"
      "        and actor.organisation_id == bid.organisation_id",
      "    return actor.role == Role.TEAM and actor.organisation_id is not None", BID_RULES),
    M("bid: unverified teams may bid", "marketplace/bids/permissions.py",
      "    if not actor.org_verified:\n        return False, \"单位尚未通过科技局认证，暂不能揭榜\"",
      "    if False:\n        return False, \"单位尚未通过科技局认证，暂不能揭榜\"", BID_RULES),
    M("bid: a company may bid on its own challenge", "marketplace/bids/permissions.py",
      "    if actor.organisation_id == challenge.organisation_id:\n        return False, \"不能揭本单位发布的榜单\"",
      "    if False:\n        return False, \"不能揭本单位发布的榜单\"", BID_RULES),
    M("bid: review before the deadline", "marketplace/bids/permissions.py",
      "        return False, \"揭榜尚未截止，揭榜方案仍处于密封状态\"", "        pass", BID_RULES),
    M("bid: the challenge page lists unopened bids to the company", "marketplace/bids/queries.py",
      "        stmt = stmt.where(col(Bid.status).in_(list(permissions.OPENED_STATES)))", "        pass",
      BID_RULES + ("tests/bids/test_bid_pages.py",)),
    M("bid: get_for skips the sealing predicate", "marketplace/bids/queries.py",
      "not permissions.can_read_bid(actor, bid, challenge, now)[0]:\n        raise NotFound(permissions.NOT_FOUND)",
      "False:\n        raise NotFound(permissions.NOT_FOUND)", BID_RULES),
    # --- challenge permissions and queries ----------------------------------------------------
    M("challenge: submitted ones are public", "marketplace/challenges/permissions.py",
      "PUBLIC_STATES = frozenset({S.PUBLISHED, S.CLOSED, S.UNFILLED})",
      "PUBLIC_STATES = frozenset({S.SUBMITTED, S.PUBLISHED, S.CLOSED, S.UNFILLED})", CH_RULES),
    M("challenge: any company manages any challenge", "marketplace/challenges/permissions.py",
      "    return actor.role == Role.COMPANY and actor.organisation_id == challenge.organisation_id",
      "    return actor.role == Role.COMPANY", CH_RULES),
    M("challenge: the deadline is inclusive for bidders", "marketplace/challenges/permissions.py",
      "    return now >= as_utc(challenge.bid_deadline)", "    return now > as_utc(challenge.bid_deadline)",
      CH_RULES + BID_RULES),
    M("challenge: unverified companies may post", "marketplace/challenges/permissions.py",
      "    if not actor.org_verified:\n        return False, \"单位尚未通过科技局认证，暂不能发榜\"",
      "    if False:\n        return False, \"单位尚未通过科技局认证，暂不能发榜\"", CH_RULES),
    M("challenge: any team reads the annex", "marketplace/challenges/permissions.py",
      "    if actor.role == Role.TEAM and actor.org_verified and accepted:",
      "    if actor.role == Role.TEAM and actor.org_verified:", CH_RULES),
    M("challenge: a company withdraws directly despite bids", "marketplace/challenges/permissions.py",
      "        if is_owner(actor, challenge) and has_bids:\n            actions.discard(\"withdraw\")",
      "        if False:\n            actions.discard(\"withdraw\")", CH_RULES),
    M("challenge: the hall lists drafts", "marketplace/challenges/queries.py",
      "    stmt = select(Challenge).where(_public_clause())", "    stmt = select(Challenge)", CH_RULES),
    M("challenge: the industry filter is ignored", "marketplace/challenges/queries.py",
      "        stmt = stmt.where(Challenge.industry == flt.industry)", "        pass", CH_RULES),
    # --- accounts -----------------------------------------------------------------------------
    M("accounts: companies may verify organisations", "marketplace/accounts/permissions.py",
      "    if actor.has_role(Role.OFFICER, Role.ADMIN):\n        return True, \"\"\n"
      "    return False, \"只有科技局",
      "    if actor.has_role(Role.OFFICER, Role.ADMIN, Role.COMPANY):\n        return True, \"\"\n"
      "    return False, \"只有科技局",
      ACCOUNTS),
    M("accounts: officers manage users", "marketplace/accounts/permissions.py",
      "    if actor.has_role(Role.ADMIN):\n        return True, \"\"\n    return False, \"只有系统管理员",
      "    if actor.has_role(Role.ADMIN, Role.OFFICER):\n        return True, \"\"\n    return False, \"只有系统管理员",
      ACCOUNTS),
    M("accounts: any team edits any team profile", "marketplace/accounts/permissions.py",
      "    if actor.has_role(Role.TEAM) and (actor.user_id == owner_id or "
      "actor.organisation_id == organisation_id):",
      "    if actor.has_role(Role.TEAM):", ACCOUNTS),
    M("accounts: a verified organisation can be verified again", "marketplace/accounts/service.py",
      "    if org.status == OrgStatus.VERIFIED:\n        raise Conflict(\"该单位已认证\")",
      "    if False:\n        raise Conflict(\"该单位已认证\")", ACCOUNTS),
    M("accounts: the queue lists every organisation", "marketplace/accounts/queries.py",
      "    return list(session.exec(select(Organisation).where(Organisation.status == OrgStatus.PENDING)",
      "    return list(session.exec(select(Organisation)", ACCOUNTS + ("tests/web/test_onboarding.py",)),
    # --- money --------------------------------------------------------------------------------
    M("money: negative amounts accepted", "marketplace/money.py",
      "    if amount < 0:\n        raise MoneyError(\"金额不能为负数\")",
      "    if False:\n        raise MoneyError(\"金额不能为负数\")", MONEY),
    M("money: sub-fen precision accepted", "marketplace/money.py",
      "    if amount != amount.quantize(Decimal(\"0.01\")):", "    if False:", MONEY),
    M("money: rounding half-even", "marketplace/money.py",
      "    return int((yuan * FEN_PER_YUAN).quantize(Decimal(1), rounding=ROUND_HALF_UP))",
      "    return int((yuan * FEN_PER_YUAN).quantize(Decimal(1)))", MONEY + SUBSIDY),
    M("money: floats accepted", "marketplace/money.py",
      "def fen_from_yuan(value: str | int | Decimal, *, allow_zero: bool = True) -> Fen:\n"
      "    \"\"\"Parse an amount in 元 (string, int or Decimal — never float) into fen, exactly.\"\"\"\n"
      "    if isinstance(value, float | bool):",
      "def fen_from_yuan(value: str | int | Decimal, *, allow_zero: bool = True) -> Fen:\n"
      "    \"\"\"Parse an amount in 元 (string, int or Decimal — never float) into fen, exactly.\"\"\"\n"
      "    if isinstance(value, bool):", MONEY),
    M("money: the ceiling is off", "marketplace/money.py",
      "    if fen > MAX_FEN:", "    if fen > MAX_FEN * 10:", MONEY),
    M("money: 万元 shown without 约", "marketplace/money.py",
      "    prefix = \"\" if shown == exact else \"约\"", "    prefix = \"\"", MONEY),
    # --- audit verification -------------------------------------------------------------------
    M("audit: the digest is not compared", "marketplace/audit/service.py",
      "            if not hmac.compare_digest(row.hash, _digest(row, prev_hash)):",
      "            if False:", AUDIT),
    M("audit: the link is not compared", "marketplace/audit/service.py",
      "            if row.prev_hash != prev_hash:", "            if False:", AUDIT),
    M("audit: gaps in seq are not found", "marketplace/audit/service.py",
      "            if row.seq != expected_seq:", "            if False:", AUDIT),
    M("audit: the summary is not hashed", "marketplace/audit/service.py",
      '            "summary": event.summary,\n', "", AUDIT),
    # --- subsidy caps and allocation ----------------------------------------------------------
    M("subsidy: a cap binds when equal", "marketplace/subsidies/engine/caps.py",
      "    binding = amount > limit", "    binding = amount >= limit", SUBSIDY),
    M("subsidy: the per-project cap is skipped", "marketplace/subsidies/engine/caps.py",
      '    amount = _simple_cap(calc, "cap_per_project", "CAP_PROJECT", amount)', "", SUBSIDY),
    M("subsidy: the cumulative cap counts other policies", "marketplace/subsidies/engine/caps.py",
      "    counted = [a for a in _same_policy(calc, prior) if start <= a.award_date <= end]",
      "    counted = [a for a in prior if start <= a.award_date <= end]", SUBSIDY),
    M("subsidy: the yearly cap ignores the year", "marketplace/subsidies/engine/caps.py",
      "    counted = [a for a in _same_policy(calc, prior) if a.award_date.year == year]",
      "    counted = _same_policy(calc, prior)", SUBSIDY),
    M("subsidy: over-cap reject mode pays", "marketplace/subsidies/engine/caps.py",
      "    if capped and calc.policy.over_cap is OverCap.REJECT:", "    if False:", SUBSIDY),
    M("subsidy: top-up ignores the award held", "marketplace/subsidies/engine/caps.py",
      '        result, code = max(Decimal(0), amount - held), "STACKING_TOP_UP"',
      '        result, code = amount, "STACKING_TOP_UP"', SUBSIDY),
    M("subsidy: pro-rata leftovers go to the smallest remainder", "marketplace/subsidies/engine/allocation.py",
      "    order = sorted(range(len(demands)), key=lambda i: (-remainders[i], i))",
      "    order = sorted(range(len(demands)), key=lambda i: (remainders[i], i))", SUBSIDY),
    M("subsidy: pro-rata leftover fen dropped", "marketplace/subsidies/engine/allocation.py",
      "    for i in order[:leftover]:\n        shares[i] += 1", "    for i in order[:0]:\n        shares[i] += 1",
      SUBSIDY),
    M("subsidy: all-or-nothing pools fund partially", "marketplace/subsidies/engine/allocation.py",
      "    return outstanding if outstanding <= pool.remaining_fen else 0",
      "    return min(outstanding, pool.remaining_fen)", SUBSIDY),
    M("subsidy: the split loses the odd fen", "marketplace/subsidies/engine/allocation.py",
      "        city = fen_times_half_up(amount, shares.city)\n        return city, amount - city",
      "        city = fen_times_half_up(amount, shares.city)\n        return city, amount - city - (amount % 2)",
      SUBSIDY),
    # --- contracts and the subsidy ledger (issue 11) -------------------------------------------
    M("contract: an unchecked payment counts as invested", "marketplace/contracts/source.py",
      "                                                       PaymentRow.status == P.CHECKED)",
      "                                                       PaymentRow.status != P.REJECTED)", CONTRACTS),
    M("contract: payments may exceed the contract amount", "marketplace/contracts/service.py",
      "col(Contract.recorded_fen) + amount <= col(Contract.amount_fen))",
      "col(Contract.recorded_fen) + amount >= 0)", CONTRACTS),
    M("subsidy: the checker may approve", "marketplace/subsidies/service.py",
      "    if subsidy.checked_by is not None and subsidy.checked_by == actor.user_id:",
      "    if False:", LEDGER),
    # --- issue 11 follow-ups: lapsed rectification, manual decisions, pool budgets ---------------
    M("contract: a rectification window lapses on its last day", "marketplace/contracts/lifecycle.py",
      "col(Contract.rectify_by) < today(now))", "col(Contract.rectify_by) <= today(now))", LAPSE),
    M("contract: a re-acceptance request does not stop the lapse", "marketplace/contracts/lifecycle.py",
      "select(Contract.id).where(Contract.status == C.ACCEPTANCE_RECTIFYING,",
      "select(Contract.id).where(col(Contract.status).in_([C.ACCEPTANCE_RECTIFYING, C.ACCEPTING]),", LAPSE),
    M("subsidy: a subsidy held for a manual decision is reported again", "marketplace/subsidies/service.py",
      "    live = subsidy.status in (SubsidyStatus.COMPUTED,",
      "    live = subsidy.status in (SubsidyStatus.MANUAL, SubsidyStatus.COMPUTED,", MANUAL),
    M("subsidy: waiving keeps the whole award as entitlement", "marketplace/subsidies/service.py",
      '        _reverse_award(session, subsidy, actor, f"人工决定免予追回：冲销原核定补助（{reason}）")',
      "        pass", MANUAL),
    M("subsidy: pool committed counts paid subsidies", "marketplace/subsidies/queries.py",
      "        if s.status in NOT_YET_PAID:", "        if True:", POOLS),
]

# Mutations that change no behaviour a caller can observe, with the reason (left out of the rate).
EQUIVALENT: dict[str, str] = {
    "bid: the challenge page lists unopened bids to the company":
        "the SQL status filter is an optimisation: visible_on_challenge re-filters every row through "
        "can_read_bid, which admits only OPENED_STATES, so the same bids come back",
    "contract: a re-acceptance request does not stop the lapse":
        "the query's status filter is an optimisation: fail_lapsed re-reads each contract in its "
        "transaction and skips any no longer in acceptance_rectifying (and apply() guards the state)",
}


PYTEST_ARGS = ("-x", "-q", "-p", "no:cacheprovider", "-n", "0",
               "-W", "ignore::pytest.PytestUnhandledThreadExceptionWarning")
# Imported once in the parent, so each forked run starts warm (never marketplace: it is what mutates).
WARM = ("pytest", "xdist", "hypothesis", "numpy", "scipy.sparse", "sklearn.feature_extraction.text",
        "sklearn.decomposition", "jieba", "opencc", "fastapi", "fastapi.testclient", "sqlmodel", "sqlalchemy",
        "psycopg", "pydantic", "jinja2", "openpyxl", "yaml", "time_machine", "httpx", "argon2")


def _warm() -> None:
    import importlib

    for name in WARM:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    assert not any(m == "marketplace" or m.startswith(("marketplace.", "matching", "tests.")) for m in sys.modules)


def run_tests(tests: tuple[str, ...]) -> tuple[bool, float]:
    """True when the tests fail (the mutation is caught). SQLite only, stop at the first failure.

    On Linux the run is a fork of this (warm) process calling pytest.main, which imports the
    project afresh, mutated; elsewhere a new interpreter.
    """
    for name in ("JIEBANG_TEST_POSTGRES_URL", "JIEBANG_REQUIRE_ALL"):
        os.environ.pop(name, None)
    started = time.monotonic()
    if hasattr(os, "fork"):
        code = _forked(tests)
    else:
        try:
            proc = subprocess.run([sys.executable, "-m", "pytest", *PYTEST_ARGS, *tests], cwd=ROOT,
                                  capture_output=True, text=True, timeout=TIMEOUT)
            Path(LOG).write_text(proc.stdout + proc.stderr, encoding="utf-8")
            code = proc.returncode
        except subprocess.TimeoutExpired:
            code = -1  # a hang counts as caught: the suite would not pass
    if code == 5:
        raise SystemExit(f"no tests collected for {tests}")
    return code != 0, time.monotonic() - started


def _forked(tests: tuple[str, ...]) -> int:
    pid = os.fork()
    if pid == 0:  # the child: quiet, in the repository, one pytest run
        code = 3
        try:
            os.chdir(ROOT)
            out = os.open(LOG, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(out, 1)
            os.dup2(out, 2)
            import pytest

            code = int(pytest.main([*PYTEST_ARGS, "-p", "no:randomly", *tests]))
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.2)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return -1  # a hang counts as caught: the suite would not pass


def _raise(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGTERM, _raise)
    chosen = [m for m in MUTATIONS if not argv or any(a in m.name for a in argv)]
    started = time.monotonic()
    sys.path.insert(0, str(ROOT))
    _warm()
    baseline = sorted({t for m in chosen for t in m.tests})
    print(f"baseline: {len(baseline)} test paths must pass unmutated …", flush=True)
    failed, seconds = run_tests(tuple(baseline))
    if failed:
        print("the unmutated tests fail: fix them first\n" + "".join(open(LOG, encoding="utf-8").readlines()[-40:]))
        return 2
    print(f"baseline green ({seconds:.0f} s)\n", flush=True)
    caught, survived, stale, equivalent = [], [], [], []
    for m in chosen:
        path = ROOT / m.file
        original = path.read_text(encoding="utf-8") if path.exists() else ""
        if original.count(m.original) != 1:
            stale.append(m)
            print(f"STALE     {m.name}  ({m.file}: snippet found {original.count(m.original)} times)", flush=True)
            continue
        try:
            path.write_text(original.replace(m.original, m.replacement), encoding="utf-8")
            killed, seconds = run_tests(m.tests)
        finally:
            path.write_text(original, encoding="utf-8")
        if killed:
            caught.append(m)
            verdict = "CAUGHT   "
        elif m.name in EQUIVALENT:
            equivalent.append(m)
            verdict = "EQUIVALENT"
        else:
            survived.append(m)
            verdict = "SURVIVED "
        print(f"{verdict} {m.name}  ({m.file}, {seconds:.0f} s)", flush=True)
    counted = len(caught) + len(survived)
    rate = 100 * len(caught) / counted if counted else 0.0
    print(f"\nkill rate: {len(caught)}/{counted} = {rate:.0f}%  "
          f"(stale {len(stale)}, equivalent {len(equivalent)}; {time.monotonic() - started:.0f} s)")
    for m in survived:
        print(f"  survived: {m.name} — add a test")
    for m in equivalent:
        print(f"  equivalent: {m.name} — {EQUIVALENT[m.name]}")
    return 1 if survived else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""kill -9 of a real uvicorn server at random points during 30 disbursement runs, restart, retry:
no acknowledged disbursement is lost, none is duplicated, and `jiebang audit verify` passes."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter

import httpx
import pytest
from sqlmodel import select

from marketplace import db
from marketplace.auth import service as auth
from marketplace.subsidies import service
from marketplace.subsidies.models import Disbursement, EntryKind, LedgerEntry, Subsidy
from tests import factories as f
from tests.servers import free_port
from tests.subsidies_ledger.conftest import contract, people

RUNS = 30
KILL_SHARE = 0.3  # about 9 of the 30 runs are killed (each restart costs a few seconds of start-up)


class Server:
    def __init__(self, url: str, var_dir) -> None:
        self.url, self.var_dir = url, var_dir
        self.proc: subprocess.Popen | None = None
        self.base = ""

    def start(self) -> None:
        port = free_port()
        env = {**os.environ, "JIEBANG_DATABASE_URL": self.url, "JIEBANG_VAR_DIR": str(self.var_dir),
               "JIEBANG_SCHEDULER_ENABLED": "false"}
        self.proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "marketplace.main:app", "--port",
                                      str(port), "--log-level", "warning"], env=env)
        self.base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 120
        while True:
            try:
                if httpx.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                if time.time() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("uvicorn did not start") from None
                time.sleep(0.1)

    def kill9(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=20)


def _prepare(engine, source) -> tuple[list[tuple[int, int]], str]:
    """RUNS approved subsidies: the odd ones in two installments (JB-STAGED)."""
    work = []
    with db.new_session(engine) as s:
        who = people(s)
        for i in range(RUNS):
            source.add(contract(company_org_id=who.org_id + i * 10, policy_id="JB-STAGED" if i % 2 else None))
        for sid in service.compute_all(session=s).computed:
            service.check(session=s, actor=f.actor(s, who.maker), subsidy_id=sid)
            service.approve(session=s, actor=f.actor(s, who.checker), subsidy_id=sid)
            work += [(sid, n["installment"]) for n in service.installments_of(s.get(Subsidy, sid))]
        token = auth._open_session(session=s, user=who.checker, kind="api")
        s.commit()
    return work, token


def _pay(base: str, token: str, sid: int, installment: int, key: str) -> dict | None:
    """One attempt; the body when the server acknowledged it (201 or replayed 200), else None."""
    try:
        r = httpx.post(f"{base}/api/v1/subsidies/{sid}/disbursements", json={"installment": installment},
                       headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key}, timeout=10)
    except httpx.HTTPError:
        return None
    assert r.status_code < 500, r.text
    return r.json() if r.status_code in (200, 201) else None


@pytest.mark.slow
def test_kill9_during_disbursements_loses_and_duplicates_nothing(live_engine, source, tmp_path):
    url = live_engine.url.render_as_string(hide_password=False)
    work, token = _prepare(live_engine, source)
    by_subsidy: dict[int, list[int]] = {}
    for sid, n in work:
        by_subsidy.setdefault(sid, []).append(n)
    server = Server(url, tmp_path)
    server.start()
    rng = random.Random(11)
    acknowledged: dict[str, dict] = {}
    kills = 0
    try:
        for run, (sid, installments) in enumerate(sorted(by_subsidy.items())):
            assert run < RUNS

            def burst(sid=sid, installments=installments) -> None:
                for n in installments:
                    body = _pay(server.base, token, sid, n, f"run-{sid}-{n}")
                    if body is not None:
                        acknowledged[body["idempotency_key"]] = body

            t = threading.Thread(target=burst)
            t.start()
            if rng.random() < KILL_SHARE:
                time.sleep(rng.uniform(0, 0.25))  # kill at a random point: before, during or after
                server.kill9()
                kills += 1
                t.join()
                server.start()
            else:
                t.join()
            for n in installments:  # the client retries with the same key until acknowledged
                body = None
                while body is None:
                    body = _pay(server.base, token, sid, n, f"run-{sid}-{n}")
                previous = acknowledged.setdefault(body["idempotency_key"], body)
                assert previous["id"] == body["id"]  # what was acknowledged before the kill still is
    finally:
        server.kill9()
    assert kills >= 3
    with db.new_session(live_engine) as s:
        disbursements = s.exec(select(Disbursement)).all()
        payments = s.exec(select(LedgerEntry).where(LedgerEntry.kind == EntryKind.PAYMENT)).all()
        stored = {d.idempotency_key: d for d in disbursements}
        for key, body in acknowledged.items():
            assert stored[key].id == body["id"] and stored[key].amount_fen == body["amount_fen"]
        assert len(disbursements) == len(work) == len(acknowledged)
        assert max(Counter((d.subsidy_id, d.installment) for d in disbursements).values()) == 1
        assert sorted(p.disbursement_id for p in payments) == sorted(d.id for d in disbursements)
        for subsidy in s.exec(select(Subsidy)).all():
            assert subsidy.status == "paid" and subsidy.disbursed_fen == subsidy.awarded_fen
    verify = subprocess.run([sys.executable, "-m", "marketplace.cli", "audit", "verify"], capture_output=True,
                            text=True, env={**os.environ, "JIEBANG_DATABASE_URL": url,
                                            "JIEBANG_VAR_DIR": str(tmp_path)}, timeout=120)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "审计链完整" in verify.stdout

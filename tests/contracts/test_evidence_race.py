"""Fifty milestone reports with evidence files at once (SQLite and PostgreSQL): each upload is either
stored once — with its report — or refused, never a 500; the report's file list and the files on disk
agree (a refused request leaves no file and no row behind). Through the service with threads, and
through the real app over HTTP."""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlmodel import select

from marketplace import db
from marketplace.accounts.models import Role, User
from marketplace.audit.service import verify_chain
from marketplace.contracts import files, service
from marketplace.contracts.models import ContractFile, Milestone, MilestoneReport
from marketplace.contracts.schemas import ReportIn
from marketplace.errors import Conflict, Forbidden, RuleViolation
from tests.contracts import helpers as h
from tests.contracts.test_concurrency import colleagues
from tests.reviews.scenario import api_headers
from tests.servers import uvicorn_server

N = 50
BAD = 5  # requests whose evidence is of a refused type


def _evidence(i: int) -> list[files.Upload]:
    if i < BAD:
        return [files.Upload(f"证明{i}.exe", b"MZ\x90\x00 not a document")]
    return [files.Upload(f"检测报告{i}.pdf", f"%PDF-1.4 report {i}".encode()),
            files.Upload(f"现场照片{i}.png", b"\x89PNG\r\n\x1a\n" + bytes([i]) * 16)]


def _scene(engine):
    with db.new_session(engine) as s:
        scene = h.awarded(s)
        c = h.signed(s, scene)
        milestone = s.exec(select(Milestone).where(Milestone.contract_id == c.id).order_by(Milestone.seq)).first()
        reporters = colleagues(s, scene.team, Role.TEAM)
        s.commit()
        return scene, c.id, milestone.id, reporters


def _consistent(engine, milestone_id: int, uploads_dir) -> tuple[MilestoneReport, list[ContractFile]]:
    """One report; its files are the only report files; exactly those files are on disk."""
    with db.new_session(engine) as s:
        reports = s.exec(select(MilestoneReport).where(MilestoneReport.milestone_id == milestone_id)).all()
        assert len(reports) == 1
        rows = s.exec(select(ContractFile).where(ContractFile.purpose == "report")).all()
        assert rows and all(r.report_id == reports[0].id for r in rows)
        on_disk = sorted(p.name for p in uploads_dir.rglob("*") if p.is_file()) if uploads_dir.exists() else []
        assert on_disk == sorted(r.storage_key for r in rows)  # no orphan file of a refused request
        for r in rows:
            assert next(uploads_dir.rglob(r.storage_key)).stat().st_size == r.size
        assert s.get(Milestone, milestone_id).status == "reported"
        assert verify_chain(session=s).ok
        return reports[0], rows


def test_fifty_reports_with_evidence_at_once_store_one_report_and_only_its_files(live_engine, tmp_path):
    _, _, milestone_id, reporters = _scene(live_engine)
    uploads = tmp_path / "uploads"
    barrier = threading.Barrier(N)
    outcomes: dict[int, str] = {}

    def run(i: int) -> None:
        with db.new_session(live_engine) as s:
            barrier.wait()
            try:
                service.report_milestone(session=s, actor=reporters[i], milestone_id=milestone_id,
                                         data=ReportIn(summary=f"第 {i} 份报告"), uploads=_evidence(i),
                                         uploads_dir=uploads, max_bytes=1 << 20)
                outcomes[i] = "ok"
            except (Conflict, Forbidden):
                outcomes[i] = "conflict"
            except RuleViolation:
                outcomes[i] = "refused"

    threads = [threading.Thread(target=run, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == N  # nothing else escaped (a 500)
    assert Counter(outcomes.values())["ok"] == 1
    assert all(outcomes[i] != "ok" for i in range(BAD))  # a refused type is never stored
    report, rows = _consistent(live_engine, milestone_id, uploads)
    winner = next(i for i, o in outcomes.items() if o == "ok")
    assert report.summary == f"第 {winner} 份报告"
    assert sorted(r.filename for r in rows) == sorted(u.filename for u in _evidence(winner))


def test_fifty_report_uploads_to_the_real_app_give_one_201_and_4xx_never_500(live_engine, tmp_path):
    scene, contract_id, milestone_id, reporters = _scene(live_engine)
    with db.new_session(live_engine) as s:
        headers = [api_headers(s, s.get(User, a.user_id)) for a in reporters]
    url = live_engine.url.render_as_string(hide_password=False)
    var = tmp_path / "var"
    with uvicorn_server(url, var, workers=2) as base:
        barrier = threading.Barrier(N)

        def post(i: int) -> int:
            multipart = [("file", (u.filename, u.data, "application/octet-stream")) for u in _evidence(i)]
            with httpx.Client(base_url=base, timeout=120) as client:
                barrier.wait()
                return client.post(f"/api/v1/milestones/{milestone_id}/reports", headers=headers[i],
                                   data={"summary": f"第 {i} 份报告"}, files=multipart).status_code

        with ThreadPoolExecutor(N) as pool:
            codes = list(pool.map(post, range(N)))
        with httpx.Client(base_url=base, timeout=60) as client:
            shown = client.get(f"/api/v1/contracts/{contract_id}", headers=headers[-1]).json()
    assert codes.count(201) == 1 and all(400 <= c < 500 for c in codes if c != 201), Counter(codes)
    assert all(codes[i] != 201 for i in range(BAD))
    _, rows = _consistent(live_engine, milestone_id, var / "uploads")
    assert len(rows) == 2
    assert scene is not None and shown  # the contract still reads fine after the burst

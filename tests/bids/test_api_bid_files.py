"""Issue 13 (helper ux3): bid attachments at creation through the API. Multipart
`POST /api/v1/challenges/{id}/bids/with-files` (`bid` JSON, `file` parts, optional `submit`): the bid and its
files in one transaction; a bad file leaves neither; an Idempotency-Key retry, even with another multipart
boundary, returns the first answer and stores nothing twice; fifty at once make one bid with one set of
files (SQLite and PostgreSQL)."""

import json

from sqlmodel import func, select

from marketplace import db
from marketplace.bids import service
from marketplace.bids.models import Bid, BidAttachment
from marketplace.bids.schemas import BidIn
from marketplace.challenges.files import Upload
from marketplace.errors import Conflict
from tests import factories as f
from tests.bids import helpers as h
from tests.bids.test_bid_concurrency import engine, race  # noqa: F401 - the file-database fixture

PDF = ("实施方案.pdf", b"%PDF-1.7 implementation plan", "application/pdf")
XLSX = ("预算明细.xlsx", b"PK\x03\x04budget", "application/zip")


def _post(client, w, files, *, submit=False, key=None, **bid):
    headers = {"X-CSRFToken": f.csrf(client), **({"Idempotency-Key": key} if key else {})}
    data = {"bid": json.dumps(h.payload(w.profile.id, **bid), ensure_ascii=False), "submit": str(submit).lower()}
    return client.post(f"/api/v1/challenges/{w.challenge.id}/bids/with-files", data=data,
                       files=[("file", x) for x in files], headers=headers)


def _files(session, bid_id):
    return session.exec(select(BidAttachment).where(BidAttachment.bid_id == bid_id)).all()


def _stored(client):
    folder = client.app.state.settings.uploads_dir
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def test_a_submitted_bid_with_files_in_one_request_and_its_receipt_covers_them(client, session):
    w = h.cast(session)
    f.login(client, session, w.team)
    r = _post(client, w, [PDF, XLSX], submit=True)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "submitted"
    files = _files(session, body["id"])
    assert sorted(a.filename for a in files) == ["实施方案.pdf", "预算明细.xlsx"]
    bid = session.get(Bid, body["id"])
    assert body["receipt_hash"] == service.receipt_hash(bid, [a.sha256 for a in files]) != service.receipt_hash(bid)


def test_a_bad_file_leaves_neither_bid_nor_files_and_the_error_is_structured(client, session):
    w = h.cast(session)
    f.login(client, session, w.team)
    before = _stored(client)
    r = _post(client, w, [PDF, ("脚本.pdf", b"MZ not a pdf", "application/pdf")])
    assert r.status_code == 422 and "脚本.pdf" in r.json()["error"]["message"]
    assert session.exec(select(func.count()).select_from(Bid)).one() == 0 and _stored(client) == before
    bad_json = client.post(f"/api/v1/challenges/{w.challenge.id}/bids/with-files", data={"bid": "{not json"},
                           headers={"X-CSRFToken": f.csrf(client)})
    assert bad_json.status_code == 422 and bad_json.json()["error"]["fields"]["bid"]


def test_a_retry_with_the_same_key_returns_the_first_answer_and_stores_nothing_twice(client, session):
    w = h.cast(session)
    f.login(client, session, w.team)
    first = _post(client, w, [PDF], key="bid-files-1")
    again = _post(client, w, [PDF], key="bid-files-1")  # a new request: another multipart boundary
    assert first.status_code == again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
    assert again.json()["id"] == first.json()["id"]
    assert len(_files(session, first.json()["id"])) == 1
    changed = _post(client, w, [XLSX], key="bid-files-1")  # the same key for other content: refused
    assert changed.status_code == 422 and session.exec(select(func.count()).select_from(Bid)).one() == 1


def test_fifty_creations_at_once_make_one_bid_with_one_set_of_files(engine, tmp_path):  # noqa: F811
    with db.new_session(engine) as s:
        w = h.cast(s)
        s.commit()
        team, challenge_id = f.actor(s, w.team), w.challenge.id
        data = BidIn.model_validate(h.payload(w.profile.id))
    uploads_dir = tmp_path / "uploads"

    def create(i):
        with db.new_session(engine) as s:
            upload = Upload(f"方案{i}.pdf", b"%PDF-1.7 " + str(i).encode())
            return service.save_with_files(session=s, actor=team, challenge_id=challenge_id, data=data,
                                           submit=True, uploads=[upload], uploads_dir=uploads_dir, max_bytes=10_000)

    results = race(50, create)
    assert all(isinstance(r, (Bid, Conflict)) for r in results), [r for r in results if not isinstance(r, Bid)][:3]
    assert sum(isinstance(r, Bid) for r in results) == 1
    with db.new_session(engine) as s:
        bids = s.exec(select(Bid).where(Bid.challenge_id == challenge_id)).all()
        assert len(bids) == 1
        rows = _files(s, bids[0].id)
    assert len(rows) == 1 and sorted(p.name for p in uploads_dir.iterdir()) == [rows[0].storage_key]

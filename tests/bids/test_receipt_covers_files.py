"""Issue 13 (helper ux3): the bid receipt (回执) covers the files handed in with the bid: the SHA-256 of each
attachment enters the hash in a stable (sorted) order, so a changed file changes the receipt while the order
of upload does not; the receipt page says what the receipt covers and shows a short code."""

from sqlmodel import select

from marketplace.bids import service
from marketplace.bids.models import Bid, BidAttachment, receipt_code
from tests import factories as f
from tests.bids import helpers as h
from tests.bids.test_bid_pages import form as bid_form

PDF_A = ("方案说明.pdf", b"%PDF-1.7 first version", "application/pdf")
PDF_B = ("测试报告.pdf", b"%PDF-1.7 lab report", "application/pdf")


def _submit_with(client, session, w, files) -> Bid:
    f.login(client, session, w.team)
    r = client.post(f"/challenges/{w.challenge.id}/bid", files=files, follow_redirects=False,
                    data=bid_form(f.csrf(client), w.profile.id, action="submit"))
    assert r.status_code == 303, r.text
    session.expire_all()
    return session.exec(select(Bid).where(Bid.challenge_id == w.challenge.id)).one()


def test_the_receipt_covers_the_files_and_a_changed_file_changes_it(client, session):
    w = h.cast(session)
    bid = _submit_with(client, session, w, [("attachments", PDF_A), ("attachments", PDF_B)])
    digests = [a.sha256 for a in session.exec(select(BidAttachment).where(BidAttachment.bid_id == bid.id))]
    assert len(digests) == 2
    assert bid.receipt_hash == service.receipt_hash(bid, digests)
    assert bid.receipt_hash == service.receipt_hash(bid, list(reversed(digests)))  # order of upload: no matter
    assert bid.receipt_hash != service.receipt_hash(bid)  # without the files: a different receipt
    changed = [digests[0], "0" * 64]
    assert bid.receipt_hash != service.receipt_hash(bid, changed)  # one changed file: a different receipt
    page = client.get(f"/bids/{bid.id}").text
    assert "随方案提交的 2 个附件" in page and "方案说明.pdf" in page
    assert receipt_code(bid.receipt_hash) in page and "SHA-256" not in page


def test_the_same_bid_with_a_different_file_gets_a_different_receipt(client, session):
    """Two sealings that differ only in one file's bytes (the receipt time pinned to the first's)."""
    w = h.cast(session)
    bid = _submit_with(client, session, w, [("attachments", PDF_A)])
    first = bid.receipt_hash
    row = session.exec(select(BidAttachment).where(BidAttachment.bid_id == bid.id)).one()
    row.sha256 = service.hashlib.sha256(b"%PDF-1.7 second version").hexdigest()
    assert service.receipt_hash(bid, [row.sha256]) != first
    assert service.receipt_hash(bid, [service.hashlib.sha256(PDF_A[1]).hexdigest()]) == first


def test_a_bid_without_files_says_so_and_keeps_the_old_receipt_formula(client, session):
    w = h.cast(session)
    bid = _submit_with(client, session, w, [])
    assert bid.receipt_hash == service.receipt_hash(bid)
    assert "本方案提交时没有附件" in client.get(f"/bids/{bid.id}").text

"""User text is always escaped: a script payload in every free-text field of every object never
reaches a page raw, on any GET route, as any role, as a page or an HTMX fragment.

Every free-text field of challenges (a published, a closed and a returned one), bids, teams,
organisations, users, experts, clarifications, attachments, notifications and audit summaries
carries the payload, and so does every free-text field of what came later (`later_objects`): expert
review (conflict statements, score comments), the company's opinion, the award decision, the 公示
batch and an objection, a signed contract with its payment, voucher and milestone report, a
computed subsidy with the officer's note, and a credit record. The crawl fetches every GET route
of the app (tests/crawl.py, the same enumeration as the sealed-bid canary) as each role. JSON is
data, not markup: API bodies are checked for their content type instead. New objects go into
`later_objects` as they land.
"""

import secrets
from datetime import timedelta

import pytest
from sqlmodel import col, select

from marketplace.accounts.models import ExpertProfile
from marketplace.actor import Role
from marketplace.audit import service as audit
from marketplace.challenges.models import Attachment, Clarification
from marketplace.clock import utcnow
from marketplace.contracts.models import ContractFile
from marketplace.notifications.models import Notification
from marketplace.subsidies import facts
from tests import factories as f
from tests.crawl import crawl, urls
from tests.subsidies_ledger.conftest import MemorySource

PAYLOAD = '"><script>alert("xss")</script><img src=x onerror=alert(1)>'
SHORT = "<script>alert(1)</script>"  # for fields of at most 50 characters
RAW = ("<script>alert", "<img src=x")
ESCAPED = "&lt;script&gt;alert"
ROLES = ["anonymous", "owner", "team", "expert", "officer", "admin"]


def challenge_text(session, owner, **kw):
    indicator = {"name": PAYLOAD, "target": PAYLOAD, "unit": SHORT, "test_method": PAYLOAD}
    return f.challenge(session, company=owner, title="碳化硅" + PAYLOAD, background=PAYLOAD, bottleneck=PAYLOAD,
                       indicators=[indicator], deliverables=PAYLOAD, scenario=PAYLOAD, requirements=PAYLOAD,
                       contact_name=SHORT, contact_phone=SHORT, contact_email=SHORT, confidential_annex=PAYLOAD,
                       officer_comment=PAYLOAD, withdraw_reason=PAYLOAD, **kw)


def later_objects(session, users, owner, team, team_user, company_org, team_org) -> dict:
    """Review, award, 公示, contract, subsidy and credit objects with the payload in their free text."""
    from dataclasses import replace

    from marketplace.awards import service as awards
    from marketplace.awards.models import AwardDecision
    from marketplace.config import get_settings
    from marketplace.contracts import files
    from marketplace.contracts import service as contracts
    from marketplace.contracts.models import Milestone
    from marketplace.contracts.schemas import ContractIn, PaymentIn, ReportIn
    from marketplace.credit import service as credit
    from marketplace.reviews import service as reviews
    from marketplace.subsidies import service as subsidies
    from tests.reviews.scenario import comment_sheet, score_sheet
    from tests.subsidies_ledger.conftest import contract as contract_facts

    officer, expert = f.actor(session, users["officer"]), f.actor(session, users["expert"])
    company, lead = f.actor(session, owner), f.actor(session, team_user)
    # expert review → company opinion → decision → 公示 with a pending objection
    reviewed = challenge_text(session, owner, status="closed", bid_deadline=utcnow() - timedelta(hours=1))
    reviewed_bid = f.bid(session, challenge=reviewed, team_profile=team, status="qualified", technical_route=PAYLOAD,
                         prior_results=PAYLOAD, milestones=[{"title": PAYLOAD, "due_month": 6, "indicators": []}])
    session.commit()
    reviews.start_review(session=session, actor=officer, challenge_id=reviewed.id,
                         spec=reviews.PanelSpec(reviewers_per_bid=1, max_load=5))
    reviews.auto_assign(session=session, actor=officer, challenge_id=reviewed.id)
    reviews.declare(session=session, actor=expert, bid_id=reviewed_bid.id, has_conflict=False, statement=PAYLOAD)
    reviews.submit_score(session=session, actor=expert, bid_id=reviewed_bid.id, scores=score_sheet(8),
                         comments=comment_sheet(PAYLOAD), overall_comment=PAYLOAD)
    awards.give_opinion(session=session, actor=company, challenge_id=reviewed.id,
                        preferred_bid_ids=[reviewed_bid.id], opinion="企业意见" + PAYLOAD)
    awards.decide(session=session, actor=officer, challenge_id=reviewed.id, winning_bid_ids=[reviewed_bid.id],
                  reason="决定理由" + PAYLOAD)
    awards.publish(session=session, actor=officer, challenge_ids=[reviewed.id], title=PAYLOAD)
    awards.lodge_objection(session=session, actor=lead, challenge_id=reviewed.id, reasons="异议理由" + PAYLOAD)
    # a signed contract with a payment (voucher) and a milestone report (evidence file)
    awarded = challenge_text(session, owner, status="awarded", bid_deadline=utcnow() - timedelta(days=60))
    won = f.bid(session, challenge=awarded, team_profile=team, status="qualified", technical_route=PAYLOAD,
                milestones=[{"title": PAYLOAD, "due_month": 6, "indicators": [PAYLOAD]}])
    session.add(AwardDecision(challenge_id=awarded.id, winning_bid_ids=[won.id], decided_by=users["officer"].id,
                              reason=PAYLOAD))
    session.commit()
    contract = contracts.create(session=session, actor=officer, challenge_id=awarded.id, data=ContractIn(terms=PAYLOAD))
    for party in (company, lead, officer):
        contracts.sign(session=session, actor=party, contract_id=contract.id)
    where = {"uploads_dir": get_settings().uploads_dir, "max_bytes": 1 << 20}
    contracts.record_payment(session=session, actor=company, contract_id=contract.id,
                             data=PaymentIn(amount_yuan="1000", paid_on=contract.signed_on, note=PAYLOAD),
                             voucher=files.Upload(SHORT + ".pdf", b"%PDF-1.4 voucher"), **where)
    milestone = session.exec(select(Milestone).where(Milestone.contract_id == contract.id)).first()
    report = contracts.report_milestone(session=session, actor=lead, milestone_id=milestone.id,
                                        data=ReportIn(summary=PAYLOAD),
                                        uploads=[files.Upload(SHORT + ".pdf", b"%PDF-1.4 report")], **where)
    # a computed subsidy (from contract facts titled with the payload) with the officer's note
    source = MemorySource()
    facts.install(source)
    source.add(replace(contract_facts(company_org_id=company_org.id), title=PAYLOAD))
    subsidy_id = subsidies.compute_all(session=session).computed[-1]
    subsidies.check(session=session, actor=officer, subsidy_id=subsidy_id, note=PAYLOAD)
    credit.record(session=session, actor=officer, organisation_id=team_org.id, kind="late_report", note=PAYLOAD)
    # a drafted successor policy version (/subsidies/policies) with the payload in its document and clause
    from datetime import date

    from marketplace.subsidies import bureau
    from marketplace.subsidies.schemas import PolicyVersionIn

    bureau.draft_version(session=session, actor=officer, data=PolicyVersionIn(
        policy_code="JB-COMPLETION", document=SHORT, document_title=PAYLOAD, clause=SHORT, clause_text=PAYLOAD,
        effective_from=date(2030, 1, 1), effective_to=date(2030, 12, 31), ratio="0.10"))
    session.commit()
    file_id = session.exec(select(ContractFile.id).where(ContractFile.contract_id == contract.id)
                           .order_by(col(ContractFile.id))).first()
    return {"reviewed": reviewed.id, "reviewed_bid": reviewed_bid.id, "contract_id": contract.id,
            "subsidy_id": subsidy_id, "file_id": file_id, "report": report.id}


@pytest.fixture
def world(session):
    company_org = f.organisation(session, name="企业" + PAYLOAD, description=PAYLOAD, qualifications=[PAYLOAD])
    owner = f.user(session, role=Role.COMPANY, org=company_org, display_name=SHORT)
    team_org = f.organisation(session, kind="university", name="高校" + PAYLOAD, description=PAYLOAD)
    team_user = f.user(session, role=Role.TEAM, org=team_org, display_name=SHORT)
    partner_org = f.organisation(session, kind="institute", name="院所" + PAYLOAD)
    expert = f.user(session, role=Role.EXPERT, display_name=SHORT)
    session.add(ExpertProfile(user_id=expert.id, title=SHORT, fields=[PAYLOAD], bio=PAYLOAD))
    users = {"owner": owner, "team": team_user, "expert": expert,
             "officer": f.user(session, role=Role.OFFICER, display_name=SHORT),
             "admin": f.user(session, role=Role.ADMIN, display_name=SHORT)}
    # the leader is not named like the expert (that would be a conflict of interest in the review)
    team = f.team(session, owner=team_user, name="团队" + PAYLOAD, leader="负责人" + SHORT, members=[PAYLOAD],
                  fields=[PAYLOAD], profile="碳化硅 " + PAYLOAD, achievements=PAYLOAD, patents=[PAYLOAD])
    challenge_text(session, owner)  # open: in the hall, search cards, feed, home
    returned = challenge_text(session, owner, status="returned")
    closed = challenge_text(session, owner, status="closed", bid_deadline=utcnow() - timedelta(hours=1))
    bid = f.bid(session, challenge=closed, team_profile=team, technical_route=PAYLOAD, prior_results=PAYLOAD,
                milestones=[{"title": PAYLOAD, "due_month": 6, "indicators": [PAYLOAD]}],
                members=[{"name": SHORT, "role": PAYLOAD}], declare_conflicts=PAYLOAD, review_reason=PAYLOAD,
                partners=[{"organisation_id": partner_org.id, "share_percent": 30, "role": PAYLOAD}])
    for c in (closed, returned):
        session.add(Clarification(challenge_id=c.id, asked_by=team_user.id, question=PAYLOAD, answer=PAYLOAD))
    attachment = Attachment(challenge_id=closed.id, filename=PAYLOAD, content_type="text/plain", size=1,
                            sha256="0" * 64, storage_key=secrets.token_hex(16), uploaded_by=owner.id)
    session.add(attachment)
    for u in users.values():
        session.add(Notification(user_id=u.id, kind="challenge_published", title=PAYLOAD, body=PAYLOAD, link="/"))
    audit.record(session=session, actor=f.actor(session, owner), action="challenge.withdrawn",
                 subject_type="challenge", subject_id=closed.id, summary={"reason": PAYLOAD, "comment": PAYLOAD})
    session.commit()
    saved_source = facts._source  # noqa: SLF001 — later_objects installs contract facts for 免申即享
    later = later_objects(session, users, owner, team, team_user, company_org, team_org)
    ids = {"challenge_id": closed.id, "bid_id": bid.id, "team_id": team.id, "attachment_id": attachment.id,
           "organisation_id": team_org.id, "user_id": team_user.id, "name": "x", "id": bid.id,
           "contract_id": later["contract_id"], "subsidy_id": later["subsidy_id"], "file_id": later["file_id"]}
    yield users, [ids, ids | {"challenge_id": returned.id},
                  ids | {"challenge_id": later["reviewed"], "bid_id": later["reviewed_bid"]}], bid, closed, team, later
    facts.install(saved_source) if saved_source is not None else setattr(facts, "_source", None)


def test_script_payloads_in_every_field_are_escaped_on_every_get_route_for_every_role(client, session, app, world):
    users, id_sets, bid, closed, team, later = world
    raw, errors, escaped = [], [], set()
    for role in ROLES:
        client.cookies.clear()
        if role != "anonymous":
            f.login(client, session, users[role])
        seen = set()
        for ids in id_sets:
            for url, response, body in crawl(client, app, ids):
                if (url, body) in seen:
                    continue
                seen.add((url, body))
                where = (role, url, response.status_code)
                if response.status_code >= 500:
                    errors.append(where)
                if response.headers.get("content-type", "").startswith(("application/json", "text/csv")):
                    continue  # data, not markup (served with nosniff; CSV as an attachment)
                if any(marker in body for marker in RAW):
                    raw.append(where)
                if ESCAPED in body:
                    escaped.add((role, url.split("?")[0]))
    assert errors == []
    assert raw == []
    # the payload was rendered (escaped) where each object is shown: the crawl saw the text
    assert len(urls(app, id_sets[0])) > 40
    for role, url in [("team", f"/bids/{bid.id}"), ("owner", f"/bids/{bid.id}"), ("officer", f"/bids/{bid.id}"),
                      ("anonymous", f"/challenges/{closed.id}"), ("anonymous", "/challenges"),
                      ("anonymous", f"/teams/{team.id}"), ("team", "/inbox"), ("officer", "/officer/audit"),
                      ("officer", f"/officer/challenges/{closed.id}/review"), ("anonymous", "/challenges/feed.atom"),
                      ("owner", f"/challenges/{id_sets[1]['challenge_id']}/edit"),
                      # what came later: review, award, 公示, contract, subsidy, credit
                      ("expert", f"/review/bids/{later['reviewed_bid']}"),
                      ("officer", f"/officer/challenges/{later['reviewed']}/decision"),
                      ("anonymous", "/announcements"), ("officer", "/objections"),
                      ("owner", f"/contracts/{later['contract_id']}"),
                      ("team", f"/contracts/{later['contract_id']}"),
                      ("officer", f"/subsidies/{later['subsidy_id']}"),
                      ("officer", f"/officer/organisations/{id_sets[0]['organisation_id']}/credit")]:
        assert (role, url) in escaped, (role, url)

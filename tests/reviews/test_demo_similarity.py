"""After `make run`, the 查重 page of the demo's closed CAR-T challenge shows the planted near-copy, and
no other demo bid is flagged against an unrelated one."""

from sqlmodel import select

from marketplace import demo
from marketplace.accounts.models import TeamProfile, User
from marketplace.actor import Role
from marketplace.bids.models import Bid
from marketplace.challenges.models import Challenge
from marketplace.reviews import similarity
from tests import factories as f


def test_the_demo_near_copy_is_flagged_and_nothing_else(client, session):
    demo.load(session=session)
    challenges = {c.key: c for c in session.exec(select(Challenge)).all()}
    teams = {t.key: t.id for t in session.exec(select(TeamProfile)).all()}
    cart = challenges["cart-closed"]
    copy = session.exec(select(Bid).where(Bid.challenge_id == cart.id, Bid.team_id == teams["sysu-drug"])).one()
    original = session.exec(select(Bid).where(Bid.challenge_id == cart.id,
                                              Bid.team_id == teams["gibh-stem"])).one()
    officer = session.exec(select(User).where(User.role == Role.OFFICER)).first()
    f.login(client, session, officer)
    page = client.get(f"/officer/challenges/{cart.id}/similarity")
    assert page.status_code == 200 and f'id="flag-{copy.id}-{original.id}"' in page.text and "<mark>" in page.text
    actor = f.actor(session, officer)
    flagged = set()
    for c in challenges.values():
        try:
            flagged |= {(fl.bid_id, fl.other_bid_id) for fl in similarity.check(session=session, actor=actor,
                                                                                 challenge_id=c.id)}
        except Exception:  # noqa: BLE001 (challenges still sealed answer 404)
            continue
    assert flagged == {(copy.id, original.id)}

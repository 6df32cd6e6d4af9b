"""Issue 8 item 11: the last active admin cannot demote or disable themselves (nor be demoted)."""

import pytest
from sqlmodel import select, update

from marketplace.accounts import service as accounts
from marketplace.accounts.models import User
from marketplace.actor import Role
from marketplace.errors import Conflict
from tests import factories as f


@pytest.fixture
def only_admin(session):
    """Every other admin disabled, so `admin` is the only active one."""
    admin = f.user(session, role=Role.ADMIN)
    session.execute(update(User).where(User.role == Role.ADMIN, User.id != admin.id).values(is_active=False))
    session.commit()
    return admin


@pytest.mark.parametrize("change", ["demote", "disable"])
def test_the_only_admin_cannot_lock_everyone_out(session, only_admin, change):
    actor = f.actor(session, only_admin)
    with pytest.raises(Conflict, match="最后一位" if change == "demote" else "自己|最后一位"):
        if change == "demote":
            accounts.change_role(session=session, actor=actor, user_id=only_admin.id, role=Role.OFFICER)
        else:  # disabling oneself was already refused; the rule also holds through another path
            accounts.set_active(session=session, actor=actor, user_id=only_admin.id, active=False)
    session.rollback()
    assert session.get(User, only_admin.id).role == Role.ADMIN


def test_with_a_second_admin_either_may_step_down_but_not_both(session, only_admin):
    second = f.user(session, role=Role.ADMIN)
    session.commit()
    accounts.change_role(session=session, actor=f.actor(session, only_admin), user_id=second.id, role=Role.OFFICER)
    with pytest.raises(Conflict):
        accounts.change_role(session=session, actor=f.actor(session, only_admin), user_id=only_admin.id,
                             role=Role.TEAM)
    session.rollback()
    accounts.change_role(session=session, actor=f.actor(session, only_admin), user_id=second.id, role=Role.ADMIN)
    accounts.change_role(session=session, actor=f.actor(session, second), user_id=only_admin.id, role=Role.OFFICER)
    assert session.exec(select(User.id).where(User.role == Role.ADMIN, User.is_active == True)).all() == [second.id]  # noqa: E712


def test_pages_and_api_answer_409_with_the_reason(client, session, only_admin):
    f.login(client, session, only_admin)
    token = f.csrf(client)
    api = client.put(f"/api/v1/users/{only_admin.id}/role", json={"role": "officer"}, headers={"X-CSRFToken": token})
    assert api.status_code == 409 and "最后一位" in api.json()["error"]["message"]
    page = client.post(f"/admin/users/{only_admin.id}/role", data={"csrf_token": token, "role": "officer"},
                       follow_redirects=True)
    assert "最后一位" in page.text
    assert session.get(User, only_admin.id).role == Role.ADMIN

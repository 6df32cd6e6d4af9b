"""Login and registration limits: by account and by address, the owner still gets in, no timing oracle."""

import pytest

from marketplace.accounts import passwords
from marketplace.accounts import service as accounts
from marketplace.accounts.schemas import RegistrationIn
from marketplace.actor import Role
from marketplace.auth import service as auth
from marketplace.errors import Conflict, RateLimited, Unauthenticated
from tests import factories as f

ATTACKER, OWNER = "203.0.113.66", "198.51.100.7"


def attempt(session, account, password, address):
    try:
        auth.login(session=session, account=account, password=password, address=address)
    except Unauthenticated:
        return 401
    except RateLimited:
        return 429
    return 200


def test_an_attacker_locks_only_their_own_address_and_the_owner_still_gets_in(session):
    owner = f.user(session, email="owner@x.example")
    for _ in range(5):
        assert attempt(session, owner.email, "guess-guess", ATTACKER) == 401
    # The attacker is locked out of this account, even with the right password ...
    assert attempt(session, owner.email, f.PASSWORD, ATTACKER) == 429
    # ... the owner, from their own address, is not.
    assert attempt(session, owner.email, f.PASSWORD, OWNER) == 200


def test_email_and_mobile_share_one_count(session):
    user = f.user(session, email="both@x.example", mobile="13900002222")
    for login in ("both@x.example", "13900002222", "BOTH@x.example", "13900002222", "both@x.example"):
        assert attempt(session, login, "wrong-password", ATTACKER) == 401
    assert attempt(session, "13900002222", "wrong-password", ATTACKER) == 429
    assert attempt(session, user.email, "wrong-password", ATTACKER) == 429


def test_a_distributed_guess_is_cut_off_except_from_the_owners_known_address(session):
    owner = f.user(session, email="target@x.example")
    assert attempt(session, owner.email, f.PASSWORD, OWNER) == 200  # the owner's usual address
    for n in range(20):  # 4 guesses each from 5 addresses: under the per-address limit everywhere
        assert attempt(session, owner.email, "wrong-password", f"192.0.2.{n // 4}") == 401
    assert attempt(session, owner.email, f.PASSWORD, "192.0.2.200") == 429  # a new address: refused
    assert attempt(session, owner.email, f.PASSWORD, OWNER) == 200


def test_one_address_spraying_many_accounts_is_limited(session):
    for n in range(30):
        assert attempt(session, f"nobody{n}@x.example", "wrong-password", ATTACKER) == 401
    assert attempt(session, "someone-else@x.example", "wrong-password", ATTACKER) == 429


def test_unknown_and_known_accounts_are_limited_alike(session):
    user = f.user(session)
    results = {}
    for login in (user.email, "ghost@x.example"):
        results[login] = [attempt(session, login, "wrong-password", ATTACKER) for _ in range(6)]
    assert results[user.email] == results["ghost@x.example"] == [401] * 5 + [429]


@pytest.fixture
def verifications(monkeypatch):
    """Count Argon2 verifications (the work that took 159 ms) instead of timing them."""
    calls = []
    original = passwords._hasher.verify

    def counting(password, hash_):
        calls.append(hash_)
        return original(password, hash_)

    monkeypatch.setattr(passwords._hasher, "verify", counting)
    return calls


def test_every_failed_login_does_the_same_work_and_gets_the_same_answer(client, session, verifications):
    active = f.user(session, email="active@x.example")
    disabled = f.user(session, email="disabled@x.example", is_active=False)
    answers = {}
    for account, password in (("active@x.example", "wrong-password"), ("nobody@x.example", f.PASSWORD),
                              ("disabled@x.example", f.PASSWORD), ("disabled@x.example", "wrong-password")):
        verifications.clear()
        response = client.post("/api/v1/auth/token", json={"account": account, "password": password})
        answers[(account, password)] = (response.status_code, response.json())
        assert len(verifications) == 1, account  # one Argon2 verification on every path
    assert len(set(map(str, answers.values()))) == 1
    assert active.is_active and not disabled.is_active


def registration(n, **overrides):
    data = {"org_kind": "enterprise", "org_name": f"广州注册测试{n}有限公司", "uscc": f.valid_uscc(770000 + n),
            "district": "天河区", "display_name": "王经理", "email": f"reg{n}@x.example",
            "password": "good-password-1", "accept_terms": True}
    return {**data, **overrides}


def test_registration_is_rate_limited_per_address_even_when_every_attempt_is_refused(client, session):
    f.user(session, email="taken@x.example")
    for n in range(10):  # probing which addresses are registered
        response = client.post("/api/v1/register", json=registration(n, email="taken@x.example"))
        assert response.status_code == 409
        assert response.json()["error"]["fields"] == {"email": "该邮箱已注册"}
    limited = client.post("/api/v1/register", json=registration(99))
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    page = client.post("/register", data={"csrf_token": f.csrf(client), **registration(98)})
    assert page.status_code == 429 and "注册尝试过于频繁" in page.text


def test_registration_from_another_address_is_not_affected(session):
    for n in range(10):
        accounts.register(session=session, data=RegistrationIn(**registration(n)), address=ATTACKER)
    with pytest.raises(RateLimited):
        accounts.register(session=session, data=RegistrationIn(**registration(50)), address=ATTACKER)
    user = accounts.register(session=session, data=RegistrationIn(**registration(51)), address=OWNER)
    assert user.role == Role.COMPANY


def test_a_duplicate_registration_hashes_the_password_like_a_new_one(session, monkeypatch):
    f.user(session, email="dup@x.example")
    hashed = []
    original = accounts.hash_password
    monkeypatch.setattr(accounts, "hash_password", lambda p: hashed.append(p) or original(p))
    with pytest.raises(Conflict):
        accounts.register(session=session, data=RegistrationIn(**registration(1, email="dup@x.example")),
                          address=OWNER)
    assert len(hashed) == 1

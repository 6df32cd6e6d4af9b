import pytest
from sqlmodel import func, select

from marketplace.accounts import service as accounts
from marketplace.accounts.models import Organisation, OrgStatus, User
from marketplace.accounts.schemas import RegistrationIn, VerificationIn
from marketplace.actor import Role
from marketplace.audit.models import AuditEvent
from marketplace.errors import Conflict, Forbidden, RuleViolation
from marketplace.validation import parse
from tests import factories as f


def registration(**overrides) -> dict:
    data = {"org_kind": "enterprise", "org_name": "广州市测试智造有限公司", "uscc": f.valid_uscc(900001),
            "district": "黄埔区", "qualifications": ["高新技术企业"], "industries": ["智能装备与机器人"],
            "display_name": "王经理", "email": "wang@factory.example", "mobile": "13912345678",
            "password": "a-long-enough-pass", "accept_terms": True}
    return data | overrides


def count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_registration_creates_pending_org_and_user_with_an_audit_event(session):
    before = count(session, AuditEvent)
    user = accounts.register(session=session, data=parse(RegistrationIn, registration()))
    org = session.get(Organisation, user.organisation_id)
    assert org.status == OrgStatus.PENDING and user.role == Role.COMPANY
    assert user.password_hash.startswith("$argon2id$")
    events = session.exec(select(AuditEvent).order_by(AuditEvent.seq.desc())).all()
    assert count(session, AuditEvent) == before + 1 and events[0].action == "account.registered"


def test_university_registers_a_team_account(session):
    user = accounts.register(session=session, data=parse(RegistrationIn, registration(
        org_kind="university", qualifications=[], email="lab@uni.example", mobile=None)))
    assert user.role == Role.TEAM


@pytest.mark.parametrize("field, value, message", [
    ("uscc", "91440101MA59ABCDEX", "校验位"),
    ("org_name", "广" * 101, "过长"),
    ("org_name", "广州\x00公司", "控制字符"),
    ("mobile", "12345", "11 位"),
    ("email", "not-an-email", "邮箱格式"),
    ("district", "福田区", "广州市"),
    ("password", "12345678", "常见"),
    ("accept_terms", False, "同意"),
])
def test_bad_registration_gets_its_own_chinese_error_and_writes_nothing(session, field, value, message):
    orgs, users = count(session, Organisation), count(session, User)
    with pytest.raises(RuleViolation) as caught:
        parse(RegistrationIn, registration(**{field: value}))
    assert message in caught.value.fields[field]
    assert (count(session, Organisation), count(session, User)) == (orgs, users)


def test_duplicate_email_mobile_and_uscc_are_each_named(session):
    accounts.register(session=session, data=parse(RegistrationIn, registration()))
    with pytest.raises(Conflict) as caught:  # the same code is a join request (issue 13), the same person is not
        accounts.register(session=session, data=parse(RegistrationIn, registration()))
    assert set(caught.value.fields) == {"email", "mobile"}
    session.rollback()
    with pytest.raises(Conflict) as caught:
        accounts.register(session=session, data=parse(RegistrationIn, registration(uscc=f.valid_uscc(900002))))
    assert set(caught.value.fields) == {"email", "mobile"}


def test_unknown_fields_are_refused():
    with pytest.raises(RuleViolation) as caught:
        parse(RegistrationIn, registration(status="verified"))
    assert "status" in caught.value.fields


@pytest.mark.parametrize("role, allowed", [
    (Role.OFFICER, True), (Role.ADMIN, True), (Role.COMPANY, False), (Role.TEAM, False), (Role.EXPERT, False),
])
def test_who_may_verify_an_organisation(session, role, allowed):
    pending = f.organisation(session, verified=False)
    actor = f.actor(session, f.user(session, role=role))
    data = VerificationIn(approve=True)
    if allowed:
        assert accounts.verify_organisation(session=session, actor=actor, organisation_id=pending.id,
                                            data=data).status == OrgStatus.VERIFIED
    else:
        with pytest.raises(Forbidden) as refused:
            accounts.verify_organisation(session=session, actor=actor, organisation_id=pending.id, data=data)
        assert refused.value.message == "只有科技局工作人员可以认证单位"  # the rule's own words, not a generic refusal
        assert session.get(Organisation, pending.id).status == OrgStatus.PENDING


def test_verifying_a_verified_organisation_again_says_so_and_changes_nothing(session):
    verified = f.organisation(session)
    officer = f.actor(session, f.user(session, role=Role.OFFICER))
    with pytest.raises(Conflict) as again:
        accounts.verify_organisation(session=session, actor=officer, organisation_id=verified.id,
                                     data=VerificationIn(approve=False, comment="重复认证"))
    assert again.value.message == "该单位已认证"
    assert session.get(Organisation, verified.id).status == OrgStatus.VERIFIED


def test_rejection_needs_a_reason():
    with pytest.raises(RuleViolation):
        parse(VerificationIn, {"approve": False, "comment": ""})


def test_the_verification_queue_lists_pending_organisations_only(session):
    from marketplace.accounts import queries

    pending = f.organisation(session, verified=False)
    verified = f.organisation(session)
    rejected = f.organisation(session, verified=False)
    rejected.status = "rejected"
    session.add(rejected)
    session.flush()
    officer = f.actor(session, f.user(session, role=Role.OFFICER))
    queue = {o.id for o in queries.pending_organisations(session=session, actor=officer)}
    assert pending.id in queue
    assert verified.id not in queue and rejected.id not in queue

"""Where an organisation is registered (内地 / 香港 / 澳门): declared at registration, confirmed by the
officer who verifies it, and counted by the dashboard's Hong Kong/Macao participation share."""

from sqlmodel import select

from marketplace.accounts import service as accounts
from marketplace.accounts.models import Organisation, Role
from marketplace.accounts.schemas import RegistrationIn, VerificationIn
from marketplace.audit.models import AuditEvent
from marketplace.errors import RuleViolation
from marketplace.validation import parse
from tests import factories as f

FORM = {"org_kind": "university", "org_name": "澳门测试大学", "uscc": f.valid_uscc(912345), "district": "南沙区",
        "industries": ["新一代信息技术"], "display_name": "梁教授", "email": "leung@um-test.example",
        "password": "a-long-enough-pass", "accept_terms": True}


def test_a_macao_university_registers_and_the_officer_corrects_the_region(session):
    user = accounts.register(session=session, data=parse(RegistrationIn, FORM | {"region": "hongkong"}))
    org = session.get(Organisation, user.organisation_id)
    assert org.region == "hongkong"
    officer = f.actor(session, f.user(session, role=Role.OFFICER))
    accounts.verify_organisation(session=session, actor=officer, organisation_id=org.id,
                                 data=parse(VerificationIn, {"approve": True, "region": "macao"}))
    session.refresh(org)
    assert org.region == "macao" and org.is_verified
    event = session.exec(select(AuditEvent).where(AuditEvent.subject_type == "organisation",
                                                  AuditEvent.subject_id == str(org.id))
                         .order_by(AuditEvent.seq.desc())).first()
    assert event.summary["region"] == ["hongkong", "macao"]


def test_the_region_defaults_to_mainland_and_unknown_values_are_refused(session):
    data = parse(RegistrationIn, FORM | {"uscc": f.valid_uscc(912346), "email": "a@b-test.example"})
    assert data.region == "mainland"
    try:
        parse(RegistrationIn, FORM | {"region": "taipei"})
    except RuleViolation as exc:
        assert "region" in exc.fields
    else:
        raise AssertionError("an unknown region was accepted")


def test_the_register_form_offers_the_region(client):
    page = client.get("/register").text
    assert 'name="region"' in page and "澳门" in page and "香港" in page

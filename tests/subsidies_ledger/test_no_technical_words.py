"""After `jiebang demo`, every contract and subsidy page each demo role reaches shows no technical words:
no policy codes (JB-STAGED…), English state or engine values, engine field names, or hashes."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from marketplace import db
from marketplace.accounts.models import User
from marketplace.app import create_app
from marketplace.config import get_settings
from marketplace.contracts.models import ContractStatus, MilestoneStatus, PaymentStatus, Verdict
from marketplace.subsidies import service
from marketplace.subsidies.engine.explain import TRIGGERS
from marketplace.subsidies.models import Account, EntryKind, Subsidy, SubsidyStatus
from tests import factories as f
from tests.contracts.test_demo_contracts import demo  # noqa: F401  (the demo database)
from tests.test_demo_and_cli import cli_db  # noqa: F401

ENGINE_WORDS = {"entitlement", "awarded", "waitlisted", "clawback_receivable", "paid_so_far", "prior_awards",
                "base_label", "value_id", "ROUND_HALF_UP", "first_come_partial", "acceptance_date",
                "enterprise_invested_funds", "expr", "trace", "None", "True", "False", "undefined",
                "PASSED", "FAILED", "PASSED_AFTER_RECTIFICATION", "FAILED_RECTIFIABLE", "CONTRACT",
                "registered_in_city", "tax_paying", "in_effect", "cap_per_project", "jiebang subsidy"}
ENUMS = {*ContractStatus, *MilestoneStatus, *PaymentStatus, *Verdict, *SubsidyStatus, *EntryKind, *Account,
         *TRIGGERS}
HASH = re.compile(r"(?<![0-9A-Za-z])[0-9a-f]{12,}(?![0-9A-Za-z])|@[0-9a-f]{8,}")


class Visible(HTMLParser):
    """The text a person sees (and hears: titles, labels, placeholders), not markup or scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        self.parts += [v for k, v in attrs if k in ("title", "placeholder", "aria-label", "alt") and v]

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = Visible()
    parser.feed(html)
    return " ".join(parser.parts)


def offending(text: str, codes: set[str]) -> list[str]:
    found = [c for c in codes if c in text]
    words = set(re.findall(r"[A-Za-z_][A-Za-z_ ]*[A-Za-z_]|[A-Za-z]", text))
    tokens = {w for phrase in words for w in re.split(r"\s+", phrase)} | words
    found += sorted(tokens & (ENGINE_WORDS | {str(e) for e in ENUMS}))
    found += HASH.findall(text)
    return found


def _links(html: str, prefix: str) -> set[str]:
    return set(re.findall(rf'href="({prefix}/\d+)"', html))


@pytest.mark.parametrize("email", ["company@jiebang.demo", "team@jiebang.demo", "officer@jiebang.demo",
                                   "officer2@jiebang.demo", "expert@jiebang.demo"])
def test_contract_and_subsidy_pages_show_no_technical_words(demo, email):  # noqa: F811
    codes = set(service.policies()[0])
    application = create_app(settings=get_settings(), engine=demo)
    with TestClient(application, base_url="http://testserver") as client, db.new_session(demo) as s:
        assert s.exec(select(Subsidy)).first() is not None  # the demo has subsidies to look at
        f.login(client, s, s.exec(select(User).where(User.email == email)).one())
        pages = ["/contracts", "/subsidies", "/subsidies/publicity", "/subsidies/pools",
                 *(f"/subsidies?status={st}" for st in SubsidyStatus)]
        listing = client.get("/contracts").text
        for link in sorted(_links(listing, "/contracts")):
            pages += [link, f"{link}/print"]
        for link in sorted(_links(client.get("/subsidies").text, "/subsidies")):
            pages.append(link)
        problems = {}
        seen = 0
        for url in pages:
            r = client.get(url)
            if r.status_code in (403, 404):
                continue
            assert r.status_code == 200, url
            seen += 1
            if bad := offending(visible(r.text), codes):
                problems[url] = bad
        assert seen >= 4
        assert problems == {}, problems

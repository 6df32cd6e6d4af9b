"""Form limits reach the browser as real attributes, and long fields show a character counter."""

import re

from marketplace.actor import Role
from tests import factories as f


def test_registration_inputs_carry_their_maxlength_unescaped(client):
    page = client.get("/register").text
    assert 'maxlength="18"' in page and 'maxlength="100"' in page
    assert "&#34;" not in page


def test_challenge_form_limits_and_counters(client, session):
    f.login(client, session, f.user(session, role=Role.COMPANY))
    page = client.get("/challenges/new").text
    assert "&#34;" not in page
    title = re.search(r'<input id="f-title"[^>]*>', page).group(0)
    assert 'maxlength="100"' in title
    trl = re.search(r'<input id="f-trl_target"[^>]*>', page).group(0)
    assert 'min="1"' in trl and 'max="9"' in trl
    background = re.search(r'<textarea id="f-background"[^>]*>', page).group(0)
    assert 'maxlength="5000"' in background and 'data-counter="count-background"' in background
    assert 'id="count-background"' in page and "已输入 0 / 5000 字" in page


def test_counter_counts_what_was_typed_when_the_form_comes_back_with_errors(client, session):
    f.login(client, session, f.user(session, role=Role.COMPANY))
    data = {k: v for k, v in f.challenge_data(background="背景" * 5, offered_yuan="not money").items()
            if k != "indicators"}
    response = client.post("/challenges", data={"csrf_token": f.csrf(client), **data})
    assert response.status_code == 422
    assert "已输入 10 / 5000 字" in response.text

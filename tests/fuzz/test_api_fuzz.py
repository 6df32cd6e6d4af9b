"""Property-based API fuzzing (schemathesis): no generated request may cause a server error.

Runs against the real app on a demo database, as an officer with a bearer token (the token and
password endpoints are left out so the run cannot log itself out).
"""

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, settings  # noqa: E402

from marketplace import db  # noqa: E402
from tests.servers import prepare_demo_database  # noqa: E402

_state: dict = {}


def _app(tmp_root):  # noqa: ANN001, ANN202
    if "app" not in _state:
        from fastapi.testclient import TestClient

        from marketplace.config import get_settings
        from marketplace.web.app import create_app

        url = f"sqlite:///{tmp_root}/fuzz.db"
        prepare_demo_database(url)
        app = create_app(settings=get_settings(), engine=db.make_engine(url))
        with TestClient(app) as client:
            token = client.post("/api/v1/auth/token", json={"account": "officer@jiebang.demo",
                                                            "password": "jiebang-demo-2026"}).json()["token"]
        _state.update(app=app, headers={"Authorization": f"Bearer {token}"})
    return _state["app"]


def _schema():  # noqa: ANN202
    import tempfile

    app = _app(tempfile.mkdtemp(prefix="jiebang-fuzz-"))
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = _schema().exclude(path_regex="auth/token|me/password")


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_generated_request_causes_a_server_error(case):
    response = case.call(headers=_state["headers"])
    assert response.status_code < 500, response.text[:300]

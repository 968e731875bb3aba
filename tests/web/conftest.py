from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from commonground.config import Settings
from commonground.web.app import create_app


@pytest.fixture(scope="module")
def client(loaded_store):
    """A client over the shared loaded store (states, income classes, bundled dataset)."""
    from commonground.search.index import rebuild

    rebuild(loaded_store)
    app = create_app(Settings(database_url="sqlite://"), store=loaded_store)
    with TestClient(app) as client:
        yield client

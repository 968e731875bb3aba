from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from commonground.store.migrate import current_revision, head_revision, upgrade
from commonground.store.models import Base


def test_migrations_reach_head_and_match_the_models(store):
    upgrade(store)  # idempotent on an up-to-date database
    assert current_revision(store) == head_revision(store)
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []

"""The migrations build exactly the tables the models declare."""

from __future__ import annotations

import sqlalchemy as sa

from numrep.core import migrate
from numrep.models import metadata


def test_migrations_match_models(database_url: str) -> None:
    # The fixture's database was built by the same upgrade; running it again
    # also shows that an upgrade at head changes nothing.
    migrate.upgrade(database_url)
    differences = migrate.schema_differences(database_url)
    assert differences == [], (
        "the models and the migrations differ; run scripts/regen-migration"
    )


def test_schema_check_sees_model_change(database_url: str) -> None:
    changed = sa.MetaData()
    for table in metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["accounts"].append_column(sa.Column("nickname", sa.String(50)))

    differences = migrate.schema_differences(database_url, changed)
    assert [difference[0] for difference in differences] == ["add_column"]
    assert differences[0][3].name == "nickname"


def test_schema_check_ignores_dbos_tables(database_url: str) -> None:
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    try:
        inspector = sa.inspect(engine)
        if engine.dialect.name == "sqlite":
            present = set(inspector.get_table_names())
        else:
            present = set(inspector.get_table_names(schema="dbos"))
    finally:
        engine.dispose()
    assert "workflow_status" in present
    assert not {
        difference[1].name
        for difference in migrate.schema_differences(database_url)
        if difference[0] == "remove_table"
    }

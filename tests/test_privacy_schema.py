"""Derived from the schema: every column is classified, and every personal column is covered by Auskunft and Löschen.

Adding a column to a model without deciding how it is treated (app.services.personal_data.REGISTRY)
fails here; classifying it as personal without adding it to the erasure fails here too.
"""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import text

from app.services import auskunft, erasure
from app.services.personal_data import PERSON_TABLES, REGISTRY, Kind
from app.storage.changelog import PERSONAL_FIELDS
from app.storage.models import Base
from app.storage.migrate_v2 import _stored
from tests.attendance_fixtures import db, db_any, no_leaked_listeners  # noqa: F401
from tests.privacy_fixtures import EMAIL, NAME, NOTE, PHONE, make_person

SCHEMA = {table.name: [column.name for column in table.columns] for table in Base.metadata.sorted_tables}


@pytest.mark.parametrize("table", sorted(SCHEMA))
def test_every_column_is_classified(table):
    missing = [column for column in SCHEMA[table] if column not in REGISTRY.get(table, {})]
    assert not missing, (
        f"Neue Spalten in »{table}« ohne Datenschutz-Einstufung: {missing}. Bitte in "
        "app/services/personal_data.py einstufen (und personenbezogene in Auskunft und Löschen aufnehmen)."
    )


def test_registry_names_no_column_that_does_not_exist():
    stale = [(t, c) for t, cols in REGISTRY.items() for c in cols if c not in SCHEMA.get(t, [])]
    assert not stale


def test_personal_columns_are_exactly_what_the_erasure_blanks():
    for table, columns in REGISTRY.items():
        personal = {name for name, col in columns.items() if col.kind is Kind.PERSON}
        if personal or table in PERSONAL_FIELDS:
            assert personal == set(PERSONAL_FIELDS.get(table, {})), table
            assert table in PERSON_TABLES, f"{table}: personal data must be in the Auskunft"


def test_record_columns_belong_to_tables_of_one_person():
    for table, columns in REGISTRY.items():
        if any(col.kind in (Kind.RECORD, Kind.STATISTIC) for col in columns.values()):
            assert table in PERSON_TABLES, table
        for name, col in columns.items():
            if col.kind in (Kind.PERSON, Kind.STATISTIC, Kind.RECORD):
                assert col.label, f"{table}.{name}: a German label for the Auskunft"


def _same(shown, stored) -> bool:  # noqa: ANN001 - JSON value against the value as SQLite stores it
    if isinstance(shown, bool):
        shown = int(shown)
    return str(shown).replace("T", " ")[:19] == str(stored)[:19]


def _rows(db, table, column, value):  # noqa: ANN001
    with db.engine.connect() as conn:
        result = conn.execute(text(f"SELECT * FROM {table} WHERE {column} = :v"), {"v": value})
        return [{name: _stored(v) for name, v in row._mapping.items()} for row in result]


def test_auskunft_shows_every_column_and_erasure_blanks_every_personal_one(db_any):
    """On a laptop's SQLite file and on the office's PostgreSQL database."""
    db = db_any
    setup = make_person(db)
    data = json.loads(json.dumps(auskunft.collect(db, setup.person_id).as_json()))
    sections = {"participants": [data["person"]], "consents": data["einwilligungen"],
                "enrolments": data["anmeldungen"], "attendances": data["anwesenheiten"]}
    for table, key in PERSON_TABLES.items():
        stored = _rows(db, table, key, setup.person_id)
        assert stored, table
        shown = sections[table]
        assert len(shown) == len(stored), table
        for row in stored:
            match = [item for item in shown if item["id"] == row["id"]]
            assert match, f"{table} Nr. {row['id']} fehlt in der Auskunft"
            for column in SCHEMA[table]:
                assert column in match[0], f"{table}.{column} fehlt in der Auskunft"
                if row[column] is not None and not isinstance(row[column], bytes):
                    assert _same(match[0][column], row[column]), (table, column)
    for value in (NAME, PHONE, EMAIL, NOTE, 1941):
        assert value in data["person"].values()

    erasure.erase_one(db, setup.person_id)
    [person] = _rows(db, "participants", "id", setup.person_id)
    for column, blank in PERSONAL_FIELDS["participants"].items():
        assert person[column] == json.loads(blank), column
    assert person["erased"] == 1 and person["deleted"] == 0  # the placeholder stays counted
    copies = [(t, c) for t, cols in REGISTRY.items() for c, col in cols.items() if col.kind is Kind.COPY]
    assert copies
    with db.engine.connect() as conn:
        for table, column in copies:
            values = [row[0] or "" for row in conn.execute(text(f"SELECT {column} FROM {table}"))]
            for secret in (NAME, PHONE, EMAIL, NOTE):
                assert not any(secret in json.dumps(v, ensure_ascii=False) or secret in v for v in values), (
                    table, column, secret)
            # the birth year as a number of its own: inside a timestamp (»…:50.194107«) or a key it is no leak
            year = re.compile(r"(?<![0-9A-Za-z])1941(?![0-9A-Za-z])")
            assert not any(year.search(v) for v in values), (table, column, "1941")
    after = auskunft.collect(db, setup.person_id)
    assert after.erased and NAME not in json.dumps(after.as_json(), ensure_ascii=False)


def test_privacy_services_import_no_qt_and_the_command_module_is_light():
    import subprocess
    import sys

    from tests.attendance_fixtures import PROJECT_ROOT_FOR_SUBPROCESS

    def loaded(modules: str) -> list[str]:
        code = f"import sys; {modules}; print('\\n'.join(sys.modules))"
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              cwd=str(PROJECT_ROOT_FOR_SUBPROCESS)).stdout.split()

    services = loaded("import app.services.auskunft, app.services.erasure, app.services.retention, "
                      "app.services.personal_data")
    assert not [name for name in services if name.startswith("PySide6")]
    command = loaded("import app.commands.privacy")
    assert "sqlalchemy" not in command and not [name for name in command if name.startswith("PySide6")]

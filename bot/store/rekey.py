"""`bot data rekey`: every sealed value sealed again under the current data key, and every value
stored before sealing existed sealed now. Run it after a key rotation (then the retired key can be
removed from DATA_KEYS_RETIRED) and after upgrading a database that held clear-text state."""
from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from bot.keys import Keyring
from bot.store.models import Conversation, Customer

BATCH = 500
# (model, key column, sealed columns)
SEALED = ((Conversation, "id", ("state", "last_response")), (Customer, "id", ("pin_hash",)))


def rekey(session: Session, keyring: Keyring) -> dict[str, int]:
    """Rows re-sealed per table; values already under the current key are left alone."""
    done: dict[str, int] = {}
    for model, key, columns in SEALED:
        table = model.__tablename__
        stale: list = []
        # Read as stored (no column type opens anything) to see which key sealed each value.
        query = text(f"SELECT {key}, {', '.join(columns)} FROM {table}")
        for row in session.execute(query):
            if any(value is not None and keyring.needs_rekey(str(value)) for value in row[1:]):
                stale.append(row[0])
        for start in range(0, len(stale), BATCH):
            for obj in session.scalars(select(model).where(getattr(model, key).in_(stale[start:start + BATCH]))):
                for column in columns:
                    flag_modified(obj, column)  # written again: sealed under the current key
            session.flush()
        done[table] = len(stale)
    return done

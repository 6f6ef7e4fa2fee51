"""The audit store (sqlmodel): rulesets seen and every quote recorded, with its input, output,
ruleset hash and known_at — so an auditor can re-run a recorded entry under another knowledge
date and see what changed.

- models: the tables (money exact to the cent at every size tariffs.limits allows);
- migrate: the schema, by the Alembic migrations in tariffs/migrations (`tariffs db upgrade`);
- store: `Store`, which records and reads, recovers from write faults and keeps idempotent responses;
- rerun: a recorded quote re-priced under another knowledge date.
"""
from tariffs.store.models import IdempotencyRecord, QuoteRecord, RulesetRecord
from tariffs.store.rerun import rerun
from tariffs.store.store import (Entry, Idempotency, IdempotencyConflict, Store, StoredResponse, StoreError,
                                 default_url)

__all__ = ["Store", "StoreError", "Entry", "Idempotency", "IdempotencyConflict", "StoredResponse", "QuoteRecord",
           "RulesetRecord", "IdempotencyRecord", "rerun", "default_url"]

"""Evidence that stands up: the tamper-evident ledger, its verification, export and anchoring.

See ``app/evidence/README.md`` for the ledger format.
"""

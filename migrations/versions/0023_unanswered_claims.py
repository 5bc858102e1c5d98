"""Claims of an Idempotency-Key that never got an answer are dropped

A key is now claimed, written with and answered in one transaction (issue 22): a claim without an
answer is seen only by its own request. The ones stored are left by requests that died under the
earlier version, which claimed a key in a transaction of its own; a retry of one runs again, as a
first request.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 00:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM idempotency_keys WHERE status_code IS NULL")


def downgrade() -> None:
    pass  # nothing to restore: a retry of such a request runs again either way

"""The one pagination of every API list: `limit` and `offset` bounded, so that no value reaches the database
that it cannot hold (10^30 overflowed SQLite's and PostgreSQL's integers and answered 500).

Out-of-range values answer 422 naming `limit` or `offset`, through the API's request-error handler.
"""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination as NinjaLimitOffsetPagination
from ninja.pagination import paginate

MAX_LIMIT = 500
DEFAULT_LIMIT = 100
MAX_OFFSET = 10_000_000

__all__ = ["MAX_LIMIT", "MAX_OFFSET", "LimitOffsetPagination", "paginate"]


class LimitOffsetPagination(NinjaLimitOffsetPagination):
    """ninja's limit/offset pagination with both bounds declared (and so also in the OpenAPI schema)."""

    class Input(Schema):
        limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Rows per page (1 to 500)")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Rows to skip (0 to 10,000,000)")

    def __init__(self, max_limit: int = MAX_LIMIT, **kwargs):
        super().__init__(max_limit=max_limit, **kwargs)

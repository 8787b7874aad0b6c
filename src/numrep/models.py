"""Import every domain's tables so ``Base.metadata`` is complete.

Alembic, the tests and the schema check read the metadata from here.
"""

from __future__ import annotations

from numrep.account import models as account_models
from numrep.core.db import Base
from numrep.enterprise import models as enterprise_models
from numrep.tos import models as tos_models

__all__ = ["Base", "account_models", "enterprise_models", "tos_models"]

metadata = Base.metadata

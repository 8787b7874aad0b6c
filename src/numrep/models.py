"""Import every domain's tables so ``Base.metadata`` is complete.

Alembic, the tests and the schema check read the metadata from here.
"""

from __future__ import annotations

from numrep.account import models as account_models
from numrep.console import models as console_models
from numrep.core.db import Base
from numrep.documents import models as document_models
from numrep.enterprise import models as enterprise_models
from numrep.inventory import models as inventory_models
from numrep.network import sandbox_models
from numrep.ownership import models as ownership_models
from numrep.remediation import models as remediation_models
from numrep.reputation import models as reputation_models
from numrep.tos import models as tos_models
from numrep.verification import models as verification_models
from numrep.webhook import models as webhook_models
from numrep.worker import models as worker_models

__all__ = [
    "Base",
    "account_models",
    "console_models",
    "document_models",
    "enterprise_models",
    "inventory_models",
    "ownership_models",
    "remediation_models",
    "reputation_models",
    "sandbox_models",
    "tos_models",
    "verification_models",
    "webhook_models",
    "worker_models",
]

metadata = Base.metadata

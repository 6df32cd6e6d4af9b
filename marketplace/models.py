"""Import every table module so that SQLModel.metadata is complete (migrations, tests)."""

from marketplace import idempotency, scheduler  # noqa: F401
from marketplace.accounts import models as accounts_models  # noqa: F401
from marketplace.audit import models as audit_models  # noqa: F401
from marketplace.auth import models as auth_models  # noqa: F401
from marketplace.awards import models as award_models  # noqa: F401
from marketplace.bids import models as bid_models  # noqa: F401
from marketplace.challenges import models as challenge_models  # noqa: F401
from marketplace.contracts import models as contract_models  # noqa: F401
from marketplace.credit import models as credit_models  # noqa: F401
from marketplace.db import metadata
from marketplace.notifications import models as notification_models  # noqa: F401
from marketplace.reviews import models as review_models  # noqa: F401
from marketplace.search import models as search_models  # noqa: F401
from marketplace.subsidies import models as subsidy_models  # noqa: F401

__all__ = ["metadata"]

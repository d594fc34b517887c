"""Every model module, imported once so that the metadata (and Alembic) sees all tables."""

from .accounts import models as accounts  # noqa: F401
from .audit import models as audit  # noqa: F401
from .enterprises import models as enterprises  # noqa: F401
from .events import models as events  # noqa: F401
from .outbox import models as outbox  # noqa: F401
from .regions import models as regions  # noqa: F401
from .tenancy import models as tenancy  # noqa: F401

"""Every model module, imported once so that the metadata (and Alembic) sees all tables."""

from .accounts import models as accounts  # noqa: F401
from .api import models as api  # noqa: F401
from .audit import models as audit  # noqa: F401
from .billing import models as billing  # noqa: F401
from .billing.providers.invoice import models as billing_invoice  # noqa: F401
from .billing.providers.stripe import models as billing_stripe  # noqa: F401
from .clusters import models as clusters  # noqa: F401
from .cooperation.meetings import models as cooperation_meetings  # noqa: F401
from .cooperation.offers import models as cooperation_offers  # noqa: F401
from .defenses import models as defenses  # noqa: F401
from .enterprises import models as enterprises  # noqa: F401
from .events import models as events  # noqa: F401
from .outbox import models as outbox  # noqa: F401
from .privacy import models as privacy  # noqa: F401
from .projects import models as projects  # noqa: F401
from .regions import models as regions  # noqa: F401
from .reporting import models as reporting  # noqa: F401
from .technoparks import models as technoparks  # noqa: F401
from .tenancy import models as tenancy  # noqa: F401
from .tokens import models as tokens  # noqa: F401
from .webhooks import models as webhooks  # noqa: F401

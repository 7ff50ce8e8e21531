"""Import every table module so that ``Base.metadata`` knows the whole schema."""

from trucewatch.actors import models as actors  # noqa: F401
from trucewatch.auth import models as auth  # noqa: F401
from trucewatch.correlation import models as correlation  # noqa: F401
from trucewatch.exchange import models as exchange  # noqa: F401
from trucewatch.incidents import models as incidents  # noqa: F401
from trucewatch.ingest import models as ingest  # noqa: F401
from trucewatch.keys import models as keys  # noqa: F401
from trucewatch.log import models as log  # noqa: F401
from trucewatch.notifications import models as notifications  # noqa: F401
from trucewatch.reports import models as reports  # noqa: F401
from trucewatch.talks import models as talks  # noqa: F401
from trucewatch.truces import models as truces  # noqa: F401
from trucewatch.verification import models as verification  # noqa: F401

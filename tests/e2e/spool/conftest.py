"""An outage under real worker processes: the spool's PostgreSQL outage and the workers'
process fixtures, owned by their integration tests."""

from tests.integration.spool.conftest import postgres_outage  # noqa: F401  (fixtures)
from tests.integration.workers.conftest import stand_in, worker_processes  # noqa: F401  (fixtures)

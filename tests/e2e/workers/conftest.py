"""Real worker processes: the same stand-in and process fixtures as the workers'
integration tests, which own them."""

from tests.integration.workers.conftest import stand_in, worker_processes  # noqa: F401  (fixtures)

from tests.concurrency.conftest import live_engine  # noqa: F401  (real commits for racing threads)

"""What the tests and the benchmark share, and nothing of either: starting the real server (``launch``),
throwaway PostgreSQL clusters and Redis servers (``servers``), fresh databases (``databases``) and factories that
arrange data through the services (``factories``). It imports nothing from ``tests/`` or ``bench/``."""

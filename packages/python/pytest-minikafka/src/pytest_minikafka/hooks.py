"""Hooks the plugin calls, for other plugins and conftest.py files to implement."""


def pytest_minikafka_reset(broker):
    """Bring a shared broker back to empty before a test that takes the `minikafka` fixture.

    Called when the broker outlives one test (minikafka_scope wider than "function"), with the
    MiniKafka instance. The plugin's own implementation (plugin.py, run first) calls the broker's
    control API: `POST /reset` drops every topic not declared at start (`--topic`), empties the
    declared ones, and removes groups, committed offsets, transactions and faults. Implement this
    hook in a conftest.py to do more (seed records, add faults) after that; every implementation
    runs.
    """

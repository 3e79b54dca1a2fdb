"""Hooks the plugin calls, for other plugins and conftest.py files to implement."""


def pytest_minikafka_reset(broker):
    """Bring a shared broker back to empty before a test that takes the `minikafka` fixture.

    Called when the broker outlives one test (minikafka_scope wider than "function"), with the
    MiniKafka instance. The plugin ships no implementation: emptying a running broker needs
    minikafka's control API, which this version of the CLI does not offer. Until an
    implementation is registered, tests that share a broker share its topics, records and
    groups; give each test its own topic and group names, or set minikafka_scope = function.
    """

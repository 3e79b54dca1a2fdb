"""Records the calls of the plugin's reset hook, so that test_plugin.py can check when it runs."""
import pytest

reset_calls = []


@pytest.hookimpl
def pytest_minikafka_reset(broker):
    reset_calls.append(broker.bootstrap_servers)

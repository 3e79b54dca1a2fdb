"""The fixtures' lifecycle and the launcher's rules."""
from pathlib import Path

import pytest

from pytest_minikafka import MiniKafka, MiniKafkaError, find_launcher

import conftest

seen = []


@pytest.mark.parametrize("run", [1, 2])
def test_session_scope_shares_one_broker_and_calls_the_reset_hook(minikafka, run):
    seen.append(minikafka.bootstrap_servers)
    assert len(set(seen)) == 1, "every test of the session gets the same broker"
    assert minikafka.returncode is None, "the broker is running"
    assert conftest.reset_calls[-1] == minikafka.bootstrap_servers, "the reset hook ran for this test"


def test_factory_brokers_are_their_own(minikafka, minikafka_factory):
    other = minikafka_factory()
    assert other.bootstrap_servers != minikafka.bootstrap_servers


def test_stop_is_a_clean_exit(minikafka_factory):
    broker = minikafka_factory()
    assert broker.stop() == 0, "SIGTERM stops the broker with status 0"
    assert broker.stop() == 0, "stop() again is harmless"


def test_a_missing_node_is_named(tmp_path):
    # An empty PATH, no MINIKAFKA_* variables, no node_modules around tmp_path: nothing to run.
    with pytest.raises(MiniKafkaError, match=r"Node\.js .*MINIKAFKA_NODE"):
        find_launcher([tmp_path], env={"PATH": str(tmp_path)})


def test_minikafka_command_wins(tmp_path):
    launcher = find_launcher([tmp_path], env={"MINIKAFKA_COMMAND": "/opt/node/bin/node '/a b/cli.cjs'", "PATH": ""})
    assert launcher.argv == ("/opt/node/bin/node", "/a b/cli.cjs")


def test_a_broker_that_exits_early_is_reported(tmp_path):
    script = tmp_path / "fail.sh"
    script.write_text("#!/bin/sh\necho 'bad flag' >&2\nexit 3\n")
    script.chmod(0o755)
    launcher = find_launcher([tmp_path], env={"MINIKAFKA_COMMAND": str(script)})
    with pytest.raises(MiniKafkaError, match=r"exited with 3 before it was ready; its stderr:\nbad flag"):
        MiniKafka.start(launcher=launcher)


def test_the_project_install_is_found():
    launcher = find_launcher([Path.cwd()])
    assert launcher.found_by.startswith("the npm package in"), launcher.found_by

"""The pytest plugin (entry point `pytest11: minikafka`).

Fixtures:
- `minikafka`: the broker for this test (a MiniKafka; `.bootstrap_servers` for any client).
  One broker serves every test in the scope set by `--minikafka-scope` or the ini option
  `minikafka_scope` (default: session); before each test the `pytest_minikafka_reset` hook runs,
  and the plugin's implementation resets the broker through its control API (`.reset()`), so no
  test sees another's topics, records, groups, transactions or faults. The broker also has
  `.faults`, `.clock` and `.wait_for` (control.py).
- `minikafka_factory`: `minikafka_factory("--topic", "orders:3")` starts a broker of its own with
  extra `minikafka start` arguments; all are stopped at the end of the session.

Ini options: `minikafka_scope`, `minikafka_args` (extra `minikafka start` arguments for the
shared broker, e.g. `--topic orders:3 --config group.initial.rebalance.delay.ms=0`),
`minikafka_start_timeout` (seconds, default 30). How the broker's command is found:
launcher.find_launcher.
"""
from __future__ import annotations

from typing import Callable, Iterator, List

import pytest

from . import hooks
from .launcher import MiniKafka

SCOPES = ("session", "package", "module", "class", "function")


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hooks)


@pytest.hookimpl(tryfirst=True)
def pytest_minikafka_reset(broker: MiniKafka) -> None:
    """The plugin's reset: the broker's control API, before any other implementation runs."""
    broker.reset()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("minikafka")
    group.addoption("--minikafka-scope", choices=SCOPES, default=None, help="scope of the shared minikafka broker (default: the ini option minikafka_scope, else session)")
    parser.addini("minikafka_scope", "scope of the shared minikafka broker: session, package, module, class or function", default="session")
    parser.addini("minikafka_args", "extra arguments for `minikafka start` (the shared broker)", type="args", default=[])
    parser.addini("minikafka_start_timeout", "seconds to wait for the broker's ready line", default="30")


def _scope(fixture_name: str, config: pytest.Config) -> str:
    scope = config.getoption("minikafka_scope") or config.getini("minikafka_scope")
    if scope not in SCOPES:
        raise pytest.UsageError(f"minikafka_scope must be one of {', '.join(SCOPES)}, not {scope!r}")
    return scope


def _start(config: pytest.Config, args: List[str]) -> MiniKafka:
    return MiniKafka.start(args, timeout=float(config.getini("minikafka_start_timeout")), search_from=[config.rootpath])


@pytest.fixture(scope=_scope)
def minikafka_shared(request: pytest.FixtureRequest) -> Iterator[MiniKafka]:
    """The broker `minikafka` hands out, started once per minikafka_scope."""
    broker = _start(request.config, list(request.config.getini("minikafka_args")))
    yield broker
    broker.stop()


@pytest.fixture
def minikafka(minikafka_shared: MiniKafka, request: pytest.FixtureRequest) -> MiniKafka:
    """The broker for this test; a shared one is reset first (see hooks.pytest_minikafka_reset)."""
    if _scope("minikafka_shared", request.config) != "function":
        request.config.hook.pytest_minikafka_reset(broker=minikafka_shared)
    return minikafka_shared


@pytest.fixture(scope="session")
def minikafka_factory(pytestconfig: pytest.Config) -> Iterator[Callable[..., MiniKafka]]:
    """Starts brokers of their own: `minikafka_factory("--topic", "orders:3")`."""
    started: List[MiniKafka] = []

    def start(*args: str) -> MiniKafka:
        broker = _start(pytestconfig, list(args))
        started.append(broker)
        return broker

    yield start
    for broker in started:
        broker.stop()

"""The broker's control API over HTTP (`minikafka start --control-port`), standard library only.

Every broker the plugin starts serves it on a free loopback port (the ready line's `controlUrl`):

    minikafka.reset()                                   # back to the declared topics, no groups
    minikafka.snapshot("seeded"); minikafka.restore("seeded")   # a prepared state, back again
    minikafka.faults.add(api="Produce", action="error", error="NOT_LEADER_OR_FOLLOWER", count=3)
    minikafka.faults.clear()
    minikafka.clock.freeze(); minikafka.clock.advance(ms=45_000); minikafka.clock.resume()
    minikafka.wait_for.group("my-group", members=2)    # Stable with 2 members
    minikafka.wait_for.offset("orders", 0, 100)          # high watermark >= 100

Errors the API answers (`{"error": CODE, "message": ...}`) raise ControlError with both.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, List, Optional


class ControlError(RuntimeError):
    """A control API error: `status` (HTTP), `code` (BAD_REQUEST, NOT_FOUND, TIMEOUT, ...)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code


class Control:
    """A thin client: one method per endpoint; JSON in and out."""

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout

    def request(self, method: str, path: str, body: Any = None, timeout: Optional[float] = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, method=method, data=data, headers={"content-type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout or self.timeout) as res:
                text = res.read()
                return json.loads(text) if text else None
        except urllib.error.HTTPError as e:
            text = e.read()
            try:
                err = json.loads(text)
                raise ControlError(e.code, err.get("error", str(e.code)), err.get("message", "")) from None
            except ValueError:
                raise ControlError(e.code, str(e.code), text.decode(errors="replace")) from None

    def status(self) -> Dict[str, Any]:
        return self.request("GET", "/status")

    def reset(self) -> Dict[str, Any]:
        """Back to the declared topics (empty), no groups, offsets, transactions or faults."""
        return self.request("POST", "/reset")

    def snapshot(self, name: str) -> Dict[str, Any]:
        """Saves the cluster as it is now (topics with their records, offsets, configs, ACLs) under `name`."""
        return self.request("POST", f"/snapshots/{_name(name)}")

    def restore(self, name: str) -> Dict[str, Any]:
        """Puts the cluster back as snapshot `name` saved it; ControlError NOT_FOUND (404) when there is none."""
        return self.request("POST", f"/snapshots/{_name(name)}/restore")

    def snapshots(self) -> List[Dict[str, Any]]:
        return self.request("GET", "/snapshots")

    def delete_snapshot(self, name: str) -> None:
        self.request("DELETE", f"/snapshots/{_name(name)}")


def _name(name: str) -> str:
    # A snapshot name is one path segment: slashes and the like are escaped, not interpreted.
    return urllib.parse.quote(name, safe="")


class Faults:
    """Fault rules as data: `add(api="Fetch", action="latency", ms=2000, count=1)`."""

    def __init__(self, control: Control) -> None:
        self._c = control

    def add(self, **rule: Any) -> Dict[str, Any]:
        """Adds one rule (the fields of POST /faults); returns it with its id."""
        return self._c.request("POST", "/faults", rule)

    def add_all(self, rules: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        return self._c.request("POST", "/faults", rules)

    def list(self) -> List[Dict[str, Any]]:
        return self._c.request("GET", "/faults")

    def get(self, rule_id: int) -> Optional[Dict[str, Any]]:
        """The rule, or None once it expired or was used up."""
        try:
            return self._c.request("GET", f"/faults/{rule_id}")
        except ControlError as e:
            if e.status == 404:
                return None
            raise

    def remove(self, rule_id: int) -> None:
        self._c.request("DELETE", f"/faults/{rule_id}")

    def clear(self) -> int:
        """Removes every rule and stops chaos; returns how many rules there were."""
        return self._c.request("DELETE", "/faults")["removed"]

    def chaos(self, rate: float, seed: int = 1) -> Dict[str, Any]:
        return self._c.request("PUT", "/chaos", {"rate": rate, "seed": seed})

    def stop_chaos(self) -> None:
        self._c.request("DELETE", "/chaos")


class Clock:
    """The broker's virtual clock: real time until frozen, then only moved by advance()."""

    def __init__(self, control: Control) -> None:
        self._c = control

    def state(self) -> Dict[str, Any]:
        return self._c.request("GET", "/clock")

    def freeze(self) -> Dict[str, Any]:
        return self._c.request("POST", "/clock/freeze")

    def resume(self) -> Dict[str, Any]:
        return self._c.request("POST", "/clock/resume")

    def advance(self, ms: Optional[int] = None, duration: Optional[str] = None) -> Dict[str, Any]:
        """`advance(ms=45000)` or `advance(duration="7d")`."""
        if (ms is None) == (duration is None):
            raise ValueError("give one of ms and duration")
        return self._c.request("POST", "/clock/advance", {"ms": ms} if ms is not None else {"duration": duration})


class WaitFor:
    """Long polls for broker events; each raises ControlError (code TIMEOUT) after timeout_ms."""

    def __init__(self, control: Control) -> None:
        self._c = control

    def _get(self, path: str, query: Dict[str, Any], timeout_ms: int) -> Any:
        q = {k: v for k, v in query.items() if v is not None}
        q["timeoutMs"] = timeout_ms
        # The HTTP timeout outlives the long poll, so the broker's TIMEOUT answer is what is seen.
        return self._c.request("GET", f"{path}?{urllib.parse.urlencode(q)}", timeout=timeout_ms / 1000 + 10)

    def group(self, group_id: str, members: Optional[int] = None, state: Optional[str] = None, timeout_ms: int = 30_000) -> Dict[str, Any]:
        return self._get(f"/wait/group/{urllib.parse.quote(group_id, safe='')}", {"members": members, "state": state}, timeout_ms)

    def offset(self, topic: str, partition: int, offset: int, timeout_ms: int = 30_000) -> Dict[str, Any]:
        return self._get(f"/wait/offset/{urllib.parse.quote(topic, safe='')}/{partition}", {"offset": offset}, timeout_ms)

    def transaction(self, transactional_id: str, timeout_ms: int = 30_000) -> Dict[str, Any]:
        return self._get(f"/wait/transaction/{urllib.parse.quote(transactional_id, safe='')}", {}, timeout_ms)

"""The broker's HTTP control API from a test program, with nothing but the standard library: one
call returns the status and the decoded JSON body, error statuses included (a test asserts on
them rather than catching exceptions)."""

import json
import urllib.error
import urllib.request


def control(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method, headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            text = res.read().decode()
            return res.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read().decode() or "null")

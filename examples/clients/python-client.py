#!/usr/bin/env python3
"""A faultline client adapter in Python, standard library only.

faultline starts it once per path with FAULTLINE_TARGET=host:port (the proxy in front of your
service), writes one JSON operation per line on stdin and reads one JSON answer per line here.
The client is http.client with one keep-alive connection, against faultline's demo HTTP service
(POST /ops/{id} applies a write, GET /ops/{id} reads it back): put your own client's calls in
request() and keep the rest.

    faultline run --client "python3 examples/clients/python-client.py" --upstream 127.0.0.1:8080 ...
"""
import errno
import http.client
import json
import os
import sys
import time
from urllib.parse import quote

HOST, PORT = os.environ["FAULTLINE_TARGET"].rsplit(":", 1)
HOST = HOST.strip("[]")
connection = None  # the kept connection; None after a failure, so the next request reconnects
broken = False  # the transport failed: the next success is a reconnect


def say(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()  # one line per message, sent now: the harness times every answer


def error_kind(err):
    if isinstance(err, TimeoutError):
        return "timeout"
    if isinstance(err, http.client.RemoteDisconnected):
        return "closed"
    if isinstance(err, OSError) and err.errno in errno.errorcode:
        return errno.errorcode[err.errno]  # ECONNRESET, ECONNREFUSED, EPIPE, ...
    return type(err).__name__


def request(method, path, body, deadline):
    """One request on the kept connection; a stale kept connection is retried once on a new one."""
    global connection
    for attempt in (1, 2):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no time left")
        reused = connection is not None
        if connection is None:
            connection = http.client.HTTPConnection(HOST, int(PORT), timeout=left)
        elif connection.sock is not None:
            connection.sock.settimeout(left)
        try:
            connection.request(method, path, body=body, headers={"Content-Type": "text/plain"})
            response = connection.getresponse()
            return response.status, response.read().decode()
        except (OSError, http.client.HTTPException) as err:
            connection.close()
            connection = None
            if attempt == 2 or not reused or isinstance(err, TimeoutError):
                raise


def handle(op):
    global broken
    deadline = time.monotonic() + op["timeout_ms"] / 1000
    path = "/ops/" + quote(op["id"], safe="")
    write = op["kind"] == "write"
    try:
        status, text = request("POST" if write else "GET", path, op["payload"].encode() if write else None, deadline)
    except (OSError, http.client.HTTPException) as err:
        kind = error_kind(err)
        if kind != "timeout" and not broken:  # a timeout is silence, not a transport event
            broken = True
            say({"event": "disconnected", "detail": kind})
        return {"id": op["id"], "ok": False, "error": kind}
    if broken:
        broken = False
        say({"event": "reconnected"})
    if status >= 300:
        return {"id": op["id"], "ok": False, "error": "http %d" % status}
    return {"id": op["id"], "ok": True} if write else {"id": op["id"], "ok": True, "value": text}


say({"event": "ready"})
for line in sys.stdin:  # stdin closes at the end of the scenario: then exit
    say(handle(json.loads(line)))

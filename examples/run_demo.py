"""``make run``: start the demo upstream servers, then the gateway in front of them on :8080.

Stops the upstreams when the gateway stops (Ctrl-C).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
UPSTREAMS = {"notes": 9101, "maths": 9102}


def wait_port(port: int, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"demo server on port {port} exited with status {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    sys.exit(f"demo server on port {port} did not start within {timeout:g} s")


def _stop(signum: int, frame: object) -> None:
    raise SystemExit(0)


def main() -> int:
    signal.signal(signal.SIGTERM, _stop)
    children = [
        (port, subprocess.Popen([sys.executable, str(HERE / "servers" / "demo_server.py"), name, str(port)]))
        for name, port in UPSTREAMS.items()
    ]
    try:
        for port, child in children:
            wait_port(port, child)
        env = {
            "GATEWAY_UPSTREAMS": json.dumps({n: f"http://127.0.0.1:{p}/mcp" for n, p in UPSTREAMS.items()}),
            "GATEWAY_DOMAIN_DESCRIPTIONS": json.dumps(
                {"notes": "Save and search short text notes", "maths": "Arithmetic and statistics"}
            ),
            "GATEWAY_HOST": os.environ.get("GATEWAY_HOST", "127.0.0.1"),
            "GATEWAY_PORT": os.environ.get("GATEWAY_PORT", "8080"),
        }
        gateway = subprocess.Popen([sys.executable, "-m", "gateway_app"], env={**os.environ, **env})
        children.append((0, gateway))
        return gateway.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        for _, child in children:
            if child.poll() is None:
                child.terminate()
        for _, child in children:
            child.wait(10)


if __name__ == "__main__":
    sys.exit(main())

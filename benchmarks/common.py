"""What the benchmark scripts share: free ports, waiting for gunicorn, results.md sections."""

import http.client
import socket
import subprocess
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results.md"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn_wait_ready(port: int, process: subprocess.Popen, log: Path | None = None) -> None:
    """Until /healthz answers 200; exits the script with the server's log if it died."""
    deadline = time.time() + 60
    while time.time() < deadline:
        if process.poll() is not None:
            told = f":\n{log.read_text()}" if log else ""
            raise SystemExit(f"gunicorn on :{port} exited{told}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz", headers={"X-Forwarded-Proto": "https"})
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    told = f":\n{log.read_text()}" if log else ""
    raise SystemExit(f"gunicorn did not answer on :{port}{told}")


def results_section_write(marker: str, body: str) -> None:
    """Replace this script's section of benchmarks/results.md (or append it)."""
    begin, end = f"<!-- begin {marker} -->", f"<!-- end {marker} -->"
    block = f"{begin}\n{body}{end}"
    current = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if begin in current and end in current:
        head, rest = current.split(begin, 1)
        current = head + block + rest.split(end, 1)[1]
    else:
        current = current.rstrip("\n") + "\n\n" + block + "\n"
    RESULTS.write_text(current)

"""The Prefect API a build talks to: a running server named by PREFECT_API_URL, or a temporary one.

The temporary server is the one Prefect's ephemeral mode runs (the command of
`prefect.server.api.server.SubprocessASGIServer`), started as soon as the build knows Prefect's
home and waited for only when the flow is called, so it comes up while the build prepares. This
process never imports Prefect's server code (seconds of imports it does not need). A fresh home
starts from a migrated database kept per Prefect version (flows/prefect_db.py).
"""

import atexit
import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from flows.prefect_db import home_is_fresh, keep_template, seed_home
from schemas.errors import ServiceUnavailable

HEALTH_POLL_S = 0.05
ADDRESS_IN_USE = 3  # uvicorn's exit status when its port was taken meanwhile
# What Prefect's SubprocessASGIServer adds to the environment (tests/test_prefect_api.py compares).
SERVER_ENV = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}


def configured_api_url() -> str | None:
    """The API URL Prefect's settings name (environment, profile, prefect.toml), if any."""
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value() or os.environ.get("PREFECT_API_URL") or None


def uvicorn_command(port: int) -> list[str]:
    """The command Prefect runs for its temporary server, on `port`."""
    prefect_dir = Path(importlib.util.find_spec("prefect").origin).parent
    return [sys.executable, "-m", "uvicorn", "--app-dir", str(prefect_dir.parent), "--factory",
            "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(port),
            "--log-level", "error", "--lifespan", "on"]


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class TemporaryServer:
    """Prefect's temporary API server in a child process: started at once, waited for later."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.port = 0
        self.published = False
        # A fresh home starts from this Prefect version's kept database; else its own becomes that.
        self.keeps_template = home_is_fresh() and not seed_home()
        self.launch()
        atexit.register(self.stop)

    @property
    def api_url(self) -> str:
        """The server's API URL."""
        return f"http://127.0.0.1:{self.port}/api"

    def launch(self) -> None:
        """Start the server on a free port (its settings come from the same environment and files)."""
        self.port = free_port()
        self.process = subprocess.Popen(uvicorn_command(self.port), env={**os.environ, **SERVER_ENV})

    def publish(self) -> None:
        """This process and its children use the server from now on."""
        from prefect.context import refresh_global_settings_context

        os.environ["PREFECT_API_URL"] = self.api_url
        refresh_global_settings_context()  # Prefect read its settings at import; read them again
        self.published = True

    def wait(self, timeout: float) -> None:
        """Until the server answers its health check; ServiceUnavailable after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() == ADDRESS_IN_USE:
                self.launch()
                self.publish()
            elif self.process.poll() is not None:
                break
            elif self.healthy():
                if self.keeps_template:
                    keep_template()
                    self.keeps_template = False
                return
            time.sleep(HEALTH_POLL_S)
        status = self.process.poll()
        self.stop()
        said = f"it exited with status {status}" if status is not None else "no answer"
        raise ServiceUnavailable(
            f"Prefect's temporary server did not start within {timeout:g} s ({said}); try again "
            "(several builds starting at once?), raise PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, "
            "or set PREFECT_API_URL to a Prefect server")

    def healthy(self) -> bool:
        """Whether the server answers its health check now."""
        try:
            with urllib.request.urlopen(f"{self.api_url}/health", timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    def stop(self) -> None:
        """End the server (Prefect's own way: terminate, then kill after 5 s); forget its URL."""
        if self.process is None:
            return
        process, self.process = self.process, None
        if self.published and os.environ.get("PREFECT_API_URL") == self.api_url:
            from prefect.context import refresh_global_settings_context

            del os.environ["PREFECT_API_URL"]
            refresh_global_settings_context()
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start_prefect_api() -> TemporaryServer | None:
    """Start Prefect's temporary server without waiting, unless an API URL is configured (then None).

    Whether one is configured is known only once Prefect's settings are read, which means importing
    Prefect (seconds); the server starts before that, and is stopped if a profile names a server.
    """
    early = "prefect.context" not in sys.modules and not os.environ.get("PREFECT_API_URL")
    server = TemporaryServer() if early else None
    if configured_api_url():
        if server is not None:
            server.stop()
        return None
    server = server or TemporaryServer()
    server.publish()
    return server


def wait_for_api(server: TemporaryServer | None) -> None:
    """Wait until the temporary server (if one was started) answers; its URL is already in the environment."""
    from prefect.settings import PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS

    if server is not None:
        server.wait(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value())


def ensure_prefect_api() -> None:
    """Start Prefect's temporary server and wait for it, unless an API URL is configured."""
    wait_for_api(start_prefect_api())

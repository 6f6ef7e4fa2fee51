"""A private PostgreSQL server from the installed binaries (Debian package postgresql;
.ci/system-deps installs it), on a Unix socket in a temporary directory: started, stopped and
restarted for real (the store's fault tests stop it under load)."""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


class PostgresServer:
    def __init__(self):
        initdb = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not initdb:
            raise RuntimeError("PostgreSQL server binaries not found: run `bash .ci/system-deps` (apt-get install "
                               "postgresql) or set TARIFFS_TEST_POSTGRES_URL")
        self.bindir = Path(initdb[-1]).parent
        self.base = Path(tempfile.mkdtemp(prefix="tariffs-pg-"))
        as_root = os.geteuid() == 0
        self.runner = ["runuser", "-u", "postgres", "--"] if as_root else []
        if as_root:  # initdb refuses to run as root
            shutil.chown(self.base, "postgres", "postgres")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.data = self.base / "data"
        self._run(self.bindir / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@/postgres?host={self.base}&port={self.port}"

    def _run(self, *args):
        result = subprocess.run(self.runner + [str(a) for a in args], capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"{args[0]} failed: {result.stderr[-1000:]}"

    def start(self):
        self._run(self.bindir / "pg_ctl", "-D", self.data, "-l", self.base / "server.log", "-w", "-o",
                  f"-p {self.port} -k {self.base} -c listen_addresses=''", "start")
        return self

    def stop(self, mode: str = "fast"):
        self._run(self.bindir / "pg_ctl", "-D", self.data, "-m", mode, "-w", "stop")

    def remove(self):
        shutil.rmtree(self.base, ignore_errors=True)

"""Start medallion (the OASIS TAXII 2.1 reference server,
https://github.com/oasis-open/cti-taxii-server) on 127.0.0.1 with a free port,
wait for it, run something against it, stop it.

medallion 3.0.0 is started as `python -m medallion.scripts.run --host H
--port P CONFIG_PATH` (the `medallion` console script is the same `main`).
Its memory backend reads one JSON file holding the discovery resource under
"/discovery" and each API root under its path segment, with "information",
"status" and "collections" (each collection with "objects" and "manifest").

Usage:
    python medallion_fixture.py exec [--max-page-size N] -- COMMAND ARGS...
        starts medallion, runs COMMAND with TAXII_DISCOVERY_URL, TAXII_USER,
        TAXII_PASSWORD, TAXII_WRITE_COLLECTION, TAXII_OTHER_USER,
        TAXII_OTHER_PASSWORD and TAXII_RED_COLLECTION set, stops medallion,
        exits with COMMAND's exit code.
    python medallion_fixture.py suite
        the same with the interop suite as COMMAND.

From Python: `with Medallion() as m: m.env` (a dict of those variables).
"""

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import base64

API_ROOT = "api1"
WRITE_COLLECTION = "365fed99-08fa-fdcd-a1b3-fb247eb41d01"
RED_COLLECTION = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"
USERS = {"alice": "alice-pass", "bob": "bob-pass"}


def free_port():
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def collection(cid, title):
    return {
        "id": cid,
        "title": title,
        "description": "interop test collection",
        "can_read": True,
        "can_write": True,
        "media_types": ["application/stix+json;version=2.1"],
        "objects": [],
        "manifest": [],
    }


def data(base_url):
    return {
        "/discovery": {
            "title": "medallion interop fixture",
            "description": "medallion started by tests-py/taxii_interop/medallion_fixture.py",
            "contact": "nobody@example.org",
            "default": base_url + API_ROOT + "/",
            "api_roots": [base_url + API_ROOT + "/"],
        },
        API_ROOT: {
            "information": {
                "title": "interop API root",
                "description": "one API root, two writable collections",
                "versions": ["application/taxii+json;version=2.1"],
                "max_content_length": 200 * 1024 * 1024,
            },
            "status": [],
            "collections": [
                collection(WRITE_COLLECTION, "interop write collection"),
                collection(RED_COLLECTION, "interop RED collection"),
            ],
        },
    }


class Medallion:
    def __init__(self, max_page_size=100, python=None, log=None):
        self.max_page_size = max_page_size
        self.python = python or sys.executable
        self.log = log
        self.proc = None
        self.dir = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        self.port = free_port()
        self.base_url = "http://127.0.0.1:%d/" % self.port
        self.dir = tempfile.mkdtemp(prefix="medallion-")
        data_path = os.path.join(self.dir, "data.json")
        with open(data_path, "w") as f:
            json.dump(data(self.base_url), f, indent=1)
        conf = {
            "backend": {
                "module": "medallion.backends.memory_backend",
                "module_class": "MemoryBackend",
                "filename": data_path,
            },
            "users": USERS,
            "taxii": {"max_page_size": self.max_page_size},
        }
        conf_path = os.path.join(self.dir, "config.json")
        with open(conf_path, "w") as f:
            json.dump(conf, f, indent=1)
        out = open(self.log or os.path.join(self.dir, "medallion.log"), "w")
        self.proc = subprocess.Popen(
            [self.python, "-m", "medallion.scripts.run", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "WARN", conf_path],
            stdout=out, stderr=subprocess.STDOUT)
        self._wait()

    def _wait(self, timeout=30):
        url = self.base_url + "taxii2/"
        auth = base64.b64encode(("alice:" + USERS["alice"]).encode()).decode()
        req = urllib.request.Request(url, headers={
            "Accept": "application/taxii+json;version=2.1", "Authorization": "Basic " + auth})
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("medallion exited with %s (log in %s)" % (self.proc.returncode, self.dir))
            try:
                with urllib.request.urlopen(req, timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("medallion did not answer on %s within %ss" % (url, timeout))

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if self.dir and not self.log:
            shutil.rmtree(self.dir, ignore_errors=True)

    @property
    def env(self):
        return {
            "TAXII_DISCOVERY_URL": self.base_url + "taxii2/",
            "TAXII_USER": "alice",
            "TAXII_PASSWORD": USERS["alice"],
            "TAXII_WRITE_COLLECTION": WRITE_COLLECTION,
            "TAXII_OTHER_USER": "bob",
            "TAXII_OTHER_PASSWORD": USERS["bob"],
            "TAXII_RED_COLLECTION": RED_COLLECTION,
        }


def main(argv):
    if not argv or argv[0] not in ("exec", "suite"):
        sys.stderr.write(__doc__)
        return 2
    max_page = 100
    rest = argv[1:]
    if rest[:1] == ["--max-page-size"]:
        max_page = int(rest[1])
        rest = rest[2:]
    if rest[:1] == ["--"]:
        rest = rest[1:]
    here = os.path.dirname(os.path.abspath(__file__))
    if argv[0] == "suite":
        rest = [sys.executable, os.path.join(here, "run.py")]
    if not rest:
        sys.stderr.write("exec needs a command after --\n")
        return 2
    with Medallion(max_page_size=max_page) as m:
        env = dict(os.environ, **m.env)
        print("medallion on %s (pid %d)" % (m.base_url, m.proc.pid), file=sys.stderr, flush=True)
        return subprocess.call(rest, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

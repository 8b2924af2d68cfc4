"""Log-in limits hold across workers: two gunicorn workers count failed log-ins together in Redis."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

REDIS = ("127.0.0.1", 6379)
ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _redis_up() -> bool:
    try:
        socket.create_connection(REDIS, timeout=1).close()
    except OSError:
        return False
    return True


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def two_workers(tmp_path):
    """The app under gunicorn with two workers, its limits in a Redis database of its own."""
    import uuid

    import redis

    store = redis.Redis(*REDIS, db=15)
    prefix = f"cadence-test-{uuid.uuid4().hex[:8]}"  # counters of this run only, whoever else uses the server
    env = dict(
        os.environ,
        CADENCE_ENV="development",
        SECRET_KEY="k" * 40,
        FLASK_APP="wsgi",
        DATABASE_URL=f"sqlite:///{tmp_path}/limits.sqlite",
        REDIS_URL=f"redis://{REDIS[0]}:{REDIS[1]}/15",
        RATELIMIT_KEY_PREFIX=prefix,
    )
    subprocess.run([BIN / "flask", "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen(
        [BIN / "gunicorn", "--workers", "2", "--graceful-timeout", "1", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/connexion", timeout=2)
            break
        except OSError:
            time.sleep(0.1)
    try:
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        for key in store.scan_iter(f"*{prefix}*"):
            store.delete(key)


@pytest.mark.skipif(not _redis_up(), reason="no Redis server on 127.0.0.1:6379")
def test_failed_log_ins_are_limited_across_workers(two_workers):
    passed = limited = 0
    for attempt in range(30):
        # A new connection each time: gunicorn hands them to either worker.
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        page = opener.open(two_workers + "/connexion", timeout=5).read().decode()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"csrf_token": token, "email": f"x{attempt}@nulle.part", "password": "x"})
        try:
            opener.open(two_workers + "/connexion", data=data.encode(), timeout=5)
            passed += 1
        except urllib.error.HTTPError as error:
            assert error.code == 429
            limited += 1
    assert passed == 10 and limited == 20

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

from tests.redis_server import REDIS, redis_up

APPRENTICE, PASSWORD = "ines@exemple.test", "une phrase de passe solide"
ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


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
    subprocess.run(
        [
            BIN / "flask",
            "create-user",
            "--email",
            APPRENTICE,
            "--first-name",
            "Inès",
            "--last-name",
            "Marchand",
            "--role",
            "apprentice",
            "--password",
            PASSWORD,
        ],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
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


def _post(opener, url: str, page_url: str, fields: dict) -> int:
    """Post a form the way a browser does (its CSRF token read from the page); the answer's status."""
    page = opener.open(page_url, timeout=5).read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    try:
        return opener.open(url, data=urllib.parse.urlencode({"csrf_token": token, **fields}).encode(), timeout=5).status
    except urllib.error.HTTPError as error:
        return error.code


def _browser():
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


@pytest.mark.skipif(not redis_up(), reason="no Redis server on 127.0.0.1:6379")
def test_failed_log_ins_are_limited_across_workers(two_workers):
    login = two_workers + "/connexion"
    # A new browser each time: gunicorn hands its connections to either worker.
    answers = [_post(_browser(), login, login, {"email": f"x{n}@nulle.part", "password": "x"}) for n in range(30)]
    assert answers.count(200) == 10 and answers.count(429) == 20


@pytest.mark.skipif(not redis_up(), reason="no Redis server on 127.0.0.1:6379")
def test_wrong_self_sign_in_codes_are_limited_per_apprentice_across_workers(two_workers):
    browser, login, sign_in = _browser(), two_workers + "/connexion", two_workers + "/moi/emargement"
    assert _post(browser, login, login, {"email": APPRENTICE, "password": PASSWORD}) == 200  # redirected home
    answers = [_post(browser, sign_in, sign_in, {"code": "ZZZZZZ"}) for _ in range(14)]
    assert answers.count(200) == 10 and answers.count(429) == 4

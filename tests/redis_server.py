"""The Redis server the multi-worker tests share counters through (127.0.0.1:6379), and whether it answers."""

import socket

REDIS = ("127.0.0.1", 6379)


def redis_up() -> bool:
    try:
        socket.create_connection(REDIS, timeout=1).close()
    except OSError:
        return False
    return True

"""With KEFU_REDIS_URL every web process and worker shares one cache (rate limits hold across
processes); without it the embedded default keeps the cache in the process."""

from __future__ import annotations

import redis
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

from kefu.config import config


def test_the_cache_is_shared_through_redis_when_redis_is_configured():
    backend = caches["default"]
    if not config.redis_url:
        assert isinstance(backend, LocMemCache)
        return
    assert isinstance(backend, RedisCache)
    backend.set("shared-probe", "从另一个进程也能读到", timeout=60)
    # Another process reaches the same entry through its own connection to Redis.
    other = redis.Redis.from_url(config.redis_url)
    assert len(other.keys("kefu:*:shared-probe")) == 1

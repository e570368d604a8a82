"""The Redis cache backend, without rebuilding a client for every call.

Django's RedisCacheClient.get_client() constructs a new ``redis.Redis`` for every cache operation; building
its response-callback table costs about 0.3 ms here, more than the round trip to Redis. A ``redis.Redis`` on a
connection pool is thread-safe, so one per pool is enough (Django's cache handler already gives each thread
its own backend instance; the pool reconnects after a fork).
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, servers, **options):
        super().__init__(servers, **options)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

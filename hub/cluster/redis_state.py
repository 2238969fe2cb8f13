"""Cluster-wide state kept in Redis, changed only by Lua scripts (atomic): presence and rate limits.

Presence: each hub keeps the set of its online users (`presence:<hub>`, members `"<id>:<name>"`)
and a heartbeat in the sorted set `hubs` (score: when the hub counts as dead). A user is online
while a live hub lists them. A heartbeat rewrites the hub's set (so a restarted, empty Redis heals
within one beat) and removes dead hubs, returning the users nobody lists any more.

Rate limits: one token bucket per user (`rate:<user>`), refilled by Redis's own clock.

Keys are built inside the scripts, so this needs one Redis server (or Sentinel), not Redis Cluster.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from redis import asyncio as aioredis

PREFIX = "lan-notify:"

_NOW = "local t = redis.call('TIME'); local now = tonumber(t[1]) + tonumber(t[2]) / 1000000\n"

_ELSEWHERE = """
local function elsewhere(prefix, me, member, now)
  for _, hub in ipairs(redis.call('ZRANGEBYSCORE', prefix .. 'hubs', now, '+inf')) do
    if hub ~= me and redis.call('SISMEMBER', prefix .. 'presence:' .. hub, member) == 1 then return true end
  end
  return false
end
"""

# ARGV: prefix, hub, member. Returns 1 when no other live hub lists the member (they came online).
JOIN = (
    _NOW
    + _ELSEWHERE
    + """
local prefix, me, member = ARGV[1], ARGV[2], ARGV[3]
redis.call('SADD', prefix .. 'presence:' .. me, member)
if elsewhere(prefix, me, member, now) then return 0 end
return 1
"""
)

# ARGV: prefix, hub, member. Returns 1 when no other live hub lists the member (they went offline).
LEAVE = (
    _NOW
    + _ELSEWHERE
    + """
local prefix, me, member = ARGV[1], ARGV[2], ARGV[3]
redis.call('SREM', prefix .. 'presence:' .. me, member)
if elsewhere(prefix, me, member, now) then return 0 end
return 1
"""
)

# ARGV: prefix, hub, ttl, members... Returns {members gone with dead hubs, members online anywhere}.
BEAT = (
    _NOW
    + _ELSEWHERE
    + """
local prefix, me, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3])
local hubs = prefix .. 'hubs'
redis.call('ZADD', hubs, now + ttl, me)
local mine = prefix .. 'presence:' .. me
redis.call('DEL', mine)
for i = 4, #ARGV do redis.call('SADD', mine, ARGV[i]) end
local gone = {}
for _, dead in ipairs(redis.call('ZRANGEBYSCORE', hubs, '-inf', '(' .. now)) do
  local key = prefix .. 'presence:' .. dead
  redis.call('ZREM', hubs, dead)
  for _, member in ipairs(redis.call('SMEMBERS', key)) do
    if not elsewhere(prefix, '', member, now) then table.insert(gone, member) end
  end
  redis.call('DEL', key)
end
local keys = {}
for _, hub in ipairs(redis.call('ZRANGEBYSCORE', hubs, now, '+inf')) do
  table.insert(keys, prefix .. 'presence:' .. hub)
end
local online = {}
if #keys > 0 then online = redis.call('SUNION', unpack(keys)) end
return {gone, online}
"""
)

# ARGV: prefix, hub. A hub that stops cleanly takes itself out.
QUIT = """
redis.call('ZREM', ARGV[1] .. 'hubs', ARGV[2])
redis.call('DEL', ARGV[1] .. 'presence:' .. ARGV[2])
return 1
"""

# KEYS[1]: the bucket. ARGV: burst, refill per second, cost. Returns the seconds to wait (0: allowed).
TAKE = (
    _NOW
    + """
local burst, rate, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'stamp')
local tokens, stamp = tonumber(b[1]), tonumber(b[2])
if tokens == nil or stamp == nil then tokens = burst; stamp = now end
tokens = math.min(burst, tokens + math.max(0, now - stamp) * rate)
local wait = 0
if tokens >= cost then tokens = tokens - cost else wait = (cost - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'stamp', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return tostring(wait)
"""
)


@dataclass(frozen=True, slots=True)
class Beat:
    gone: list[str]
    online: list[str]


def member(user_id: int, name: str) -> str:
    return f"{user_id}:{name}"


def parse_member(raw: str | bytes) -> tuple[int, str]:
    text = raw.decode() if isinstance(raw, bytes) else raw
    user_id, name = text.split(":", 1)
    return int(user_id), name


class RedisState:
    def __init__(self, client: aioredis.Redis, hub_id: str, *, prefix: str = PREFIX) -> None:
        self.client = client
        self.hub_id = hub_id
        self.prefix = prefix
        self._join = client.register_script(JOIN)
        self._leave = client.register_script(LEAVE)
        self._beat = client.register_script(BEAT)
        self._quit = client.register_script(QUIT)
        self._take = client.register_script(TAKE)

    async def join(self, user_id: int, name: str) -> bool:
        """Record the user on this hub; True when no other live hub has them (they came online)."""
        return bool(await self._join(args=[self.prefix, self.hub_id, member(user_id, name)]))

    async def leave(self, user_id: int, name: str) -> bool:
        """Forget the user on this hub; True when no other live hub has them (they went offline)."""
        return bool(await self._leave(args=[self.prefix, self.hub_id, member(user_id, name)]))

    async def beat(self, ttl: float, members: list[str]) -> Beat:
        gone, online = await self._beat(args=[self.prefix, self.hub_id, ttl, *members])
        return Beat(gone=[_text(m) for m in gone], online=[_text(m) for m in online])

    async def quit(self) -> None:
        await self._quit(args=[self.prefix, self.hub_id])

    async def take(self, key: str, burst: int, refill_per_second: float, cost: float = 1.0) -> float:
        """The shared token bucket of `key`: 0 when allowed, else the seconds to wait."""
        result: Any = await self._take(keys=[f"{self.prefix}rate:{key}"], args=[burst, refill_per_second, cost])
        return float(_text(result))


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value

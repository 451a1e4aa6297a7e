/**
 * Token buckets in Redis, taken atomically by one script so every ingest process shares them.
 * KEYS: one hash per bucket. ARGV: per bucket `perSecond, burst, cost`; cost 0 only looks
 * (allowed while a whole token is left). All or nothing: tokens are taken only when every bucket
 * allows, so a delivery refused by one bucket (an address over its verification-failure limit)
 * costs its source's bucket nothing, and senders that keep being refused cannot drain it for the
 * others. Returns per bucket `allowed (1/0)` and the milliseconds until it would be. Redis's own
 * clock (TIME) is used, so the processes' clocks need not agree. A bucket expires once it would be
 * full again: idle sources cost no memory.
 */
export const TAKE_TOKENS_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local answer = {}
local left = {}
local everyAllowed = true
for i, key in ipairs(KEYS) do
  local rate = tonumber(ARGV[i * 3 - 2])
  local burst = tonumber(ARGV[i * 3 - 1])
  local cost = tonumber(ARGV[i * 3])
  local state = redis.call('HMGET', key, 'tokens', 'at')
  local tokens = tonumber(state[1])
  local at = tonumber(state[2])
  if tokens == nil or at == nil then
    tokens = burst
  else
    tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
  end
  local needed = math.max(cost, 1)
  local allowed = 0
  local wait = 0
  if tokens >= needed then
    allowed = 1
  else
    everyAllowed = false
    wait = math.ceil((needed - tokens) * 1000 / rate)
  end
  left[i] = tokens
  answer[i * 2 - 1] = allowed
  answer[i * 2] = wait
end
if everyAllowed then
  for i, key in ipairs(KEYS) do
    local rate = tonumber(ARGV[i * 3 - 2])
    local burst = tonumber(ARGV[i * 3 - 1])
    local cost = tonumber(ARGV[i * 3])
    if cost > 0 then
      redis.call('HSET', key, 'tokens', tostring(left[i] - cost), 'at', tostring(now))
      redis.call('PEXPIRE', key, math.ceil(burst * 1000 / rate) + 1000)
    end
  end
end
return answer
`;

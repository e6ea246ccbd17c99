/*
 * cmdlist.h - every command procedure, as REDIS_CMD(name) lines.
 *
 * server.h includes it with REDIS_CMD defined to declare
 * `void redis_cmd_<name>(struct redis_client *)`; the table in commands.c
 * says which command each one serves.  No include guard: it is meant to
 * be expanded more than once.
 */
/* conn.c */
REDIS_CMD(auth) REDIS_CMD(hello) REDIS_CMD(select) REDIS_CMD(ping)
REDIS_CMD(echo) REDIS_CMD(quit) REDIS_CMD(reset)
REDIS_CMD(client_id) REDIS_CMD(client_setname) REDIS_CMD(client_getname)
REDIS_CMD(client_info) REDIS_CMD(client_list) REDIS_CMD(client_setinfo)
REDIS_CMD(client_kill) REDIS_CMD(client_ok) REDIS_CMD(client_help)
/* admin.c, info.c */
REDIS_CMD(info) REDIS_CMD(config_get) REDIS_CMD(config_set)
REDIS_CMD(config_resetstat) REDIS_CMD(config_rewrite) REDIS_CMD(config_help)
REDIS_CMD(function_flush) REDIS_CMD(function_list) REDIS_CMD(function_help)
REDIS_CMD(dbsize) REDIS_CMD(flushdb) REDIS_CMD(flushall) REDIS_CMD(time)
REDIS_CMD(object_encoding) REDIS_CMD(object_refcount)
REDIS_CMD(object_idletime) REDIS_CMD(object_freq) REDIS_CMD(object_help)
REDIS_CMD(lastsave) REDIS_CMD(save) REDIS_CMD(bgsave) REDIS_CMD(swapdb)
REDIS_CMD(wait)
/* commands.c */
REDIS_CMD(command) REDIS_CMD(command_count) REDIS_CMD(command_docs)
REDIS_CMD(command_info) REDIS_CMD(command_list) REDIS_CMD(command_help)
/* keys.c */
REDIS_CMD(del) REDIS_CMD(unlink) REDIS_CMD(exists) REDIS_CMD(type)
REDIS_CMD(keys) REDIS_CMD(scan) REDIS_CMD(rename) REDIS_CMD(renamenx)
REDIS_CMD(expire) REDIS_CMD(pexpire) REDIS_CMD(expireat)
REDIS_CMD(pexpireat) REDIS_CMD(ttl) REDIS_CMD(pttl) REDIS_CMD(expiretime)
REDIS_CMD(pexpiretime) REDIS_CMD(persist) REDIS_CMD(randomkey)
REDIS_CMD(touch) REDIS_CMD(copy) REDIS_CMD(move)
/* t_string.c */
REDIS_CMD(get) REDIS_CMD(set) REDIS_CMD(setnx) REDIS_CMD(setex)
REDIS_CMD(psetex) REDIS_CMD(getset) REDIS_CMD(getdel) REDIS_CMD(getex)
REDIS_CMD(mget) REDIS_CMD(mset) REDIS_CMD(msetnx) REDIS_CMD(incr)
REDIS_CMD(decr) REDIS_CMD(incrby) REDIS_CMD(decrby) REDIS_CMD(incrbyfloat)
REDIS_CMD(append) REDIS_CMD(strlen) REDIS_CMD(getrange)
REDIS_CMD(setrange)
/* t_hash.c */
REDIS_CMD(hset) REDIS_CMD(hget) REDIS_CMD(hmget) REDIS_CMD(hgetall)
REDIS_CMD(hdel) REDIS_CMD(hexists) REDIS_CMD(hlen) REDIS_CMD(hkeys)
REDIS_CMD(hvals) REDIS_CMD(hincrby) REDIS_CMD(hincrbyfloat)
REDIS_CMD(hsetnx) REDIS_CMD(hscan) REDIS_CMD(hstrlen)
/* t_list.c */
REDIS_CMD(lpush) REDIS_CMD(rpush) REDIS_CMD(lpushx) REDIS_CMD(rpushx)
REDIS_CMD(lpop) REDIS_CMD(rpop) REDIS_CMD(lrange) REDIS_CMD(llen)
REDIS_CMD(lindex) REDIS_CMD(lset) REDIS_CMD(lrem) REDIS_CMD(ltrim)
REDIS_CMD(linsert) REDIS_CMD(blpop) REDIS_CMD(brpop)
REDIS_CMD(lmove) REDIS_CMD(rpoplpush) REDIS_CMD(lpos)
/* t_set.c */
REDIS_CMD(sadd) REDIS_CMD(srem) REDIS_CMD(smembers) REDIS_CMD(sismember)
REDIS_CMD(smismember) REDIS_CMD(scard) REDIS_CMD(spop)
REDIS_CMD(srandmember) REDIS_CMD(sinter) REDIS_CMD(sunion) REDIS_CMD(sdiff)
REDIS_CMD(sinterstore) REDIS_CMD(sunionstore) REDIS_CMD(sdiffstore)
REDIS_CMD(smove) REDIS_CMD(sscan)
/* t_zset.c */
REDIS_CMD(zadd) REDIS_CMD(zrem) REDIS_CMD(zscore) REDIS_CMD(zmscore)
REDIS_CMD(zincrby) REDIS_CMD(zcard) REDIS_CMD(zrank) REDIS_CMD(zrevrank)
REDIS_CMD(zcount) REDIS_CMD(zlexcount) REDIS_CMD(zrange)
REDIS_CMD(zrevrange) REDIS_CMD(zrangebyscore) REDIS_CMD(zrevrangebyscore)
REDIS_CMD(zrangebylex) REDIS_CMD(zrevrangebylex) REDIS_CMD(zremrangebyscore)
REDIS_CMD(zremrangebyrank) REDIS_CMD(zpopmin) REDIS_CMD(zpopmax)
REDIS_CMD(zscan)
/* pubsub.c */
REDIS_CMD(subscribe) REDIS_CMD(unsubscribe) REDIS_CMD(psubscribe)
REDIS_CMD(punsubscribe) REDIS_CMD(publish) REDIS_CMD(pubsub_channels)
REDIS_CMD(pubsub_numsub) REDIS_CMD(pubsub_numpat) REDIS_CMD(pubsub_help)
/* multi.c */
REDIS_CMD(multi) REDIS_CMD(exec) REDIS_CMD(discard) REDIS_CMD(watch)
REDIS_CMD(unwatch)

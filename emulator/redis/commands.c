/*
 * commands.c - the command table and the dispatcher.
 *
 * The table is data: each row names the procedure, the arity (N exact,
 * -N at least N, the command name counted), flags, key positions (first,
 * last, step: what COMMAND INFO reports and WATCH-like tools use), and
 * the COMMAND DOCS group and summary.  Container commands (CLIENT,
 * CONFIG, ...) carry a sub-table.  docs/services/redis.md lists every row
 * and a test checks that it does.
 *
 * redis_process_command does the generic checks once, in Redis's order:
 * unknown command, unknown subcommand, arity, authentication, the RESP2
 * subscribed context, MULTI queueing; only then does the procedure run.
 * The procedures never repeat those checks.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"
#include "util.h"
#include "xalloc.h"

#define W CMD_WRITE
#define R CMD_READONLY
#define F CMD_FAST
#define D CMD_DENYOOM
#define ROW(n, p, a, fl, fk, lk, st, g, s) \
	{ n, redis_cmd_##p, a, fl, fk, lk, st, g, s, NULL, 0 }
#define CONTAINER(n, a, fl, g, s, sub) \
	{ n, NULL, a, fl, 0, 0, 0, g, s, sub, sizeof sub / sizeof sub[0] }

static const struct redis_command client_sub[] = {
	ROW("id", client_id, 2, F, 0, 0, 0, "connection", "Returns the unique client ID of the connection."),
	ROW("setname", client_setname, 3, F, 0, 0, 0, "connection", "Sets the connection name."),
	ROW("getname", client_getname, 2, F, 0, 0, 0, "connection", "Returns the name of the connection."),
	ROW("info", client_info, 2, 0, 0, 0, 0, "connection", "Returns information about the connection."),
	ROW("list", client_list, -2, CMD_ADMIN, 0, 0, 0, "connection", "Lists open connections."),
	ROW("setinfo", client_setinfo, 4, 0, 0, 0, 0, "connection", "Sets information specific to the client library."),
	ROW("kill", client_kill, -3, CMD_ADMIN, 0, 0, 0, "connection", "Terminates open connections."),
	ROW("no-evict", client_ok, 3, CMD_ADMIN, 0, 0, 0, "connection", "Accepted; eviction is not emulated."),
	ROW("no-touch", client_ok, 3, 0, 0, 0, 0, "connection", "Accepted; LRU is not emulated."),
	ROW("help", client_help, 2, 0, 0, 0, 0, "connection", "Returns helpful text about the different subcommands."),
};

static const struct redis_command config_sub[] = {
	ROW("get", config_get, -3, CMD_ADMIN, 0, 0, 0, "server", "Returns the effective values of configuration parameters."),
	ROW("set", config_set, -4, CMD_ADMIN, 0, 0, 0, "server", "Sets configuration parameters in-flight."),
	ROW("resetstat", config_resetstat, 2, CMD_ADMIN, 0, 0, 0, "server", "Resets the server's statistics."),
	ROW("rewrite", config_rewrite, 2, CMD_ADMIN, 0, 0, 0, "server", "Persists the effective configuration to file."),
	ROW("help", config_help, 2, 0, 0, 0, 0, "server", "Returns helpful text about the different subcommands."),
};

static const struct redis_command function_sub[] = {
	ROW("flush", function_flush, -2, W, 0, 0, 0, "scripting", "Deletes all libraries and functions."),
	ROW("list", function_list, -2, 0, 0, 0, 0, "scripting", "Returns information about all libraries."),
	ROW("help", function_help, 2, 0, 0, 0, 0, "scripting", "Returns helpful text about the different subcommands."),
};

static const struct redis_command object_sub[] = {
	ROW("encoding", object_encoding, 3, R, 2, 2, 1, "generic", "Returns the internal encoding of a Redis object."),
	ROW("refcount", object_refcount, 3, R, 2, 2, 1, "generic", "Returns the reference count of a value of a key."),
	ROW("idletime", object_idletime, 3, R, 2, 2, 1, "generic", "Returns the time since the last access to a Redis object."),
	ROW("freq", object_freq, 3, R, 2, 2, 1, "generic", "Returns the logarithmic access frequency counter of a Redis object."),
	ROW("help", object_help, 2, 0, 0, 0, 0, "generic", "Returns helpful text about the different subcommands."),
};

static const struct redis_command command_sub[] = {
	ROW("count", command_count, 2, CMD_LOADING | CMD_STALE, 0, 0, 0, "server", "Returns a count of commands."),
	ROW("docs", command_docs, -2, CMD_LOADING | CMD_STALE, 0, 0, 0, "server", "Returns documentary information about one, multiple or all commands."),
	ROW("info", command_info, -2, CMD_LOADING | CMD_STALE, 0, 0, 0, "server", "Returns information about one, multiple or all commands."),
	ROW("list", command_list, -2, CMD_LOADING | CMD_STALE, 0, 0, 0, "server", "Returns a list of command names."),
	ROW("help", command_help, 2, CMD_LOADING | CMD_STALE, 0, 0, 0, "server", "Returns helpful text about the different subcommands."),
};

static const struct redis_command pubsub_sub[] = {
	ROW("channels", pubsub_channels, -2, CMD_PUBSUB, 0, 0, 0, "pubsub", "Returns the active channels."),
	ROW("numsub", pubsub_numsub, -2, CMD_PUBSUB, 0, 0, 0, "pubsub", "Returns a count of subscribers to channels."),
	ROW("numpat", pubsub_numpat, 2, CMD_PUBSUB, 0, 0, 0, "pubsub", "Returns a count of unique pattern subscriptions."),
	ROW("help", pubsub_help, 2, 0, 0, 0, 0, "pubsub", "Returns helpful text about the different subcommands."),
};

const struct redis_command redis_commands[] = {
	/* connection */
	ROW("auth", auth, -2, CMD_NOAUTH | F | CMD_LOADING | CMD_STALE, 0, 0, 0, "connection", "Authenticates the connection."),
	ROW("hello", hello, -1, CMD_NOAUTH | F | CMD_LOADING | CMD_STALE, 0, 0, 0, "connection", "Handshakes with the Redis server."),
	ROW("select", select, 2, F | CMD_LOADING | CMD_STALE, 0, 0, 0, "connection", "Changes the selected database."),
	ROW("ping", ping, -1, F | CMD_PUBSUB_OK, 0, 0, 0, "connection", "Returns the server's liveliness response."),
	ROW("echo", echo, 2, F, 0, 0, 0, "connection", "Returns the given string."),
	ROW("quit", quit, -1, CMD_NOAUTH | F | CMD_PUBSUB_OK | CMD_NO_MULTI, 0, 0, 0, "connection", "Closes the connection."),
	ROW("reset", reset, 1, CMD_NOAUTH | F | CMD_PUBSUB_OK | CMD_NO_MULTI, 0, 0, 0, "connection", "Resets the connection."),
	CONTAINER("client", -2, 0, "connection", "A container for client connection commands.", client_sub),
	/* server */
	ROW("info", info, -1, CMD_LOADING | CMD_STALE, 0, 0, 0, "server", "Returns information and statistics about the server."),
	CONTAINER("config", -2, 0, "server", "A container for server configuration commands.", config_sub),
	CONTAINER("function", -2, 0, "scripting", "A container for function commands.", function_sub),
	{ "command", redis_cmd_command, -1, CMD_LOADING | CMD_STALE, 0, 0, 0, "server", "Returns detailed information about all commands.", command_sub, sizeof command_sub / sizeof command_sub[0] },
	CONTAINER("object", -2, 0, "generic", "A container for object introspection commands.", object_sub),
	ROW("dbsize", dbsize, 1, R | F, 0, 0, 0, "server", "Returns the number of keys in the database."),
	ROW("flushdb", flushdb, -1, W, 0, 0, 0, "server", "Removes all keys from the current database."),
	ROW("flushall", flushall, -1, W, 0, 0, 0, "server", "Removes all keys from all databases."),
	ROW("time", time, 1, F | CMD_LOADING | CMD_STALE, 0, 0, 0, "server", "Returns the server time."),
	ROW("lastsave", lastsave, 1, F | CMD_LOADING | CMD_STALE, 0, 0, 0, "server", "Returns the Unix timestamp of the last successful save to disk."),
	ROW("save", save, 1, CMD_ADMIN, 0, 0, 0, "server", "Synchronously saves the database(s) to disk."),
	ROW("bgsave", bgsave, -1, CMD_ADMIN, 0, 0, 0, "server", "Asynchronously saves the database(s) to disk."),
	ROW("swapdb", swapdb, 3, W | F, 0, 0, 0, "server", "Swaps two Redis databases."),
	ROW("wait", wait, 3, 0, 0, 0, 0, "generic", "Waits for replicas to acknowledge writes; there are none, so it returns 0 at once."),
	/* keys */
	ROW("del", del, -2, W, 1, -1, 1, "generic", "Deletes one or more keys."),
	ROW("unlink", unlink, -2, W | F, 1, -1, 1, "generic", "Asynchronously deletes one or more keys."),
	ROW("exists", exists, -2, R | F, 1, -1, 1, "generic", "Determines whether one or more keys exist."),
	ROW("type", type, 2, R | F, 1, 1, 1, "generic", "Determines the type of value stored at a key."),
	ROW("keys", keys, 2, R, 0, 0, 0, "generic", "Returns all key names that match a pattern."),
	ROW("scan", scan, -2, R, 0, 0, 0, "generic", "Iterates over the key names in the database."),
	ROW("rename", rename, 3, W, 1, 2, 1, "generic", "Renames a key and overwrites the destination."),
	ROW("renamenx", renamenx, 3, W | F, 1, 2, 1, "generic", "Renames a key only when the target key name doesn't exist."),
	ROW("expire", expire, -3, W | F, 1, 1, 1, "generic", "Sets the expiration time of a key in seconds."),
	ROW("pexpire", pexpire, -3, W | F, 1, 1, 1, "generic", "Sets the expiration time of a key in milliseconds."),
	ROW("expireat", expireat, -3, W | F, 1, 1, 1, "generic", "Sets the expiration time of a key to a Unix timestamp."),
	ROW("pexpireat", pexpireat, -3, W | F, 1, 1, 1, "generic", "Sets the expiration time of a key to a Unix milliseconds timestamp."),
	ROW("ttl", ttl, 2, R | F, 1, 1, 1, "generic", "Returns the expiration time in seconds of a key."),
	ROW("pttl", pttl, 2, R | F, 1, 1, 1, "generic", "Returns the expiration time in milliseconds of a key."),
	ROW("expiretime", expiretime, 2, R | F, 1, 1, 1, "generic", "Returns the expiration time of a key as a Unix timestamp."),
	ROW("pexpiretime", pexpiretime, 2, R | F, 1, 1, 1, "generic", "Returns the expiration time of a key as a Unix milliseconds timestamp."),
	ROW("persist", persist, 2, W | F, 1, 1, 1, "generic", "Removes the expiration time of a key."),
	ROW("randomkey", randomkey, 1, R, 0, 0, 0, "generic", "Returns a random key name from the database."),
	ROW("touch", touch, -2, R | F, 1, -1, 1, "generic", "Returns the number of existing keys out of those specified."),
	ROW("copy", copy, -3, W | D, 1, 2, 1, "generic", "Copies the value of a key to a new key."),
	ROW("move", move, 3, W | F, 1, 1, 1, "generic", "Moves a key to another database."),
	/* strings */
	ROW("get", get, 2, R | F, 1, 1, 1, "string", "Returns the string value of a key."),
	ROW("set", set, -3, W | D, 1, 1, 1, "string", "Sets the string value of a key, ignoring its type."),
	ROW("setnx", setnx, 3, W | D | F, 1, 1, 1, "string", "Set the string value of a key only when the key doesn't exist."),
	ROW("setex", setex, 4, W | D, 1, 1, 1, "string", "Sets the string value and expiration time of a key."),
	ROW("psetex", psetex, 4, W | D, 1, 1, 1, "string", "Sets both string value and expiration time in milliseconds of a key."),
	ROW("getset", getset, 3, W | D | F, 1, 1, 1, "string", "Returns the previous string value of a key after setting it to a new value."),
	ROW("getdel", getdel, 2, W | F, 1, 1, 1, "string", "Returns the string value of a key after deleting the key."),
	ROW("getex", getex, -2, W | F, 1, 1, 1, "string", "Returns the string value of a key after setting its expiration time."),
	ROW("mget", mget, -2, R | F, 1, -1, 1, "string", "Atomically returns the string values of one or more keys."),
	ROW("mset", mset, -3, W | D, 1, -1, 2, "string", "Atomically creates or modifies the string values of one or more keys."),
	ROW("msetnx", msetnx, -3, W | D, 1, -1, 2, "string", "Atomically modifies the string values of one or more keys only when all keys don't exist."),
	ROW("incr", incr, 2, W | D | F, 1, 1, 1, "string", "Increments the integer value of a key by one."),
	ROW("decr", decr, 2, W | D | F, 1, 1, 1, "string", "Decrements the integer value of a key by one."),
	ROW("incrby", incrby, 3, W | D | F, 1, 1, 1, "string", "Increments the integer value of a key by a number."),
	ROW("decrby", decrby, 3, W | D | F, 1, 1, 1, "string", "Decrements a number from the integer value of a key."),
	ROW("incrbyfloat", incrbyfloat, 3, W | D | F, 1, 1, 1, "string", "Increment the floating point value of a key by a number."),
	ROW("append", append, 3, W | D | F, 1, 1, 1, "string", "Appends a string to the value of a key."),
	ROW("strlen", strlen, 2, R | F, 1, 1, 1, "string", "Returns the length of a string value."),
	ROW("getrange", getrange, 4, R, 1, 1, 1, "string", "Returns a substring of the string stored at a key."),
	ROW("setrange", setrange, 4, W | D, 1, 1, 1, "string", "Overwrites a part of a string value with another by an offset."),
	/* hashes */
	ROW("hset", hset, -4, W | D | F, 1, 1, 1, "hash", "Creates or modifies the value of a field in a hash."),
	ROW("hmset", hset, -4, W | D | F, 1, 1, 1, "hash", "Sets the values of multiple fields."),
	ROW("hsetnx", hsetnx, 4, W | D | F, 1, 1, 1, "hash", "Sets the value of a field in a hash only when the field doesn't exist."),
	ROW("hget", hget, 3, R | F, 1, 1, 1, "hash", "Returns the value of a field in a hash."),
	ROW("hmget", hmget, -3, R | F, 1, 1, 1, "hash", "Returns the values of all fields in a hash."),
	ROW("hgetall", hgetall, 2, R, 1, 1, 1, "hash", "Returns all fields and values in a hash."),
	ROW("hdel", hdel, -3, W | F, 1, 1, 1, "hash", "Deletes one or more fields and their values from a hash."),
	ROW("hexists", hexists, 3, R | F, 1, 1, 1, "hash", "Determines whether a field exists in a hash."),
	ROW("hlen", hlen, 2, R | F, 1, 1, 1, "hash", "Returns the number of fields in a hash."),
	ROW("hkeys", hkeys, 2, R, 1, 1, 1, "hash", "Returns all fields in a hash."),
	ROW("hvals", hvals, 2, R, 1, 1, 1, "hash", "Returns all values in a hash."),
	ROW("hstrlen", hstrlen, 3, R | F, 1, 1, 1, "hash", "Returns the length of the value of a field."),
	ROW("hincrby", hincrby, 4, W | D | F, 1, 1, 1, "hash", "Increments the integer value of a field in a hash by a number."),
	ROW("hincrbyfloat", hincrbyfloat, 4, W | D | F, 1, 1, 1, "hash", "Increments the floating point value of a field by a number."),
	ROW("hscan", hscan, -3, R, 1, 1, 1, "hash", "Iterates over fields and values of a hash."),
	/* lists */
	ROW("lpush", lpush, -3, W | D | F, 1, 1, 1, "list", "Prepends one or more elements to a list."),
	ROW("rpush", rpush, -3, W | D | F, 1, 1, 1, "list", "Appends one or more elements to a list."),
	ROW("lpushx", lpushx, -3, W | D | F, 1, 1, 1, "list", "Prepends one or more elements to a list only when the list exists."),
	ROW("rpushx", rpushx, -3, W | D | F, 1, 1, 1, "list", "Appends an element to a list only when the list exists."),
	ROW("lpop", lpop, -2, W | F, 1, 1, 1, "list", "Returns the first elements in a list after removing it."),
	ROW("rpop", rpop, -2, W | F, 1, 1, 1, "list", "Returns and removes the last elements of a list."),
	ROW("lrange", lrange, 4, R, 1, 1, 1, "list", "Returns a range of elements from a list."),
	ROW("llen", llen, 2, R | F, 1, 1, 1, "list", "Returns the length of a list."),
	ROW("lindex", lindex, 3, R, 1, 1, 1, "list", "Returns an element from a list by its index."),
	ROW("lset", lset, 4, W | D, 1, 1, 1, "list", "Sets the value of an element in a list by its index."),
	ROW("lrem", lrem, 4, W, 1, 1, 1, "list", "Removes elements from a list."),
	ROW("ltrim", ltrim, 4, W, 1, 1, 1, "list", "Removes elements from both ends a list."),
	ROW("linsert", linsert, 5, W | D, 1, 1, 1, "list", "Inserts an element before or after another element in a list."),
	ROW("lpos", lpos, -3, R, 1, 1, 1, "list", "Returns the index of matching elements in a list."),
	ROW("lmove", lmove, 5, W | D, 1, 2, 1, "list", "Returns an element after popping it from one list and pushing it to another."),
	ROW("rpoplpush", rpoplpush, 3, W | D, 1, 2, 1, "list", "Returns the last element of a list after removing and pushing it to another list."),
	ROW("blpop", blpop, -3, W | CMD_BLOCKING, 1, -2, 1, "list", "Removes and returns the first element in a list. Blocks until an element is available otherwise."),
	ROW("brpop", brpop, -3, W | CMD_BLOCKING, 1, -2, 1, "list", "Removes and returns the last element in a list. Blocks until an element is available otherwise."),
	/* sets */
	ROW("sadd", sadd, -3, W | D | F, 1, 1, 1, "set", "Adds one or more members to a set."),
	ROW("srem", srem, -3, W | F, 1, 1, 1, "set", "Removes one or more members from a set."),
	ROW("smembers", smembers, 2, R, 1, 1, 1, "set", "Returns all members of a set."),
	ROW("sismember", sismember, 3, R | F, 1, 1, 1, "set", "Determines whether a member belongs to a set."),
	ROW("smismember", smismember, -3, R | F, 1, 1, 1, "set", "Determines whether multiple members belong to a set."),
	ROW("scard", scard, 2, R | F, 1, 1, 1, "set", "Returns the number of members in a set."),
	ROW("spop", spop, -2, W | F, 1, 1, 1, "set", "Returns one or more random members from a set after removing them."),
	ROW("srandmember", srandmember, -2, R, 1, 1, 1, "set", "Get one or multiple random members from a set."),
	ROW("sinter", sinter, -2, R, 1, -1, 1, "set", "Returns the intersect of multiple sets."),
	ROW("sunion", sunion, -2, R, 1, -1, 1, "set", "Returns the union of multiple sets."),
	ROW("sdiff", sdiff, -2, R, 1, -1, 1, "set", "Returns the difference of multiple sets."),
	ROW("sinterstore", sinterstore, -3, W | D, 1, -1, 1, "set", "Stores the intersect of multiple sets in a key."),
	ROW("sunionstore", sunionstore, -3, W | D, 1, -1, 1, "set", "Stores the union of multiple sets in a key."),
	ROW("sdiffstore", sdiffstore, -3, W | D, 1, -1, 1, "set", "Stores the difference of multiple sets in a key."),
	ROW("smove", smove, 4, W | F, 1, 2, 1, "set", "Moves a member from one set to another."),
	ROW("sscan", sscan, -3, R, 1, 1, 1, "set", "Iterates over members of a set."),
	/* sorted sets */
	ROW("zadd", zadd, -4, W | D | F, 1, 1, 1, "sorted-set", "Adds one or more members to a sorted set, or updates their scores."),
	ROW("zrem", zrem, -3, W | F, 1, 1, 1, "sorted-set", "Removes one or more members from a sorted set."),
	ROW("zscore", zscore, 3, R | F, 1, 1, 1, "sorted-set", "Returns the score of a member in a sorted set."),
	ROW("zmscore", zmscore, -3, R | F, 1, 1, 1, "sorted-set", "Returns the score of one or more members in a sorted set."),
	ROW("zincrby", zincrby, 4, W | D | F, 1, 1, 1, "sorted-set", "Increments the score of a member in a sorted set."),
	ROW("zcard", zcard, 2, R | F, 1, 1, 1, "sorted-set", "Returns the number of members in a sorted set."),
	ROW("zrank", zrank, 3, R | F, 1, 1, 1, "sorted-set", "Returns the index of a member in a sorted set ordered by ascending scores."),
	ROW("zrevrank", zrevrank, 3, R | F, 1, 1, 1, "sorted-set", "Returns the index of a member in a sorted set ordered by descending scores."),
	ROW("zcount", zcount, 4, R | F, 1, 1, 1, "sorted-set", "Returns the count of members in a sorted set that have scores within a range."),
	ROW("zlexcount", zlexcount, 4, R | F, 1, 1, 1, "sorted-set", "Returns the number of members in a sorted set within a lexicographical range."),
	ROW("zrange", zrange, -4, R, 1, 1, 1, "sorted-set", "Returns members in a sorted set within a range of indexes."),
	ROW("zrevrange", zrevrange, -4, R, 1, 1, 1, "sorted-set", "Returns members in a sorted set within a range of indexes in reverse order."),
	ROW("zrangebyscore", zrangebyscore, -4, R, 1, 1, 1, "sorted-set", "Returns members in a sorted set within a range of scores."),
	ROW("zrevrangebyscore", zrevrangebyscore, -4, R, 1, 1, 1, "sorted-set", "Returns members in a sorted set within a range of scores in reverse order."),
	ROW("zrangebylex", zrangebylex, -4, R, 1, 1, 1, "sorted-set", "Returns members in a sorted set within a lexicographical range."),
	ROW("zrevrangebylex", zrevrangebylex, -4, R, 1, 1, 1, "sorted-set", "Returns members in a sorted set within a lexicographical range in reverse order."),
	ROW("zremrangebyscore", zremrangebyscore, 4, W, 1, 1, 1, "sorted-set", "Removes members in a sorted set within a range of scores."),
	ROW("zremrangebyrank", zremrangebyrank, 4, W, 1, 1, 1, "sorted-set", "Removes members in a sorted set within a range of indexes."),
	ROW("zpopmin", zpopmin, -2, W | F, 1, 1, 1, "sorted-set", "Returns the lowest-scoring members from a sorted set after removing them."),
	ROW("zpopmax", zpopmax, -2, W | F, 1, 1, 1, "sorted-set", "Returns the highest-scoring members from a sorted set after removing them."),
	ROW("zscan", zscan, -3, R, 1, 1, 1, "sorted-set", "Iterates over members and scores of a sorted set."),
	/* pub/sub */
	ROW("subscribe", subscribe, -2, CMD_PUBSUB | CMD_PUBSUB_OK, 0, 0, 0, "pubsub", "Listens for messages published to channels."),
	ROW("unsubscribe", unsubscribe, -1, CMD_PUBSUB | CMD_PUBSUB_OK, 0, 0, 0, "pubsub", "Stops listening to messages posted to channels."),
	ROW("psubscribe", psubscribe, -2, CMD_PUBSUB | CMD_PUBSUB_OK, 0, 0, 0, "pubsub", "Listens for messages published to channels that match one or more patterns."),
	ROW("punsubscribe", punsubscribe, -1, CMD_PUBSUB | CMD_PUBSUB_OK, 0, 0, 0, "pubsub", "Stops listening to messages published to channels that match one or more patterns."),
	ROW("publish", publish, 3, CMD_PUBSUB | F, 0, 0, 0, "pubsub", "Posts a message to a channel."),
	CONTAINER("pubsub", -2, 0, "pubsub", "A container for Pub/Sub commands.", pubsub_sub),
	/* transactions */
	ROW("multi", multi, 1, F | CMD_NO_MULTI, 0, 0, 0, "transactions", "Starts a transaction."),
	ROW("exec", exec, 1, CMD_NO_MULTI, 0, 0, 0, "transactions", "Executes all commands in a transaction."),
	ROW("discard", discard, 1, F | CMD_NO_MULTI, 0, 0, 0, "transactions", "Discards a transaction."),
	ROW("watch", watch, -2, F | CMD_NO_MULTI, 1, -1, 1, "transactions", "Monitors changes to keys to determine the execution of a transaction."),
	ROW("unwatch", unwatch, 1, F, 0, 0, 0, "transactions", "Forgets about watched keys of a transaction."),
};

const size_t redis_n_commands = sizeof redis_commands / sizeof redis_commands[0];

/* ---- lookup and stats -------------------------------------------------- */

static void add_row(struct redis_server *srv, const struct redis_command *row,
		    const struct redis_command *parent, size_t *i)
{
	srv->cmd_rows[*i] = row;
	srv->cmd_parent[*i] = parent;
	dict_upsert(srv->cmd_index, (const char *)&row, sizeof row, NULL)->v.i =
		(int64_t)*i;
	(*i)++;
}

void redis_commands_init(struct redis_server *srv)
{
	size_t n = 0;
	for (size_t i = 0; i < redis_n_commands; i++)
		n += 1 + redis_commands[i].n_sub;
	srv->n_cmd_rows = n;
	srv->cmd_rows = xcalloc(n, sizeof *srv->cmd_rows);
	srv->cmd_parent = xcalloc(n, sizeof *srv->cmd_parent);
	srv->cmd_stats = xcalloc(n, sizeof *srv->cmd_stats);
	srv->cmd_lookup = dict_new(NULL);
	srv->cmd_index = dict_new(NULL);
	size_t k = 0;
	for (size_t i = 0; i < redis_n_commands; i++) {
		const struct redis_command *row = &redis_commands[i];
		dict_upsert(srv->cmd_lookup, row->name, strlen(row->name),
			    NULL)->v.ptr = (void *)row;
		add_row(srv, row, NULL, &k);
		for (size_t j = 0; j < row->n_sub; j++)
			add_row(srv, &row->sub[j], row, &k);
	}
}

static size_t row_index(struct redis_server *srv,
			const struct redis_command *cmd)
{
	struct dict_entry *e =
		dict_find(srv->cmd_index, (const char *)&cmd, sizeof cmd);
	return e ? (size_t)e->v.i : 0;
}

const struct redis_command *redis_command_parent(struct redis_server *srv,
						 const struct redis_command *cmd)
{
	return srv->cmd_parent[row_index(srv, cmd)];
}

/* Lower-case name lookup in the top-level table. */
const struct redis_command *redis_lookup_command(struct redis_server *srv,
						 const struct rstr *name)
{
	char tmp[64];
	if (name->len >= sizeof tmp)
		return NULL;
	for (size_t i = 0; i < name->len; i++)
		tmp[i] = (char)tolower((unsigned char)name->data[i]);
	struct dict_entry *e = dict_find(srv->cmd_lookup, tmp, name->len);
	return e ? e->v.ptr : NULL;
}

static const struct redis_command *find_sub(const struct redis_command *cmd,
					    const struct rstr *name)
{
	for (size_t i = 0; i < cmd->n_sub; i++)
		if (redis_eq(name->data, name->len, cmd->sub[i].name))
			return &cmd->sub[i];
	return NULL;
}

void redis_command_fullname(const struct redis_command *cmd,
			    const struct redis_command *parent, char *out,
			    size_t outlen)
{
	if (parent)
		snprintf(out, outlen, "%s|%s", parent->name, cmd->name);
	else
		snprintf(out, outlen, "%s", cmd->name);
}

void redis_commandstats(struct redis_server *srv, struct buf *b)
{
	for (size_t i = 0; i < srv->n_cmd_rows; i++) {
		const struct redis_cmd_stat *st = &srv->cmd_stats[i];
		if (!st->calls && !st->rejected && !st->failed)
			continue;
		char name[96];
		redis_command_fullname(srv->cmd_rows[i], srv->cmd_parent[i],
				       name, sizeof name);
		buf_printf(b, "cmdstat_%s:calls=%llu,usec=%llu,"
			   "usec_per_call=%.2f,rejected_calls=%llu,"
			   "failed_calls=%llu\r\n", name,
			   (unsigned long long)st->calls,
			   (unsigned long long)st->usec,
			   st->calls ? (double)st->usec / (double)st->calls : 0.0,
			   (unsigned long long)st->rejected,
			   (unsigned long long)st->failed);
	}
}

/* ---- dispatch --------------------------------------------------------- */

void redis_call(struct redis_client *c, const struct redis_command *cmd)
{
	struct redis_server *srv = c->srv;
	size_t idx = row_index(srv, cmd);
	uint64_t errors = srv->stat_errors;
	int64_t start = redis_now_us();
	c->cmd = cmd;
	cmd->proc(c);
	int64_t dur = redis_now_us() - start;
	struct redis_cmd_stat *st = &srv->cmd_stats[idx];
	st->calls++;
	st->usec += (uint64_t)(dur > 0 ? dur : 0);
	if (srv->stat_errors != errors)
		st->failed++;
	srv->stat_commands++;
	c->last_cmd = cmd;
}

/* A rejection: counted, flags a transaction being queued, replied. */
static void reject(struct redis_client *c, const struct redis_command *cmd,
		   const char *msg)
{
	if (cmd)
		c->srv->cmd_stats[row_index(c->srv, cmd)].rejected++;
	if ((c->flags & CLIENT_MULTI) && cmd && cmd->proc == redis_cmd_exec) {
		/* A rejected EXEC ends the transaction, as Redis does. */
		const char *text = strncmp(msg, "ERR ", 4) ? msg : msg + 4;
		reply_errorf(c, "EXECABORT Transaction discarded because of: %s",
			     text);
		redis_multi_free(c);
		redis_unwatch_all(c);
		return;
	}
	if (c->flags & CLIENT_MULTI)
		c->flags |= CLIENT_DIRTY_EXEC;
	reply_error(c, msg);
}

static void reject_unknown(struct redis_client *c)
{
	struct buf b;
	buf_init(&b, 4096);
	buf_printf(&b, "ERR unknown command '%.128s', with args beginning with: ",
		   c->argv[0]->data);
	for (size_t i = 1; i < c->argc && b.len < 128; i++)
		buf_printf(&b, "'%.*s' ",
			   (int)(c->argv[i]->len > 128 ? 128 : c->argv[i]->len),
			   c->argv[i]->data);
	reject(c, NULL, b.data);
	buf_free(&b);
}

void redis_process_command(struct redis_client *c)
{
	char name[96], msg[256];
	const struct redis_command *cmd = redis_lookup_command(c->srv,
							       c->argv[0]);
	const struct redis_command *parent = NULL;
	if (!cmd) {
		reject_unknown(c);
		return;
	}
	if (cmd->sub && c->argc >= 2) {
		const struct redis_command *sub = find_sub(cmd, c->argv[1]);
		if (!sub) {
			char upper[32];
			size_t i = 0;
			for (; cmd->name[i] && i < sizeof upper - 1; i++)
				upper[i] = (char)toupper((unsigned char)cmd->name[i]);
			upper[i] = '\0';
			snprintf(msg, sizeof msg,
				 "ERR unknown subcommand '%.128s'. Try %s HELP.",
				 c->argv[1]->data, upper);
			reject(c, cmd, msg);
			return;
		}
		parent = cmd;
		cmd = sub;
	}
	redis_command_fullname(cmd, parent, name, sizeof name);
	if ((cmd->arity > 0 && (long)c->argc != cmd->arity) ||
	    (long)c->argc < -cmd->arity ||
	    (cmd->sub && c->argc < 2 && !cmd->proc)) {
		snprintf(msg, sizeof msg,
			 "ERR wrong number of arguments for '%s' command", name);
		reject(c, cmd, msg);
		return;
	}
	if (!c->authenticated && !(cmd->flags & CMD_NOAUTH)) {
		reject(c, cmd, "NOAUTH Authentication required.");
		return;
	}
	if (c->resp < 3 && redis_pubsub_count(c) > 0 &&
	    !(cmd->flags & CMD_PUBSUB_OK)) {
		snprintf(msg, sizeof msg,
			 "ERR Can't execute '%s': only (P|S)SUBSCRIBE / "
			 "(P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in "
			 "this context", name);
		reject(c, cmd, msg);
		return;
	}
	if ((c->flags & CLIENT_MULTI) && !(cmd->flags & CMD_NO_MULTI)) {
		c->cmd = cmd;
		redis_queue_command(c);
		return;
	}
	redis_call(c, cmd);
	if (dict_size(c->srv->ready_keys))
		redis_serve_ready_keys(c->srv);
}

/* ---- COMMAND ---------------------------------------------------------------- */

static const struct {
	unsigned bit;
	const char *name;
} flag_names[] = {
	{ CMD_WRITE, "write" },       { CMD_READONLY, "readonly" },
	{ CMD_DENYOOM, "denyoom" },   { CMD_ADMIN, "admin" },
	{ CMD_PUBSUB, "pubsub" },     { CMD_BLOCKING, "blocking" },
	{ CMD_LOADING, "loading" },   { CMD_STALE, "stale" },
	{ CMD_NOAUTH, "no_auth" },    { CMD_FAST, "fast" },
	{ CMD_NO_MULTI, "no_multi" },
};

static void reply_command_info(struct redis_client *c,
			       const struct redis_command *cmd,
			       const struct redis_command *parent)
{
	char name[96];
	redis_command_fullname(cmd, parent, name, sizeof name);
	reply_array(c, 10);
	reply_bulk_cstr(c, name);
	reply_long(c, cmd->arity);
	size_t nf = 0;
	for (size_t i = 0; i < sizeof flag_names / sizeof flag_names[0]; i++)
		if (cmd->flags & flag_names[i].bit)
			nf++;
	reply_set(c, nf);
	for (size_t i = 0; i < sizeof flag_names / sizeof flag_names[0]; i++)
		if (cmd->flags & flag_names[i].bit)
			reply_status(c, flag_names[i].name);
	reply_long(c, cmd->first_key);
	reply_long(c, cmd->last_key);
	reply_long(c, cmd->key_step);
	reply_set(c, 0);   /* ACL categories */
	reply_set(c, 0);   /* tips */
	reply_array(c, 0); /* key specs */
	reply_array(c, cmd->n_sub);
	for (size_t i = 0; i < cmd->n_sub; i++)
		reply_command_info(c, &cmd->sub[i], cmd);
}

static void reply_command_docs(struct redis_client *c,
			       const struct redis_command *cmd,
			       const struct redis_command *parent)
{
	char name[96];
	redis_command_fullname(cmd, parent, name, sizeof name);
	reply_bulk_cstr(c, name);
	reply_map(c, cmd->n_sub ? 4 : 3);
	reply_bulk_cstr(c, "summary");
	reply_bulk_cstr(c, cmd->summary);
	reply_bulk_cstr(c, "since");
	reply_bulk_cstr(c, "1.0.0");
	reply_bulk_cstr(c, "group");
	reply_bulk_cstr(c, cmd->group);
	if (cmd->n_sub) {
		reply_bulk_cstr(c, "subcommands");
		reply_map(c, cmd->n_sub);
		for (size_t i = 0; i < cmd->n_sub; i++)
			reply_command_docs(c, &cmd->sub[i], cmd);
	}
}

/* Find a row by "name" or "parent|sub". */
static const struct redis_command *
find_by_fullname(struct redis_client *c, const struct rstr *name,
		  const struct redis_command **parent)
{
	*parent = NULL;
	const char *bar = memchr(name->data, '|', name->len);
	if (!bar)
		return redis_lookup_command(c->srv, name);
	struct rstr *head = rstr_new(name->data, (size_t)(bar - name->data));
	const struct redis_command *p = redis_lookup_command(c->srv, head);
	free(head);
	if (!p)
		return NULL;
	size_t rest = name->len - (size_t)(bar - name->data) - 1;
	for (size_t i = 0; i < p->n_sub; i++) {
		if (redis_eq(bar + 1, rest, p->sub[i].name)) {
			*parent = p;
			return &p->sub[i];
		}
	}
	return NULL;
}

static void reply_all_commands(struct redis_client *c)
{
	reply_array(c, redis_n_commands);
	for (size_t i = 0; i < redis_n_commands; i++)
		reply_command_info(c, &redis_commands[i], NULL);
}

void redis_cmd_command(struct redis_client *c)
{
	reply_all_commands(c);
}

void redis_cmd_command_count(struct redis_client *c)
{
	reply_long(c, (long long)redis_n_commands);
}

void redis_cmd_command_info(struct redis_client *c)
{
	if (c->argc == 2) {
		reply_all_commands(c);
		return;
	}
	reply_array(c, c->argc - 2);
	for (size_t i = 2; i < c->argc; i++) {
		const struct redis_command *parent;
		const struct redis_command *cmd =
			find_by_fullname(c, c->argv[i], &parent);
		if (cmd)
			reply_command_info(c, cmd, parent);
		else
			reply_null_array(c);
	}
}

void redis_cmd_command_docs(struct redis_client *c)
{
	if (c->argc == 2) {
		reply_map(c, redis_n_commands);
		for (size_t i = 0; i < redis_n_commands; i++)
			reply_command_docs(c, &redis_commands[i], NULL);
		return;
	}
	size_t mark = reply_defer(c), n = 0;
	for (size_t i = 2; i < c->argc; i++) {
		const struct redis_command *parent;
		const struct redis_command *cmd =
			find_by_fullname(c, c->argv[i], &parent);
		if (cmd) {
			reply_command_docs(c, cmd, parent);
			n++;
		}
	}
	reply_defer_set(c, mark, '%', n);
}

void redis_cmd_command_list(struct redis_client *c)
{
	size_t n = 0;
	for (size_t i = 0; i < redis_n_commands; i++)
		n += 1 + redis_commands[i].n_sub;
	reply_array(c, n);
	for (size_t i = 0; i < redis_n_commands; i++) {
		reply_bulk_cstr(c, redis_commands[i].name);
		for (size_t j = 0; j < redis_commands[i].n_sub; j++) {
			char name[96];
			redis_command_fullname(&redis_commands[i].sub[j],
					       &redis_commands[i], name,
					       sizeof name);
			reply_bulk_cstr(c, name);
		}
	}
}

void redis_cmd_command_help(struct redis_client *c)
{
	static const char *lines[] = {
		"COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"(no subcommand)", "    Return details about all Redis commands.",
		"COUNT", "    Return the total number of commands in this Redis server.",
		"LIST", "    Return a list of all commands in this Redis server.",
		"INFO [<command-name> ...]", "    Return details about multiple Redis commands.",
		"DOCS [<command-name> ...]", "    Return documentation details about multiple Redis commands.",
		"HELP", "    Print this help.",
	};
	reply_array(c, sizeof lines / sizeof lines[0]);
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
		reply_status(c, lines[i]);
}

/*
 * test_redis_types.c - the value structures and the keyspace:
 * sorted-set order (score, then member bytes), ranks and score/lex
 * ranges; the list deque and its position numbers (what persistence keys
 * list rows by); expiry, lazy and active, on a bare server struct.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redis/object.h"
#include "redis/server.h"
#include "redis/util.h"

static void test_zset_order_and_rank(void **state)
{
	(void)state;
	struct zset *z = zset_new();
	assert_int_equal(zset_add(z, "b", 1, 1.0), 1);
	assert_int_equal(zset_add(z, "a", 1, 1.0), 1);
	assert_int_equal(zset_add(z, "c", 1, 0.5), 1);
	assert_int_equal(zset_add(z, "ab", 2, 1.0), 1);
	assert_int_equal(zset_add(z, "z", 1, -1.0 / 0.0), 1);
	assert_int_equal(zset_add(z, "b", 1, 1.0), 0);  /* same score */
	const char *want[] = { "z", "c", "a", "ab", "b" };
	for (size_t i = 0; i < 5; i++) {
		struct zsl_node *n = zset_at_rank(z, i);
		assert_non_null(n);
		assert_string_equal(n->member->data, want[i]);
		assert_int_equal(zset_rank(z, want[i], strlen(want[i])), (long)i);
	}
	assert_null(zset_at_rank(z, 5));
	/* Re-scoring moves the member. */
	assert_int_equal(zset_add(z, "z", 1, 9), 0);
	assert_int_equal(zset_rank(z, "z", 1), 4);
	assert_int_equal(zset_remove(z, "a", 1), 1);
	assert_int_equal(zset_remove(z, "a", 1), 0);
	assert_int_equal(z->length, 4);
	assert_int_equal(zset_rank(z, "ab", 2), 1);
	zset_free(z);
}

static void test_zset_many(void **state)
{
	(void)state;
	struct zset *z = zset_new();
	char m[16];
	/* 2000 members, scores in reverse order of insertion, ties too. */
	for (int i = 0; i < 2000; i++) {
		int n = snprintf(m, sizeof m, "m%05d", i);
		zset_add(z, m, (size_t)n, (double)((2000 - i) / 3));
	}
	struct zsl_node *prev = NULL;
	size_t count = 0;
	for (struct zsl_node *n = z->header->level[0].forward; n;
	     n = n->level[0].forward, count++) {
		if (prev)
			assert_true(zset_cmp(prev->score, prev->member->data,
					     prev->member->len, n->score,
					     n->member->data, n->member->len) < 0);
		assert_int_equal(zset_rank(z, n->member->data, n->member->len),
				 (long)count);
		prev = n;
	}
	assert_int_equal(count, 2000);
	assert_ptr_equal(z->tail, prev);
	zset_free(z);
}

static void test_zset_ranges(void **state)
{
	(void)state;
	struct zset *z = zset_new();
	zset_add(z, "a", 1, 1);
	zset_add(z, "b", 1, 2);
	zset_add(z, "c", 1, 3);
	struct zrange_score r = { .min = 1, .max = 3, .minex = 1 };
	assert_string_equal(zset_first_in_score(z, &r)->member->data, "b");
	assert_string_equal(zset_last_in_score(z, &r)->member->data, "c");
	r.maxex = 1;
	assert_string_equal(zset_last_in_score(z, &r)->member->data, "b");
	r.min = 5;
	r.max = 6;
	assert_null(zset_first_in_score(z, &r));
	r = (struct zrange_score){ .min = 2, .max = 2, .minex = 1 };
	assert_null(zset_first_in_score(z, &r));

	struct zset *l = zset_new();
	const char *words[] = { "apple", "banana", "cherry", "date" };
	for (int i = 0; i < 4; i++)
		zset_add(l, words[i], strlen(words[i]), 0);
	struct zrange_lex lr = { .min = "b", .minlen = 1, .max = "d",
				 .maxlen = 1, .maxex = 1 };
	assert_string_equal(zset_first_in_lex(l, &lr)->member->data, "banana");
	assert_string_equal(zset_last_in_lex(l, &lr)->member->data, "cherry");
	lr = (struct zrange_lex){ .mininf = -1, .maxinf = 1 };
	assert_string_equal(zset_first_in_lex(l, &lr)->member->data, "apple");
	assert_string_equal(zset_last_in_lex(l, &lr)->member->data, "date");
	lr = (struct zrange_lex){ .mininf = 1, .maxinf = 1 };
	assert_null(zset_first_in_lex(l, &lr));
	zset_free(z);
	zset_free(l);
}

static void test_list_positions(void **state)
{
	(void)state;
	struct rlist *l = rlist_new();
	for (int i = 0; i < 20; i++) {
		char v[8];
		int n = snprintf(v, sizeof v, "%d", i);
		rlist_push(l, i % 2 ? LIST_HEAD : LIST_TAIL, rstr_new(v, (size_t)n));
	}
	assert_int_equal(l->len, 20);
	/* Positions grow from head to tail, so a binary search finds them. */
	for (size_t i = 0; i + 1 < l->len; i++)
		assert_true(rlist_at(l, i)->pos < rlist_at(l, i + 1)->pos);
	for (size_t i = 0; i < l->len; i++)
		assert_ptr_equal(rlist_find_pos(l, rlist_at(l, i)->pos),
				 rlist_at(l, i));
	assert_string_equal(rlist_at(l, 0)->s->data, "19");
	assert_string_equal(rlist_at(l, 19)->s->data, "18");
	int64_t pos;
	struct rstr *s = rlist_pop(l, LIST_HEAD, &pos);
	assert_string_equal(s->data, "19");
	assert_null(rlist_find_pos(l, pos));
	free(s);
	s = rlist_remove(l, 5);
	free(s);
	for (size_t i = 0; i + 1 < l->len; i++)
		assert_true(rlist_at(l, i)->pos < rlist_at(l, i + 1)->pos);
	rlist_insert(l, 3, rstr_new("ins", 3));
	assert_string_equal(rlist_at(l, 3)->s->data, "ins");
	for (size_t i = 0; i < l->len; i++)
		assert_int_equal(rlist_at(l, i)->pos, (int64_t)i);
	rlist_free(l);
}

/* A server with just its databases, for keyspace tests (no loop, no
 * persistence, no clients). */
static struct redis_server *bare_server(void)
{
	struct redis_server *srv = calloc(1, sizeof *srv);
	for (int i = 0; i < REDIS_DBS; i++) {
		srv->db[i].srv = srv;
		srv->db[i].id = i;
		srv->db[i].keys = dict_new(robj_free);
		srv->db[i].expires = dict_new(NULL);
	}
	srv->watched_keys = dict_new(clist_free);
	srv->blocking_keys = dict_new(clist_free);
	srv->ready_keys = dict_new(NULL);
	return srv;
}

static void free_server(struct redis_server *srv)
{
	for (int i = 0; i < REDIS_DBS; i++) {
		dict_free(srv->db[i].keys);
		dict_free(srv->db[i].expires);
	}
	dict_free(srv->watched_keys);
	dict_free(srv->blocking_keys);
	dict_free(srv->ready_keys);
	free(srv);
}

static void test_lazy_expiry(void **state)
{
	(void)state;
	struct redis_server *srv = bare_server();
	struct redis_db *db = &srv->db[0];
	db_add(db, "k", 1, robj_string(rstr_new("v", 1)));
	db_add(db, "keep", 4, robj_string(rstr_new("v", 1)));
	db_set_expire(db, "keep", 4, redis_now_ms() + 100000);
	assert_non_null(db_lookup(db, "k", 1));
	db_set_expire(db, "k", 1, redis_now_ms() - 1);
	assert_int_equal(dict_size(db->keys), 2);
	assert_null(db_lookup(db, "k", 1));          /* expired on access */
	assert_int_equal(dict_size(db->keys), 1);
	assert_int_equal(srv->stat_expired, 1);
	assert_non_null(db_lookup(db, "keep", 4));
	assert_true(db_get_expire(db, "keep", 4) > redis_now_ms());
	/* SET without KEEPTTL drops the TTL. */
	db_set(db, "keep", 4, robj_string(rstr_new("w", 1)), 0);
	assert_int_equal(db_get_expire(db, "keep", 4), -1);
	free_server(srv);
}

static void test_active_expiry(void **state)
{
	(void)state;
	struct redis_server *srv = bare_server();
	struct redis_db *db = &srv->db[3];
	char k[32];
	for (int i = 0; i < 500; i++) {
		int n = snprintf(k, sizeof k, "dead:%d", i);
		db_add(db, k, (size_t)n, robj_string(rstr_new("v", 1)));
		db_set_expire(db, k, (size_t)n, redis_now_ms() - 10);
	}
	for (int i = 0; i < 50; i++) {
		int n = snprintf(k, sizeof k, "live:%d", i);
		db_add(db, k, (size_t)n, robj_string(rstr_new("v", 1)));
		if (i % 2)
			db_set_expire(db, k, (size_t)n, redis_now_ms() + 100000);
	}
	/* A few cycles remove every expired key without any access. */
	for (int cycle = 0; cycle < 50 && dict_size(db->keys) > 50; cycle++)
		db_active_expire(srv, 100000);
	assert_int_equal(dict_size(db->keys), 50);
	assert_int_equal(dict_size(db->expires), 25);
	assert_int_equal(srv->stat_expired, 500);
	free_server(srv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zset_order_and_rank),
		cmocka_unit_test(test_zset_many),
		cmocka_unit_test(test_zset_ranges),
		cmocka_unit_test(test_list_positions),
		cmocka_unit_test(test_lazy_expiry),
		cmocka_unit_test(test_active_expiry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

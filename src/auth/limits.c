#include "auth/limits.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "db/db.h"
#include "util/crypt.h"

#define PROBES		8
#define KEY_LEN		48

struct bucket {
	char	 key[KEY_LEN];	/* "" = free */
	double	 tokens;
	int64_t	 last_us;
};

struct table {
	pthread_mutex_t	 mu;
	double		 rate;		/* tokens per second, per address */
	double		 burst;
	double		 grate;		/* all addresses together */
	double		 gburst;
	struct bucket	 global;
	struct bucket	 slots[LIMIT_SLOTS];
};

static struct table tables[LIMIT__MAX] = {
	{ .mu = PTHREAD_MUTEX_INITIALIZER }, { .mu = PTHREAD_MUTEX_INITIALIZER },
};
static uint64_t seed;
static atomic_int kdf_busy;
static int kdf_max = 1;

static const char SQL_COUNT[] =
    "SELECT count(*), max(at) FROM rate_events WHERE key = ?1 AND at > ?2";
static const char SQL_ADD[] = "INSERT INTO rate_events (key, at) VALUES (?1, ?2)";
static const char SQL_PRUNE[] = "DELETE FROM rate_events WHERE key = ?1 AND at <= ?2";
static const char SQL_FORGET_AT[] = "DELETE FROM rate_events WHERE key = ?1 AND at = ?2";
static const char SQL_FORGET[] = "DELETE FROM rate_events WHERE key = ?1";

static int64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int
limits_init(const struct config *cfg)
{
	struct table *t;

	if (crypt_random(&seed, sizeof(seed)) != 0)
		return -1;
	t = &tables[LIMIT_AUTH];
	t->rate = (double)cfg->auth_ip_per_minute / 60.0;
	t->burst = (double)cfg->auth_ip_burst;
	t->grate = (double)cfg->auth_global_per_second;
	t->gburst = (double)cfg->auth_global_per_second * 2;
	t = &tables[LIMIT_VERIFY];
	t->rate = (double)cfg->verify_ip_per_minute / 60.0;
	t->burst = (double)cfg->verify_ip_burst;
	t->grate = (double)cfg->verify_global_per_second;
	t->gburst = (double)cfg->verify_global_per_second * 2;
	for (int c = 0; c < LIMIT__MAX; c++) {
		tables[c].global.tokens = tables[c].gburst;
		tables[c].global.last_us = mono_us();
		memset(tables[c].slots, 0, sizeof(tables[c].slots));
	}
	kdf_max = (int)cfg->login_kdf_concurrency;
	atomic_store(&kdf_busy, 0);
	return 0;
}

/* The key an address counts under: IPv6 by its first four groups (/64). */
static void
address_key(const char *ip, char out[KEY_LEN])
{
	const char *p = ip;
	int colons = 0;

	if (strchr(ip, ':') == NULL) {
		snprintf(out, KEY_LEN, "%s", ip);
		return;
	}
	while (*p != '\0' && colons < 4) {
		if (*p == ':' && (colons++, p[1] == ':'))
			break;	/* "::" within the first four groups: the rest is zeros */
		p++;
	}
	snprintf(out, KEY_LEN, "%.*s/64", (int)(p - ip), ip);
}

/* FNV-1a with a per-process seed: an attacker cannot choose addresses that collide. */
static uint64_t
hash_key(const char *k)
{
	uint64_t h = 1469598103934665603ULL ^ seed;

	for (; *k != '\0'; k++) {
		h ^= (unsigned char)*k;
		h *= 1099511628211ULL;
	}
	return h ^ (h >> 29);
}

static void
refill(struct bucket *b, double rate, double burst, int64_t now)
{
	double add = (double)(now - b->last_us) / 1e6 * rate;

	if (add > 0) {
		b->tokens = b->tokens + add > burst ? burst : b->tokens + add;
		b->last_us = now;
	}
}

static int64_t
wait_for_token(const struct bucket *b, double rate)
{
	double s = rate > 0 ? (1.0 - b->tokens) / rate : 3600;

	return s < 1 ? 1 : (int64_t)s + 1;
}

static struct bucket *
find_slot(struct table *t, const char *key, int64_t now)
{
	uint64_t h = hash_key(key);
	struct bucket *b, *victim = NULL;
	int i;

	for (i = 0; i < PROBES; i++) {
		b = &t->slots[(h + (uint64_t)i) % LIMIT_SLOTS];
		if (strcmp(b->key, key) == 0)
			return b;
		if (b->key[0] == '\0') {
			victim = b;
			break;
		}
		refill(b, t->rate, t->burst, now);
		if (victim == NULL || b->tokens >= t->burst ||
		    (victim->tokens < t->burst && b->last_us < victim->last_us))
			victim = b;
	}
	snprintf(victim->key, KEY_LEN, "%s", key);
	victim->tokens = t->burst;
	victim->last_us = now;
	return victim;
}

int
limit_take(enum limit_class c, const char *ip, int64_t *retry_after)
{
	struct table *t = &tables[c];
	char key[KEY_LEN];
	struct bucket *b;
	int64_t now = mono_us();
	int rc = 0;

	*retry_after = 0;
	address_key(ip, key);
	pthread_mutex_lock(&t->mu);
	b = find_slot(t, key, now);
	refill(b, t->rate, t->burst, now);
	refill(&t->global, t->grate, t->gburst, now);
	if (b->tokens < 1.0) {
		*retry_after = wait_for_token(b, t->rate);
		rc = -1;
	} else if (t->global.tokens < 1.0) {
		*retry_after = wait_for_token(&t->global, t->grate);
		rc = -1;
	} else {
		b->tokens -= 1.0;
		t->global.tokens -= 1.0;
	}
	pthread_mutex_unlock(&t->mu);
	return rc;
}

int
limit_kdf_enter(void)
{
	if (atomic_fetch_add(&kdf_busy, 1) >= kdf_max) {
		atomic_fetch_sub(&kdf_busy, 1);
		return -1;
	}
	return 0;
}

void
limit_kdf_leave(void)
{
	atomic_fetch_sub(&kdf_busy, 1);
}

int
limit_events_count(struct db *db, const char *key, int64_t since, int64_t *count,
    int64_t *last)
{
	sqlite3_stmt *st = db_prepare(db, SQL_COUNT);
	int rc = -1;

	*count = *last = 0;
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, key);
	sqlite3_bind_int64(st, 2, since);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*count = sqlite3_column_int64(st, 0);
		*last = sqlite3_column_int64(st, 1);
		rc = 0;
	}
	db_done(st);
	return rc;
}

int
limit_events_add(struct db *db, const char *key, int64_t now)
{
	sqlite3_stmt *st;
	int rc = 0;

	if ((st = db_prepare(db, SQL_PRUNE)) == NULL)
		return -1;
	db_bind_text(st, 1, key);
	sqlite3_bind_int64(st, 2, now - 86400);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = -1;
	db_done(st);
	if (rc != 0 || (st = db_prepare(db, SQL_ADD)) == NULL)
		return -1;
	db_bind_text(st, 1, key);
	sqlite3_bind_int64(st, 2, now);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = -1;
	db_done(st);
	return rc;
}

int
limit_events_forget(struct db *db, const char *key, int64_t at)
{
	sqlite3_stmt *st = db_prepare(db, at < 0 ? SQL_FORGET : SQL_FORGET_AT);
	int rc;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, key);
	if (at >= 0)
		sqlite3_bind_int64(st, 2, at);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	db_done(st);
	return rc;
}

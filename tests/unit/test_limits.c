/* The flood buckets of auth/limits.c (issue 11): a burst then refusals with a wait, one
 * address never spending another's tokens, IPv6 counted by its /64, the global bucket,
 * the password-hash slots, and a table that stays bounded under many addresses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "auth/limits.h"
#include "config.h"

static struct config cfg;

static void
setup_limits(int64_t per_minute, int64_t burst, int64_t global)
{
	config_defaults(&cfg, "/nonexistent");
	cfg.auth_ip_per_minute = per_minute;
	cfg.auth_ip_burst = burst;
	cfg.auth_global_per_second = global;
	cfg.login_kdf_concurrency = 2;
	assert_int_equal(limits_init(&cfg), 0);
}

static void
test_burst_then_refused(void **state)
{
	int64_t wait;
	int i;

	setup_limits(60, 5, 1000);
	for (i = 0; i < 5; i++)
		assert_int_equal(limit_take(LIMIT_AUTH, "10.0.0.1", &wait), 0);
	assert_int_equal(limit_take(LIMIT_AUTH, "10.0.0.1", &wait), -1);
	assert_true(wait >= 1 && wait <= 2);	/* one token a second */
	/* another address has its own bucket; another class too */
	assert_int_equal(limit_take(LIMIT_AUTH, "10.0.0.2", &wait), 0);
	assert_int_equal(limit_take(LIMIT_VERIFY, "10.0.0.1", &wait), 0);
}

static void
test_ipv6_by_prefix(void **state)
{
	int64_t wait;

	setup_limits(1, 2, 1000);
	assert_int_equal(limit_take(LIMIT_AUTH, "2001:db8:1:2:aaaa::1", &wait), 0);
	assert_int_equal(limit_take(LIMIT_AUTH, "2001:db8:1:2:bbbb::7", &wait), 0);
	/* the same /64: the third is refused, with a wait of about a minute */
	assert_int_equal(limit_take(LIMIT_AUTH, "2001:db8:1:2:cccc::9", &wait), -1);
	assert_true(wait >= 30 && wait <= 61);
	assert_int_equal(limit_take(LIMIT_AUTH, "2001:db8:1:3::1", &wait), 0);
	/* "::" inside the first four groups */
	assert_int_equal(limit_take(LIMIT_AUTH, "2001:db8::1", &wait), 0);
	assert_int_equal(limit_take(LIMIT_AUTH, "2001:db8::2", &wait), 0);
	assert_int_equal(limit_take(LIMIT_AUTH, "2001:db8::3", &wait), -1);
}

static void
test_global(void **state)
{
	char ip[32];
	int64_t wait;
	int i, refused = 0;

	setup_limits(600, 100, 3);	/* burst of the global bucket: twice its rate */
	for (i = 0; i < 20; i++) {
		snprintf(ip, sizeof(ip), "10.1.0.%d", i);
		refused += limit_take(LIMIT_AUTH, ip, &wait) != 0;
	}
	assert_int_equal(refused, 14);
	assert_true(wait >= 1);
}

static void
test_many_addresses_bounded(void **state)
{
	char ip[32];
	int64_t wait;
	int i, ok = 0;

	setup_limits(60, 1, 1000000);
	/* far more addresses than slots: no crash, each new address gets its burst */
	for (i = 0; i < 3 * LIMIT_SLOTS; i++) {
		snprintf(ip, sizeof(ip), "10.%d.%d.%d", i >> 16 & 255, i >> 8 & 255, i & 255);
		ok += limit_take(LIMIT_AUTH, ip, &wait) == 0;
	}
	assert_int_equal(ok, 3 * LIMIT_SLOTS);
}

static void
test_kdf_slots(void **state)
{
	setup_limits(60, 5, 1000);
	assert_int_equal(limit_kdf_enter(), 0);
	assert_int_equal(limit_kdf_enter(), 0);
	assert_int_equal(limit_kdf_enter(), -1);
	limit_kdf_leave();
	assert_int_equal(limit_kdf_enter(), 0);
	limit_kdf_leave();
	limit_kdf_leave();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_refused),
		cmocka_unit_test(test_ipv6_by_prefix),
		cmocka_unit_test(test_global),
		cmocka_unit_test(test_many_addresses_bounded),
		cmocka_unit_test(test_kdf_slots),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

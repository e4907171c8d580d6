/* Strict parsers, dates, identifiers of RULES.md §6, bounded buffers, hex. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/crypt.h"
#include "util/strict.h"
#include "util/timeutil.h"

static void
test_int64(void **state)
{
	int64_t v = 7;

	assert_int_equal(strict_int64("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(strict_int64("-5", -10, 10, &v), 0);
	assert_int_equal(v, -5);
	v = 7;
	assert_int_equal(strict_int64("101", 0, 100, &v), -1);
	assert_int_equal(strict_int64("", 0, 100, &v), -1);
	assert_int_equal(strict_int64(" 4", 0, 100, &v), -1);
	assert_int_equal(strict_int64("4 ", 0, 100, &v), -1);
	assert_int_equal(strict_int64("4x", 0, 100, &v), -1);
	assert_int_equal(strict_int64("0x10", 0, 100, &v), -1);
	assert_int_equal(strict_int64("99999999999999999999", 0, INT64_MAX, &v), -1);
	assert_int_equal(strict_int64(NULL, 0, 1, &v), -1);
	assert_int_equal(v, 7);	/* untouched on failure */
}

static void
test_dates(void **state)
{
	char out[11];
	int32_t d = 0;
	int y, m, dd;

	assert_int_equal(strict_date("1970-01-01", &d), 0);
	assert_int_equal(d, 0);
	assert_int_equal(strict_date("2024-08-14", &d), 0);
	date_format(d, out);
	assert_string_equal(out, "2024-08-14");
	assert_int_equal(strict_date("2024-02-29", &d), 0);
	assert_int_equal(strict_date("2023-02-29", &d), -1);
	assert_int_equal(strict_date("1900-02-29", &d), -1);
	assert_int_equal(strict_date("2000-02-29", &d), 0);
	assert_int_equal(strict_date("2024-13-01", &d), -1);
	assert_int_equal(strict_date("2024-04-31", &d), -1);
	assert_int_equal(strict_date("2024-4-01", &d), -1);
	assert_int_equal(strict_date("2024-04-01T", &d), -1);
	assert_int_equal(strict_date("24-04-01", &d), -1);
	assert_int_equal(strict_date("1899-12-31", &d), -1);
	/* Round trip over every day of two centuries. */
	for (d = date_from_ymd(1900, 1, 1); d <= date_from_ymd(2100, 12, 31); d++) {
		int32_t back;

		date_format(d, out);
		assert_int_equal(strict_date(out, &back), 0);
		assert_int_equal(back, d);
	}
	date_to_ymd(date_from_ymd(2024, 2, 29) + 1, &y, &m, &dd);
	assert_true(y == 2024 && m == 3 && dd == 1);
}

static void
test_identifiers(void **state)
{
	char mob[11];

	assert_int_equal(strict_mobile("9812345678", mob), 0);
	assert_string_equal(mob, "9812345678");
	assert_int_equal(strict_mobile("+919812345678", mob), 0);
	assert_string_equal(mob, "9812345678");
	assert_int_equal(strict_mobile("09812345678", mob), 0);
	assert_string_equal(mob, "9812345678");
	assert_int_equal(strict_mobile("6000000000", mob), 0);
	assert_int_equal(strict_mobile("5812345678", mob), -1);
	assert_int_equal(strict_mobile("981234567", mob), -1);
	assert_int_equal(strict_mobile("98123456789", mob), -1);
	assert_int_equal(strict_mobile("98123 5678", mob), -1);
	assert_int_equal(strict_mobile("+91 9812345678", mob), -1);
	assert_int_equal(strict_family_id("ABCD1234"), 0);
	assert_int_equal(strict_family_id("ABCD12345"), 0);
	assert_int_equal(strict_family_id("ABCD123"), -1);
	assert_int_equal(strict_family_id("ABCD123456"), -1);
	assert_int_equal(strict_family_id("abcd1234"), -1);
	assert_int_equal(strict_family_id("ABCD-234"), -1);
	assert_int_equal(strict_head_of_account("2059-80-001-97-51-69"), 0);
	assert_true(head_of_account_is_contractual("2059-80-001-97-51-69"));
	assert_false(head_of_account_is_contractual("2059-80-001-97-51-01"));
	assert_int_equal(strict_head_of_account("2059-80-01-97-51-69"), -1);
	assert_int_equal(strict_head_of_account("2059-80-001-97-51-6"), -1);
	assert_int_equal(strict_head_of_account("2059/80-001-97-51-69"), -1);
	assert_int_equal(strict_head_of_account("2059-80-001-97-51-69-"), -1);
	assert_int_equal(strict_code("HKRNL/2024-001"), 0);
	assert_int_equal(strict_code("a"), 0);
	assert_int_equal(strict_code(""), -1);
	assert_int_equal(strict_code("../etc"), -1);
	assert_int_equal(strict_code("with space"), -1);
	assert_int_equal(strict_code("0123456789012345678901234567890123"), -1);
	{
		char id[33];

		assert_int_equal(strict_id_norm(" ucp- 10003\t", id, sizeof(id)), 0);
		assert_string_equal(id, "UCP-10003");
		assert_int_equal(strict_id_norm("\xc2\xa0hkrnl/2024-001", id, sizeof(id)), 0);
		assert_string_equal(id, "HKRNL/2024-001");
		assert_int_equal(strict_id_norm("  ", id, sizeof(id)), -1);
		assert_int_equal(strict_id_norm("../x", id, sizeof(id)), -1);
		assert_int_equal(strict_id_norm("0123456789012345678901234567890123", id,
		    sizeof(id)), -1);
	}
	assert_int_equal(strict_username("ddo.pwd-1_x"), 0);
	assert_int_equal(strict_username("Admin"), -1);
	assert_int_equal(strict_username("ab"), -1);
	assert_int_equal(strict_text("Sunita Devi", 128), 0);
	assert_int_equal(strict_text("\xe0\xa4\xb8\xe0\xa5\x81", 128), 0);	/* Devanagari */
	assert_int_equal(strict_text("line\nbreak", 128), -1);
	assert_int_equal(strict_text("\xc0\xaf", 128), -1);		/* overlong '/' */
	assert_int_equal(strict_text("\xe0\x80\xaf", 128), -1);		/* overlong, 3 bytes */
	assert_int_equal(strict_text("\xed\xa0\x80", 128), -1);		/* surrogate */
	assert_int_equal(strict_text("\xff", 128), -1);
	assert_int_equal(strict_text("abc", 2), -1);
}

static void
test_buf(void **state)
{
	struct buf b;
	char *s;

	buf_init(&b, 10);
	assert_string_equal(buf_str(&b), "");
	assert_int_equal(buf_puts(&b, "0123456789"), 0);
	assert_int_equal(buf_puts(&b, "x"), -1);		/* ceiling */
	assert_int_equal(b.len, 10);
	assert_string_equal(buf_str(&b), "0123456789");
	buf_reset(&b);
	assert_int_equal(buf_printf(&b, "%d-%s", 12, "ab"), 0);
	assert_string_equal(b.data, "12-ab");
	assert_int_equal(buf_printf(&b, "%300d", 1), -1);
	s = buf_take(&b);
	assert_string_equal(s, "12-ab");
	free(s);
	assert_null(b.data);
	buf_free(&b);
	buf_free(&b);	/* twice is harmless */
}

static void
test_hex_time(void **state)
{
	unsigned char in[3] = { 0x00, 0xab, 0xff }, out[3];
	char hex[7], iso[26];
	int64_t t = 0;

	crypt_hex(in, 3, hex);
	assert_string_equal(hex, "00abff");
	assert_int_equal(crypt_unhex("00ABff", out, 3), 0);
	assert_memory_equal(in, out, 3);
	assert_int_equal(crypt_unhex("00abf", out, 3), -1);
	assert_int_equal(crypt_unhex("00abffaa", out, 3), -1);
	assert_int_equal(crypt_unhex("zzabff", out, 3), -1);
	assert_true(crypt_equal("abc", "abc", 3));
	assert_false(crypt_equal("abc", "abd", 3));
	/* 2026-01-31 23:59 IST is 18:29 UTC. */
	assert_int_equal(time_parse_ist("2026-01-31 23:59", &t), 0);
	time_iso_utc(t, iso);
	assert_string_equal(iso, "2026-01-31T18:29:00Z");
	time_iso_ist(t, iso);
	assert_string_equal(iso, "2026-01-31T23:59:00+05:30");
	assert_int_equal(time_parse_ist("2026-01-31 24:00", &t), -1);
	assert_int_equal(time_parse_ist("2026-02-30 10:00", &t), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_int64),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_identifiers),
		cmocka_unit_test(test_buf),
		cmocka_unit_test(test_hex_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

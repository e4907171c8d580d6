/* The rules parameter file: defaults, round trip, overrides, and each kind of bad line. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cases/rules.h"
#include "util/strict.h"
#include "util/timeutil.h"

static int64_t
ist(int y, int m, int d, int hh, int mm)
{
	return (int64_t)date_from_ymd(y, m, d) * 86400 + hh * 3600 + mm * 60 - IST_OFFSET;
}

static void
assert_same(const struct rules_params *a, const struct rules_params *b)
{
	size_t i;

	assert_int_equal(a->appointed_date, b->appointed_date);
	assert_int_equal(a->remuneration_cap, b->remuneration_cap);
	assert_int_equal(a->min_years, b->min_years);
	assert_int_equal(a->min_paid_days, b->min_paid_days);
	assert_int_equal(a->year_basis, b->year_basis);
	assert_int_equal(a->max_age, b->max_age);
	assert_int_equal(a->nbands, b->nbands);
	for (i = 0; i < a->nbands; i++) {
		assert_int_equal(a->bands[i].from_years, b->bands[i].from_years);
		assert_int_equal(a->bands[i].percent, b->bands[i].percent);
	}
	assert_int_equal(a->rounding_unit, b->rounding_unit);
	for (i = 1; i <= RULES_LEVELS; i++)
		assert_int_equal(a->entry_pay[i], b->entry_pay[i]);
	assert_int_equal(a->post_effective_date, b->post_effective_date);
	assert_int_equal(a->da_effective_date, b->da_effective_date);
	assert_int_equal(a->first_increment_date, b->first_increment_date);
	for (i = 0; i < RULES_STAGE__MAX; i++)
		assert_int_equal(a->deadline[i], b->deadline[i]);
}

/* Every default is RULES.md's number. */
static void
test_defaults(void **state)
{
	static const int64_t pay[] = { 0, 18000, 19900, 21700, 25500, 29200, 35400, 44900,
	    47600, 53100, 56100 };
	struct rules_params p;
	int i;

	rules_defaults(&p);
	assert_int_equal(p.appointed_date, date_from_ymd(2024, 8, 15));
	assert_int_equal(p.remuneration_cap, 50000);
	assert_int_equal(p.min_years, 5);
	assert_int_equal(p.min_paid_days, 240);
	assert_int_equal(p.year_basis, RULES_BASIS_SERVICE);
	assert_int_equal(p.max_age, 58);
	assert_int_equal(p.nbands, 3);
	assert_int_equal(p.bands[0].from_years, 5);
	assert_int_equal(p.bands[0].percent, 5);
	assert_int_equal(p.bands[1].from_years, 8);
	assert_int_equal(p.bands[1].percent, 10);
	assert_int_equal(p.bands[2].from_years, 11);
	assert_int_equal(p.bands[2].percent, 15);
	assert_int_equal(p.rounding_unit, 100);
	for (i = 1; i <= RULES_LEVELS; i++)
		assert_int_equal(p.entry_pay[i], pay[i]);
	assert_int_equal(p.post_effective_date, date_from_ymd(2024, 8, 16));
	assert_int_equal(p.da_effective_date, date_from_ymd(2025, 1, 1));
	assert_int_equal(p.first_increment_date, date_from_ymd(2025, 7, 1));
	assert_int_equal(p.deadline[RULES_STAGE_REGISTRATION], ist(2026, 1, 31, 23, 59));
	assert_int_equal(p.deadline[RULES_STAGE_VERIFICATION], ist(2026, 2, 28, 23, 59));
	assert_int_equal(p.deadline[RULES_STAGE_POSTS], ist(2026, 3, 31, 23, 59));
	assert_int_equal(p.deadline[RULES_STAGE_APPROVAL], ist(2026, 4, 30, 23, 59));
	assert_string_equal(rules_stage_name(RULES_STAGE_POSTS), "posts");
}

/* The written file reads back to the same parameters, defaults or not. */
static void
test_round_trip(void **state)
{
	struct rules_params p, q;
	struct buf b;
	char err[256];

	rules_defaults(&p);
	buf_init(&b, 1 << 16);
	assert_int_equal(rules_format(&p, &b), 0);
	assert_non_null(strstr(buf_str(&b), "\nappointed_date = 2024-08-15\n"));
	assert_non_null(strstr(buf_str(&b), "\nband.2 = 8 10\n"));
	assert_non_null(strstr(buf_str(&b), "\nentry_pay.10 = 56100\n"));
	assert_non_null(strstr(buf_str(&b), "\ndeadline.approval = 2026-04-30 23:59\n"));
	memset(&q, 0x55, sizeof(q));
	assert_int_equal(rules_parse(b.data, b.len, "x", &q, err, sizeof(err)), RULES_OK);
	assert_same(&p, &q);
	buf_free(&b);

	p.year_basis = RULES_BASIS_CALENDAR;
	p.nbands = 2;
	p.bands[0].from_years = 4;
	p.bands[1].from_years = 9;
	p.bands[1].percent = 12;
	p.deadline[RULES_STAGE_POSTS] = ist(2026, 6, 1, 0, 0);
	buf_init(&b, 1 << 16);
	assert_int_equal(rules_format(&p, &b), 0);
	assert_null(strstr(buf_str(&b), "band.3"));
	assert_int_equal(rules_parse(b.data, b.len, "x", &q, err, sizeof(err)), RULES_OK);
	assert_same(&p, &q);
	buf_free(&b);
}

static void
test_overrides(void **state)
{
	static const char text[] =
	    "# a later notification\r\n"
	    "\n"
	    "   appointed_date = 2024-09-01   # moved\n"
	    "year_basis=calendar\n"
	    "entry_pay.2 = 20000\n"
	    "band.1 = 5 6\n"
	    "band.2 = 10 12\n"
	    "deadline.registration = 2026-02-15 18:00\n"
	    "min_paid_days = 366";	/* no final newline */
	struct rules_params p;
	char err[256];

	assert_int_equal(rules_parse(text, strlen(text), "t.conf", &p, err, sizeof(err)),
	    RULES_OK);
	assert_int_equal(p.appointed_date, date_from_ymd(2024, 9, 1));
	assert_int_equal(p.year_basis, RULES_BASIS_CALENDAR);
	assert_int_equal(p.entry_pay[2], 20000);
	assert_int_equal(p.entry_pay[3], 21700);	/* untouched default */
	/* The file's bands replace the default three. */
	assert_int_equal(p.nbands, 2);
	assert_int_equal(p.bands[1].from_years, 10);
	assert_int_equal(p.bands[1].percent, 12);
	assert_int_equal(p.deadline[RULES_STAGE_REGISTRATION], ist(2026, 2, 15, 18, 0));
	assert_int_equal(p.min_paid_days, 366);
	assert_int_equal(p.max_age, 58);
}

struct bad {
	const char	*text;
	const char	*err;	/* the whole message */
};

static const struct bad bads[] = {
	{ "min_years = 5\nfoo = 1\n", "t.conf:2: unknown parameter 'foo'" },
	{ "appointed_date = 2024-02-30\n",
	  "t.conf:1: appointed_date: not a date YYYY-MM-DD: '2024-02-30'" },
	{ "\n\nmin_paid_days = 367\n", "t.conf:3: min_paid_days: out of range: '367'" },
	{ "min_years = 0\n", "t.conf:1: min_years: out of range: '0'" },
	{ "min_years = 5 years\n", "t.conf:1: min_years: not a whole number: '5 years'" },
	{ "min_years = \n", "t.conf:1: min_years: not a whole number: ''" },
	{ "remuneration_cap = 0x10\n", "t.conf:1: remuneration_cap: not a whole number: '0x10'" },
	{ "max_age = 58\nmax_age = 60\n", "t.conf:2: duplicate parameter 'max_age'" },
	{ "year_basis = fiscal\n", "t.conf:1: year_basis: not `service` or `calendar`: 'fiscal'" },
	{ "min_years 5\n", "t.conf:1: expected `name = value`" },
	{ "band.1 = 5\n", "t.conf:1: band.1: not `YEARS PERCENT`: '5'" },
	{ "band.1 = 5 101\n", "t.conf:1: band.1: out of range (YEARS 1-100, PERCENT 0-100): "
	  "'5 101'" },
	{ "band.1 = 5 5\nband.3 = 11 15\n",
	  "t.conf:2: bands must be numbered from band.1 without a hole" },
	{ "band.1 = 5 5\nband.2 = 5 10\n", "t.conf:2: band YEARS must increase with N" },
	{ "band.1 = 6 5\n",
	  "t.conf:1: band.1 starts above min_years: an eligible employee would have no band" },
	{ "band.9 = 20 20\n", "t.conf:1: unknown parameter 'band.9'" },
	{ "entry_pay.11 = 60000\n", "t.conf:1: unknown parameter 'entry_pay.11'" },
	{ "entry_pay.1 = 0\n", "t.conf:1: entry_pay.1: out of range: '0'" },
	{ "deadline.posts = 2026-03-31T23:59\n",
	  "t.conf:1: deadline.posts: not `YYYY-MM-DD HH:MM`: '2026-03-31T23:59'" },
	{ "deadline.posts = 2026-03-31 24:00\n",
	  "t.conf:1: deadline.posts: not `YYYY-MM-DD HH:MM`: '2026-03-31 24:00'" },
};

static void
test_bad_lines(void **state)
{
	struct rules_params p, before;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		memset(&p, 0x5a, sizeof(p));
		before = p;
		err[0] = '\0';
		assert_int_equal(rules_parse(bads[i].text, strlen(bads[i].text), "t.conf", &p, err,
		    sizeof(err)), RULES_EPARSE);
		assert_string_equal(err, bads[i].err);
		assert_memory_equal(&p, &before, sizeof(p));	/* untouched on failure */
	}
}

static void
test_long_and_nul(void **state)
{
	char text[700], err[256];
	struct rules_params p;

	memset(text, 'a', sizeof(text));
	assert_int_equal(rules_parse(text, sizeof(text), "t", &p, err, sizeof(err)),
	    RULES_EPARSE);
	assert_string_equal(err, "t:1: line too long (at most 512 bytes)");
	assert_int_equal(rules_parse("min_years = 5\0\n", 15, "t", &p, err, sizeof(err)),
	    RULES_EPARSE);
	assert_string_equal(err, "t:1: NUL byte in line");
}

static void
test_load(void **state)
{
	char path[] = "/tmp/test_rules_params.XXXXXX", err[256];
	static const char text[] = "min_years = 6\nband.1 = 5 5\n";
	struct rules_params p;
	int fd;

	assert_int_equal(rules_load("/nonexistent/rules.conf", &p, err, sizeof(err)), RULES_EIO);
	assert_non_null(strstr(err, "/nonexistent/rules.conf"));
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
	close(fd);
	assert_int_equal(rules_load(path, &p, err, sizeof(err)), RULES_OK);
	assert_int_equal(p.min_years, 6);
	assert_int_equal(p.nbands, 1);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_long_and_nul),
		cmocka_unit_test(test_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Strict parsing of a `rules eval` case: every malformed input is refused with the field
 * named; absent and null fields are accepted as missing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cases/rules_json.h"
#include "cases/rules_jv.h"
#include "util/strict.h"

struct fault {
	const char	*json;	/* ' stands for " */
	enum rules_err	 rc;
	const char	*err;	/* expected start of the message */
};

#define SP "{'from':'2010-01-01','to':null,'kind':'contract'}"

static const struct fault faults[] = {
	{ "{", RULES_EINVAL, "not valid JSON: " },
	{ "", RULES_EINVAL, "not valid JSON: " },
	{ "{} x", RULES_EINVAL, "not valid JSON: " },
	{ "[]", RULES_EINVAL, "expected a JSON object, got an array" },
	{ "{'dob':'1980-01-01','dob':'1980-01-01'}", RULES_EINVAL, "not valid JSON: duplicate" },
	{ "{'spells':[{'from':'2010-01-01','from':'2010-01-01','to':null,'kind':'contract'}]}",
	  RULES_EINVAL, "not valid JSON: duplicate" },
	{ "{'dob':'1980-1-01'}", RULES_EINVAL, "dob: not a date YYYY-MM-DD" },
	{ "{'dob':'1980-02-30'}", RULES_EINVAL, "dob: not a date YYYY-MM-DD" },
	{ "{'dob':'1980-01-01T00:00'}", RULES_EINVAL, "dob: not a date YYYY-MM-DD" },
	{ "{'dob':' 1980-01-01'}", RULES_EINVAL, "dob: not a date YYYY-MM-DD" },
	{ "{'dob':'1980-01-01\\u0000'}", RULES_EINVAL, "not valid JSON: \\u0000" },
	{ "{'dob':19800101}", RULES_EINVAL, "dob: expected a date \"YYYY-MM-DD\", got an integer" },
	{ "{'engagement_mode':'contract'}", RULES_EINVAL, "engagement_mode: unknown mode" },
	{ "{'engagement_mode':true}", RULES_EINVAL, "engagement_mode: expected" },
	{ "{'monthly_remuneration':-1}", RULES_EINVAL, "monthly_remuneration: -1 outside" },
	{ "{'monthly_remuneration':24000.5}", RULES_EINVAL,
	  "monthly_remuneration: expected a whole number or null, got a number with a fraction" },
	{ "{'monthly_remuneration':'24000'}", RULES_EINVAL,
	  "monthly_remuneration: expected a whole number or null, got a string" },
	{ "{'centrally_sponsored':'no'}", RULES_EINVAL,
	  "centrally_sponsored: expected true, false or null, got a string" },
	{ "{'part_time':0}", RULES_EINVAL, "part_time: expected true, false or null" },
	{ "{'marriage_clause':[]}", RULES_EINVAL, "marriage_clause: expected true" },
	{ "{'marriage_exemption':1}", RULES_EINVAL, "marriage_exemption: expected true" },
	{ "{'pay_level':11}", RULES_EINVAL, "pay_level: 11 outside 1-10" },
	{ "{'pay_level':0}", RULES_EINVAL, "pay_level: 0 outside 1-10" },
	{ "{'pay_level':2.0}", RULES_EINVAL, "pay_level: expected a whole number" },
	{ "{'pay_level':'2'}", RULES_EINVAL, "pay_level: expected a whole number" },
	{ "{'name':'X'}", RULES_EINVAL, "unknown field \"name\"" },
	{ "{'Dob':null}", RULES_EINVAL, "unknown field \"Dob\"" },
	{ "{'spells':{}}", RULES_EINVAL, "spells: expected an array or null, got an object" },
	{ "{'spells':[null]}", RULES_EINVAL, "spells[0]: expected an object, got null" },
	{ "{'spells':[" SP ",{'from':'2010-01-01','to':null,'kind':'permanent'}]}",
	  RULES_EINVAL, "spells[1].kind: unknown spell kind \"permanent\"" },
	{ "{'spells':[{'from':'2010-01-01','to':null,'kind':1}]}", RULES_EINVAL,
	  "spells[0].kind: expected a string, got an integer" },
	{ "{'spells':[{'from':'2010-01-01','kind':'contract'}]}", RULES_EINVAL,
	  "spells[0]: \"to\" is required (null when still in service)" },
	{ "{'spells':[{'to':null,'kind':'contract'}]}", RULES_EINVAL,
	  "spells[0]: \"from\" is required" },
	{ "{'spells':[{'from':'2010-01-01','to':null}]}", RULES_EINVAL,
	  "spells[0]: \"kind\" is required" },
	{ "{'spells':[{'from':null,'to':null,'kind':'contract'}]}", RULES_EINVAL,
	  "spells[0].from: expected a date" },
	{ "{'spells':[{'from':'2010-01-01','to':'2009-12-31','kind':'contract'}]}", RULES_EINVAL,
	  "spells[0]: \"to\" is before \"from\"" },
	{ "{'spells':[{'from':'2010-01-01','to':'2010-13-01','kind':'contract'}]}", RULES_EINVAL,
	  "spells[0].to: not a date" },
	{ "{'spells':[{'from':'2010-01-01','to':null,'kind':'contract','dept':'x'}]}",
	  RULES_EINVAL, "spells[0]: unknown field \"dept\"" },
	{ "{'spells':[{'from':'2010-01-01','to':null,'kind':'contract','organisation':5}]}",
	  RULES_EINVAL, "spells[0].organisation: expected a string" },
	{ "{'unpaid':{}}", RULES_EINVAL, "unpaid: expected an array or null" },
	{ "{'unpaid':[{'from':'2010-01-01'}]}", RULES_EINVAL, "unpaid[0]: \"to\" is required" },
	{ "{'unpaid':[{'from':'2010-01-01','to':null}]}", RULES_EINVAL,
	  "unpaid[0].to: expected a date" },
	{ "{'unpaid':[{'from':'2010-01-02','to':'2010-01-01'}]}", RULES_EINVAL,
	  "unpaid[0]: \"to\" is before \"from\"" },
	{ "{'unpaid':[{'from':'2010-01-01','to':'2010-01-01','why':'x'}]}", RULES_EINVAL,
	  "unpaid[0]: unknown field \"why\"" },
};

static char *
dq(const char *s)
{
	char *r = strdup(s), *p;

	assert_non_null(r);
	for (p = r; *p; p++)
		if (*p == '\'')
			*p = '"';
	return r;
}

static void
test_faults(void **state)
{
	static struct rules_case c;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		char *j = dq(faults[i].json);

		err[0] = '\0';
		printf("fault %zu: %s\n", i, j);
		assert_int_equal(rules_case_from_json(j, strlen(j), &c, err, sizeof(err)),
		    faults[i].rc);
		if (strncmp(err, faults[i].err, strlen(faults[i].err)) != 0)
			fail_msg("got \"%s\", want \"%s...\"", err, faults[i].err);
		free(j);
	}
}

static void
test_too_many(void **state)
{
	static struct rules_case c;
	struct buf b;
	char err[256];
	int i;

	buf_init(&b, 1 << 20);
	buf_puts(&b, "{\"spells\":[");
	for (i = 0; i <= RULES_MAX_SPELLS; i++)
		buf_printf(&b, "%s{\"from\":\"2010-01-01\",\"to\":null,\"kind\":\"contract\"}",
		    i ? "," : "");
	buf_puts(&b, "]}");
	assert_int_equal(rules_case_from_json(b.data, b.len, &c, err, sizeof(err)),
	    RULES_ETOOMANY);
	assert_string_equal(err, "spells: more than 64 spells");
	buf_free(&b);
}

/* Absent and null fields are simply not present; what is given is read exactly. */
static void
test_present(void **state)
{
	static struct rules_case c;
	char err[256];
	char *j;

	j = dq("{'dob':null,'engagement_mode':'hkrnl','monthly_remuneration':0,"
	    "'centrally_sponsored':true,'part_time':false,'pay_level':10,'unpaid':null,"
	    "'spells':[{'from':'2000-02-29','to':'2199-12-31','kind':'hssc_regular',"
	    "'organisation':'HSSC','post':'Clerk'}]}");
	assert_int_equal(rules_case_from_json(j, strlen(j), &c, err, sizeof(err)), RULES_OK);
	assert_false(RULES_HAS(&c, RULES_F_DOB));
	assert_true(RULES_HAS(&c, RULES_F_ENGAGEMENT_MODE));
	assert_int_equal(c.engagement_mode, RULES_MODE_HKRNL);
	assert_true(RULES_HAS(&c, RULES_F_MONTHLY_REMUNERATION));
	assert_int_equal(c.monthly_remuneration, 0);
	assert_true(c.centrally_sponsored);
	assert_false(RULES_HAS(&c, RULES_F_MARRIAGE_CLAUSE));
	assert_int_equal(c.pay_level, 10);
	assert_int_equal(c.nspells, 1);
	assert_int_equal(c.spells[0].from, date_from_ymd(2000, 2, 29));
	assert_int_equal(c.spells[0].to, date_from_ymd(2199, 12, 31));
	assert_int_equal(c.spells[0].kind, RULES_KIND_HSSC_REGULAR);
	assert_string_equal(c.spells[0].organisation, "HSSC");
	assert_int_equal(c.nunpaid, 0);
	free(j);
}

/* The fast scanner and the jansson reader agree: same verdict on every input; the same
 * case when both accept. Inputs: the faults above, good cases, and seeded mutations. */
static const char *const goods[] = {
	"{'dob':'1968-05-01','engagement_mode':'direct','monthly_remuneration':24000,"
	"'centrally_sponsored':false,'part_time':false,'marriage_clause':false,"
	"'marriage_exemption':false,'pay_level':2,'spells':[{'from':'2015-03-01','to':"
	"'2018-02-28','kind':'contract','organisation':'PWD'},{'from':'2018-06-01','to':null,"
	"'kind':'contract','organisation':'Health'},{'from':'2011-01-01','to':'2012-05-31',"
	"'kind':'hssc_regular'}],'unpaid':[{'from':'2020-04-01','to':'2020-06-30'}]}",
	" {\n\t'dob' : null , 'pay_level':-0,'spells':[ ] ,'unpaid':[]}\r\n",
	"{'monthly_remuneration':9223372036854775807}",
	"{'monthly_remuneration':-9223372036854775808}",
	"{'monthly_remuneration':9223372036854775808}",
	"{'monthly_remuneration':1e3}",
	"{'monthly_remuneration':1.5E+2}",
	"{'monthly_remuneration':01}",
	"{'spells':[{'from':'2010-01-01','to':null,'kind':'hkrnl','organisation':"
	"'\\u0938\\u0947\\u0935\\u093e \\ud83d\\ude00 \\\"q\\\" \\\\ \\/ \\b\\f\\n\\r\\t',"
	"'post':'Clerk \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80'}]}",
	"{'spells':[{'from':'2010-01-01','to':null,'kind':'hkrnl','organisation':'\\ud83d'}]}",
	"{'spells':[{'from':'2010-01-01','to':null,'kind':'hkrnl','organisation':'\\ude00'}]}",
	"{'spells':[{'from':'2010-01-01','to':null,'kind':'hkrnl','organisation':'\xc0\xaf'}]}",
	"{'spells':[{'from':'2010-01-01','to':null,'kind':'hkrnl','organisation':'\xed\xa0\x80'}]}",
	"{'spells':[{'from':'2010-01-01','to':null,'kind':'hkrnl','organisation':'\xf4\x90\x80\x80'}]}",
	"{'spells':[{'from':'2010-01-01','to':null,'kind':'hkrnl','organisation':'a\x7f'}]}",
	"{'d\\u006fb':'1980-01-01'}",
	"{'dob':'1980-01-01','d\\u006fb':'1980-01-01'}",
	"{'dob':tru}", "{'dob':nulll}", "{'dob':\"1980-01-01\"", "{'dob'  '1980-01-01'}",
	"{,}", "{'spells':[,]}", "{'spells':[{}]}", "{'spells':[{},]}", "{'unpaid':[[]]}",
	"{} {}", "{}\x00", "\xef\xbb\xbf{}", "{'dob':'1980-01-01',}", "{'pay_level':[1]}",
	"{'pay_level':{'a':1}}", "{'pay_level':-}", "{'pay_level':1.}", "{'pay_level':.5}",
	"{'pay_level':+1}", "{'pay_level':1e}", "{'pay_level':2 }", "{\"dob\":'x\\q'}",
};

static unsigned long rng = 20240815;

static unsigned
next_rand(void)
{
	rng = rng * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)(rng >> 33);
}

static void
compare_cases(const struct rules_case *a, const struct rules_case *b)
{
	size_t i;

	assert_int_equal(a->present, b->present);
	if (RULES_HAS(a, RULES_F_DOB))
		assert_int_equal(a->dob, b->dob);
	if (RULES_HAS(a, RULES_F_ENGAGEMENT_MODE))
		assert_int_equal(a->engagement_mode, b->engagement_mode);
	if (RULES_HAS(a, RULES_F_MONTHLY_REMUNERATION))
		assert_int_equal(a->monthly_remuneration, b->monthly_remuneration);
	if (RULES_HAS(a, RULES_F_CENTRALLY_SPONSORED))
		assert_int_equal(a->centrally_sponsored, b->centrally_sponsored);
	if (RULES_HAS(a, RULES_F_PART_TIME))
		assert_int_equal(a->part_time, b->part_time);
	if (RULES_HAS(a, RULES_F_MARRIAGE_CLAUSE))
		assert_int_equal(a->marriage_clause, b->marriage_clause);
	assert_int_equal(a->marriage_exemption, b->marriage_exemption);
	if (RULES_HAS(a, RULES_F_PAY_LEVEL))
		assert_int_equal(a->pay_level, b->pay_level);
	assert_int_equal(a->nspells, b->nspells);
	for (i = 0; i < a->nspells; i++) {
		assert_int_equal(a->spells[i].from, b->spells[i].from);
		assert_int_equal(a->spells[i].to, b->spells[i].to);
		assert_int_equal(a->spells[i].kind, b->spells[i].kind);
		assert_string_equal(a->spells[i].organisation, b->spells[i].organisation);
	}
	assert_int_equal(a->nunpaid, b->nunpaid);
	for (i = 0; i < a->nunpaid; i++) {
		assert_int_equal(a->unpaid[i].from, b->unpaid[i].from);
		assert_int_equal(a->unpaid[i].to, b->unpaid[i].to);
	}
}

static int
agree(const char *text, size_t len)
{
	static struct rules_case a, b;
	char ea[256], eb[256];
	enum rules_err ra, rb;

	ra = rules_case_from_json(text, len, &a, ea, sizeof(ea));
	rb = rules_case_from_json_jansson(text, len, &b, eb, sizeof(eb));
	if ((ra == RULES_OK) != (rb == RULES_OK))
		fail_msg("readers disagree on [%.*s]: scanner %d (%s), jansson %d (%s)", (int)len,
		    text, ra, ra ? ea : "", rb, rb ? eb : "");
	if (ra == RULES_OK)
		compare_cases(&a, &b);
	return ra == RULES_OK;
}

static void
test_readers_agree(void **state)
{
	static const char alphabet[] = "{}[]\",:0123456789-+.eE tfnul\\/\x00\x01\x7f\x80\xc3\xff'a";
	char buf[2048];
	size_t i, j, len, accepted = 0, total = 0;
	int m;

	for (i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		char *t = dq(faults[i].json);
		assert_false(agree(t, strlen(t)));
		free(t);
	}
	for (i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		char *t = dq(goods[i]);
		agree(t, strlen(t));
		free(t);
	}
	for (i = 0; i < sizeof(goods) / sizeof(goods[0]) + sizeof(faults) / sizeof(faults[0]);
	    i++) {
		const char *src = i < sizeof(goods) / sizeof(goods[0]) ? goods[i] :
		    faults[i - sizeof(goods) / sizeof(goods[0])].json;
		char *t = dq(src);

		for (m = 0; m < 400; m++) {
			len = strlen(t);
			memcpy(buf, t, len);
			for (j = 0; j < 1 + next_rand() % 3 && len > 0; j++) {
				size_t at = next_rand() % len;
				char ch = alphabet[next_rand() % (sizeof(alphabet) - 1)];

				switch (next_rand() % 3) {
				case 0: buf[at] = ch; break;
				case 1: memmove(buf + at, buf + at + 1, len - at - 1); len--; break;
				default:
					if (len + 1 < sizeof(buf)) {
						memmove(buf + at + 1, buf + at, len - at);
						buf[at] = ch;
						len++;
					}
				}
			}
			accepted += (size_t)agree(buf, len);
			total++;
		}
		free(t);
	}
	printf("mutations: %zu, accepted by both: %zu\n", total, accepted);
	assert_true(accepted > 0);
}

static void
append(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(dst), m = strlen(src);

	assert_true(n + m < cap);
	memcpy(dst + n, src, m + 1);
}

/* String contents, where the two readers are most likely to differ: random escapes,
 * UTF-8 sequences good and bad, controls, as an organisation and as a key; and numbers. */
static void
test_readers_agree_strings(void **state)
{
	static const char *const atoms[] = {
		"a", "\\", "\\u", "\\ud83d", "\\ude00", "\\u00e9", "\\u0000", "\\x", "\\n",
		"\\\"", "\"", "\x01", "\x1f", "\x7f", "\xc3\xa9", "\xc3", "\xa9", "\xe2\x82\xac",
		"\xe2\x82", "\xf0\x9f\x98\x80", "\xf8", "\xc0\x80", "\xed\xbf\xbf", "\xef\xbf\xbf",
		"\xf4\x8f\xbf\xbf", "\xf4\x90\x80\x80", "d8", "00", "DC", "0", "\\uD800\\uDC00",
		"\\udbff\\udfff", "\\uDBFF", "\\u12", "\\u12g4", "/", "\\/",
	};
	static const char *const nums[] = {
		"0", "-0", "1", "-", "+", ".", "e", "E", "9", "00", "-1", "5", "10", "e5", "E-1", ".0",
		"1.", "0.5", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
		"-9223372036854775809", "18446744073709551616", " ", "x",
	};
	char val[256], doc[512];
	size_t i, j, n, accepted = 0;
	int len;

	for (i = 0; i < 20000; i++) {
		val[0] = '\0';
		n = next_rand() % 5;
		for (j = 0; j < n; j++)
			append(val, sizeof(val), atoms[next_rand() % (sizeof(atoms) / sizeof(atoms[0]))]);
		if (i % 2)
			len = snprintf(doc, sizeof(doc), "{\"spells\":[{\"from\":\"2010-01-01\","
			    "\"to\":null,\"kind\":\"contract\",\"organisation\":\"%s\"}]}", val);
		else
			len = snprintf(doc, sizeof(doc), "{\"%s\":null}", val);
		assert_true(len > 0 && (size_t)len < sizeof(doc));
		accepted += (size_t)agree(doc, (size_t)len);
	}
	for (i = 0; i < 5000; i++) {
		val[0] = '\0';
		n = 1 + next_rand() % 3;
		for (j = 0; j < n; j++)
			append(val, sizeof(val), nums[next_rand() % (sizeof(nums) / sizeof(nums[0]))]);
		len = snprintf(doc, sizeof(doc), "{\"monthly_remuneration\":%s}", val);
		accepted += (size_t)agree(doc, (size_t)len);
	}
	printf("string and number variants: 25000, accepted by both: %zu\n", accepted);
	assert_true(accepted > 1000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_faults),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_present),
		cmocka_unit_test(test_readers_agree),
		cmocka_unit_test(test_readers_agree_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

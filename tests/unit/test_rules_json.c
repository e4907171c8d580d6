/* Strict parsing of a `rules eval` case (jansson with JSON_REJECT_DUPLICATES, then the
 * field checks): every malformed input is refused with the field named; absent and null
 * fields are accepted as missing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cases/rules_json.h"
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

/* What jansson (with JSON_REJECT_DUPLICATES) makes of the edges of JSON, and that the
 * reader then names the field: NULL for an accepted case, else the start of the message. */
static const struct {
	const char	*json;
	const char	*err;
} edges[] = {
	{ "{'dob':'1968-05-01','engagement_mode':'direct','monthly_remuneration':24000,"
	  "'centrally_sponsored':false,'part_time':false,'marriage_clause':false,"
	  "'marriage_exemption':false,'pay_level':2,'spells':[{'from':'2015-03-01','to':"
	  "'2018-02-28','kind':'contract','organisation':'PWD'},{'from':'2018-06-01','to':null,"
	  "'kind':'contract','organisation':'Health'},{'from':'2011-01-01','to':'2012-05-31',"
	  "'kind':'hssc_regular'}],'unpaid':[{'from':'2020-04-01','to':'2020-06-30'}]}", NULL },
	{ " {\n\t'dob' : null , 'pay_level':-0,'spells':[ ] ,'unpaid':[]}\r\n",
	  "pay_level: 0 outside 1-10" },
	{ "{'monthly_remuneration':9223372036854775807}",
	  "monthly_remuneration: 9223372036854775807 outside 0-1000000000" },
	{ "{'monthly_remuneration':-9223372036854775808}",
	  "monthly_remuneration: -9223372036854775808 outside" },
	{ "{'monthly_remuneration':9223372036854775808}", "not valid JSON: too big integer" },
	{ "{'monthly_remuneration':1e3}", "monthly_remuneration: expected a whole number" },
	{ "{'monthly_remuneration':1.5E+2}", "monthly_remuneration: expected a whole number" },
	{ "{'monthly_remuneration':01}", "not valid JSON: invalid token" },
	{ "{'spells':[{'from':'2010-01-01','to':null,'kind':'hkrnl','organisation':"
	  "'\\u0938\\u0947\\u0935\\u093e \\ud83d\\ude00 \\\"q\\\" \\\\ \\/ \\b\\f\\n\\r\\t',"
	  "'post':'Clerk \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80'}]}", NULL },
	{ "{'spells':[{'from':'2010-01-01','to':null,'kind':'hkrnl','organisation':'\\ud83d'}]}",
	  "not valid JSON: invalid Unicode" },
	{ "{'spells':[{'from':'2010-01-01','to':null,'kind':'hkrnl','organisation':'\\ude00'}]}",
	  "not valid JSON: invalid Unicode" },
	{ "{'spells':[{'from':'2010-01-01','to':null,'kind':'hkrnl','organisation':'\xc0\xaf'}]}",
	  "not valid JSON: unable to decode byte 0xc0" },
	{ "{'spells':[{'from':'2010-01-01','to':null,'kind':'hkrnl','organisation':"
	  "'\xed\xa0\x80'}]}", "not valid JSON: unable to decode byte 0xed" },
	{ "{'spells':[{'from':'2010-01-01','to':null,'kind':'hkrnl','organisation':"
	  "'\xf4\x90\x80\x80'}]}", "not valid JSON: unable to decode byte 0xf4" },
	{ "{'spells':[{'from':'2010-01-01','to':null,'kind':'hkrnl','organisation':'a\x7f'}]}",
	  NULL },
	{ "{'d\\u006fb':'1980-01-01'}", NULL },
	{ "{'dob':'1980-01-01','d\\u006fb':'1980-01-01'}", "not valid JSON: duplicate object key" },
	{ "{'dob':tru}", "not valid JSON: invalid token" },
	{ "{'dob':nulll}", "not valid JSON: invalid token" },
	{ "{'dob':'1980-01-01'", "not valid JSON: '}' expected" },
	{ "{'dob'  '1980-01-01'}", "not valid JSON: ':' expected" },
	{ "{,}", "not valid JSON: string or '}' expected" },
	{ "{'spells':[,]}", "not valid JSON: unexpected token" },
	{ "{'spells':[{}]}", "spells[0]: \"from\" is required" },
	{ "{'spells':[{},]}", "not valid JSON: unexpected token" },
	{ "{'unpaid':[[]]}", "unpaid[0]: expected an object, got an array" },
	{ "{} {}", "not valid JSON: end of file expected" },
	{ "\xef\xbb\xbf{}", "not valid JSON: '[' or '{' expected near '?\?\?'" },
	{ "{'dob':'1980-01-01',}", "not valid JSON: string or '}' expected" },
	{ "{'pay_level':[1]}", "pay_level: expected a whole number or null, got an array" },
	{ "{'pay_level':{'a':1}}", "pay_level: expected a whole number or null, got an object" },
	{ "{'pay_level':-}", "not valid JSON: invalid token" },
	{ "{'pay_level':1.}", "not valid JSON: invalid token" },
	{ "{'pay_level':.5}", "not valid JSON: invalid token" },
	{ "{'pay_level':+1}", "not valid JSON: invalid token" },
	{ "{'pay_level':1e}", "not valid JSON: invalid token" },
	{ "{'pay_level':2 }", NULL },
	{ "{'dob':'x\\q'}", "not valid JSON: invalid escape" },
	{ "1", "not valid JSON: '[' or '{' expected" },
	{ "{'\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"
	  "\\u00e9\\u00e9\\u00e9a\\u0938\\u0938':1}",
	  "unknown field \"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" "a\"" },
	{ "{'spells':[{'from':'2010-01-01','to':null,'kind':'\\u0001x'}]}",
	  "spells[0].kind: unknown spell kind \"?x\"" },
};

static void
test_edges(void **state)
{
	static struct rules_case c;
	char err[256];
	enum rules_err rc;
	size_t i;

	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		char *j = dq(edges[i].json);

		err[0] = '\0';
		rc = rules_case_from_json(j, strlen(j), &c, err, sizeof(err));
		if (edges[i].err == NULL && rc != RULES_OK)
			fail_msg("edge %zu: refused (%s): %s", i, err, j);
		if (edges[i].err != NULL && (rc != RULES_EINVAL ||
		    strncmp(err, edges[i].err, strlen(edges[i].err)) != 0))
			fail_msg("edge %zu: got %d \"%s\", want \"%s...\"", i, rc, err, edges[i].err);
		free(j);
	}
}

/* The organisation as decoded by jansson, escapes and all. */
static void
test_unicode(void **state)
{
	static struct rules_case c;
	char err[256], *j = dq(edges[8].json);

	assert_int_equal(rules_case_from_json(j, strlen(j), &c, err, sizeof(err)), RULES_OK);
	assert_string_equal(c.spells[0].organisation, "\xe0\xa4\xb8\xe0\xa5\x87\xe0\xa4\xb5"
	    "\xe0\xa4\xbe \xf0\x9f\x98\x80 \"q\" \\ / \b\f\n\r\t");
	free(j);
}

static unsigned long rng = 20240815;

static unsigned
next_rand(void)
{
	rng = rng * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)(rng >> 33);
}

/* Every refusal, whatever the input, gives a message a batch error can carry: not
 * empty and valid UTF-8 (jansson refuses to make a string of anything else). Inputs: the
 * cases above mutated at random. */
static void
test_messages(void **state)
{
	static const char alphabet[] = "{}[]\",:0123456789-+.eE tfnul\\/\x00\x01\x7f\x80\xc3\xff'a";
	static struct rules_case c;
	char buf[2048], err[512];
	size_t i, j, len, accepted = 0, total = 0, nf = sizeof(faults) / sizeof(faults[0]);
	size_t ne = sizeof(edges) / sizeof(edges[0]);
	int m;

	for (i = 0; i < nf + ne; i++) {
		char *t = dq(i < nf ? faults[i].json : edges[i - nf].json);

		for (m = 0; m < 400; m++) {
			json_t *s;

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
			total++;
			err[0] = '\0';
			if (rules_case_from_json(buf, len, &c, err, sizeof(err)) == RULES_OK) {
				accepted++;
				continue;
			}
			s = err[0] != '\0' ? json_string(err) : NULL;
			if (s == NULL)
				fail_msg("bad message \"%s\" for [%.*s]", err, (int)len, buf);
			json_decref(s);
		}
		free(t);
	}
	printf("mutations: %zu, accepted: %zu\n", total, accepted);
	assert_true(accepted > 0 && accepted < total);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_faults),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_present),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_unicode),
		cmocka_unit_test(test_messages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

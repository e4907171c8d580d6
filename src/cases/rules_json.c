/* Strict reading of a case and writing of an outcome (API.md, "rules eval"). A malformed
 * case is refused with the field named, never guessed at; an absent or null field is not a
 * fault but "missing", which the rules turn into an incomplete outcome. */
#include "cases/rules_json.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/strict.h"

#define MAX_REMUNERATION	1000000000	/* rupees a month: anything above is a typo */

/* The field checks see a JSON value through this small view of it, so the meaning of a
 * field is written once, apart from walking the jansson tree. */
enum rules_jkind {
	RULES_J_NULL, RULES_J_FALSE, RULES_J_TRUE, RULES_J_INT, RULES_J_REAL, RULES_J_STRING,
	RULES_J_OBJECT, RULES_J_ARRAY
};

/* One JSON value as the field checks see it. For a string, s is jansson's decoded,
 * NUL-terminated value (valid UTF-8) and len its length; every check that reads s first
 * bounds len. Objects and arrays carry only their kind. */
struct rules_jv {
	enum rules_jkind	 kind;
	const char		*s;
	size_t			 len;
	int64_t			 i;
};

/* Top-level keys; RULES_JK_SPELLS and RULES_JK_UNPAID are arrays the walker descends. */
enum rules_jkey {
	RULES_JK_DOB, RULES_JK_ENGAGEMENT_MODE, RULES_JK_MONTHLY_REMUNERATION,
	RULES_JK_CENTRALLY_SPONSORED, RULES_JK_PART_TIME, RULES_JK_MARRIAGE_CLAUSE,
	RULES_JK_MARRIAGE_EXEMPTION, RULES_JK_PAY_LEVEL, RULES_JK_SPELLS, RULES_JK_UNPAID,
	RULES_JK__MAX
};
enum rules_jspell { RULES_JS_FROM, RULES_JS_TO, RULES_JS_KIND, RULES_JS_ORGANISATION,
	RULES_JS_POST, RULES_JS__MAX };
enum rules_junpaid { RULES_JU_FROM, RULES_JU_TO, RULES_JU__MAX };

_Static_assert((int)RULES_JK_DOB == (int)RULES_F_DOB &&
    (int)RULES_JK_PAY_LEVEL == (int)RULES_F_PAY_LEVEL &&
    (int)RULES_JK_SPELLS == (int)RULES_F_SPELLS, "top-level keys follow enum rules_field");

static const char *const top_names[RULES_JK__MAX] = {
	"dob", "engagement_mode", "monthly_remuneration", "centrally_sponsored", "part_time",
	"marriage_clause", "marriage_exemption", "pay_level", "spells", "unpaid",
};
static const char *const spell_names[RULES_JS__MAX] = {
	"from", "to", "kind", "organisation", "post",
};
static const char *const unpaid_names[RULES_JU__MAX] = { "from", "to" };

static enum rules_err __attribute__((format(printf, 4, 5)))
rules_jv_fail(char *err, size_t errlen, enum rules_err rc, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		if (vsnprintf(err, errlen, fmt, ap) < 0)
			err[0] = '\0';
		va_end(ap);
	}
	return rc;
}
#define fail rules_jv_fail

static const char *
rules_jv_type_name(enum rules_jkind k)
{
	switch (k) {
	case RULES_J_OBJECT: return "an object";
	case RULES_J_ARRAY: return "an array";
	case RULES_J_STRING: return "a string";
	case RULES_J_INT: return "an integer";
	case RULES_J_REAL: return "a number with a fraction";
	case RULES_J_TRUE: case RULES_J_FALSE: return "a boolean";
	case RULES_J_NULL: return "null";
	}
	return "?";
}

static int
lookup(const char *const *names, int n, const char *key, size_t len)
{
	int i;

	/* The first byte rules out all but one name or so: this runs for every key. */
	for (i = 0; i < n; i++)
		if (len > 0 && names[i][0] == key[0] && strncmp(names[i], key, len) == 0 &&
		    names[i][len] == '\0')
			return i;
	return -1;
}

/* Up to 32 bytes of s for a message: cut at a character boundary (s is valid UTF-8, and
 * the message must stay so to travel in the JSON of a batch error), controls as '?'. */
static const char *
clip(const char *s, size_t len, char out[36])
{
	size_t n = len < 32 ? len : 32, i;

	if (n < len)
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;	/* s[n] continues a character: end before that character */
	for (i = 0; i < n; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	out[n] = '\0';
	return out;
}

static int
rules_jv_top_key(const char *key, size_t len)
{
	return lookup(top_names, RULES_JK__MAX, key, len);
}

static int
rules_jv_spell_key(const char *key, size_t len)
{
	return lookup(spell_names, RULES_JS__MAX, key, len);
}

static int
rules_jv_unpaid_key(const char *key, size_t len)
{
	return lookup(unpaid_names, RULES_JU__MAX, key, len);
}

static const char *
rules_jv_top_name(int k)
{
	return k >= 0 && k < RULES_JK__MAX ? top_names[k] : "?";
}

static const char *
rules_jv_spell_name(int k)
{
	return k >= 0 && k < RULES_JS__MAX ? spell_names[k] : "?";
}

static const char *
rules_jv_unpaid_name(int k)
{
	return k >= 0 && k < RULES_JU__MAX ? unpaid_names[k] : "?";
}

/* The checks below name the field: "dob", "spells[1].to". */
struct where {
	const char	*list;	/* "spells", "unpaid" or "" for a top-level field */
	size_t		 idx;
	const char	*key;
};

static void
field_name(const struct where *w, char *out, size_t len)
{
	if (w->list[0] == '\0')
		snprintf(out, len, "%s", w->key);
	else
		snprintf(out, len, "%s[%zu].%s", w->list, w->idx, w->key);
}

static enum rules_err __attribute__((format(printf, 4, 5)))
bad(const struct where *w, char *err, size_t errlen, const char *fmt, ...)
{
	char field[64], msg[192];
	va_list ap;

	field_name(w, field, sizeof(field));
	va_start(ap, fmt);
	if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
		msg[0] = '\0';
	va_end(ap);
	return fail(err, errlen, RULES_EINVAL, "%s: %s", field, msg);
}

static enum rules_err
get_date(const struct rules_jv *v, const struct where *w, int32_t *out, char *err,
    size_t errlen)
{
	char shown[36];

	if (v->kind != RULES_J_STRING)
		return bad(w, err, errlen, "expected a date \"YYYY-MM-DD\", got %s",
		    rules_jv_type_name(v->kind));
	if (v->len != 10 || strict_date(v->s, out) != 0)
		return bad(w, err, errlen,
		    "not a date YYYY-MM-DD (1900-01-01..2199-12-31): \"%s\"",
		    clip(v->s, v->len, shown));
	return RULES_OK;
}

static enum rules_err
get_bool(const struct rules_jv *v, const struct where *w, bool *out, char *err,
    size_t errlen)
{
	if (v->kind != RULES_J_TRUE && v->kind != RULES_J_FALSE)
		return bad(w, err, errlen, "expected true, false or null, got %s",
		    rules_jv_type_name(v->kind));
	*out = v->kind == RULES_J_TRUE;
	return RULES_OK;
}

static enum rules_err
get_int(const struct rules_jv *v, const struct where *w, int64_t min, int64_t max,
    int64_t *out, char *err, size_t errlen)
{
	if (v->kind != RULES_J_INT)
		return bad(w, err, errlen, "expected a whole number or null, got %s",
		    rules_jv_type_name(v->kind));
	if (v->i < min || v->i > max) {
		return bad(w, err, errlen, "%lld outside %lld-%lld", (long long)v->i,
		    (long long)min, (long long)max);
	}
	*out = v->i;
	return RULES_OK;
}

static bool
str_is(const struct rules_jv *v, const char *s)
{
	size_t n = strlen(s);

	return v->len == n && memcmp(v->s, s, n) == 0;
}

static void
rules_jv_begin(struct rules_case *c)
{
	c->present = 0;
	c->nspells = 0;
	c->nunpaid = 0;
	c->marriage_exemption = false;
}

static enum rules_err
rules_jv_set_top(struct rules_case *c, int k, const struct rules_jv *v, char *err,
    size_t errlen)
{
	struct where w = { "", 0, rules_jv_top_name(k) };
	char shown[36];
	enum rules_err rc = RULES_OK;
	int64_t n;

	if (v->kind == RULES_J_NULL)
		return RULES_OK;	/* missing, for the rules to report */
	switch (k) {
	case RULES_JK_DOB:
		rc = get_date(v, &w, &c->dob, err, errlen);
		break;
	case RULES_JK_ENGAGEMENT_MODE:
		if (v->kind != RULES_J_STRING)
			return bad(&w, err, errlen, "expected \"direct\", \"hkrnl\" or null, got %s",
			    rules_jv_type_name(v->kind));
		if (str_is(v, "direct"))
			c->engagement_mode = RULES_MODE_DIRECT;
		else if (str_is(v, "hkrnl"))
			c->engagement_mode = RULES_MODE_HKRNL;
		else
			return bad(&w, err, errlen, "unknown mode \"%s\" (direct or hkrnl)",
			    clip(v->s, v->len, shown));
		break;
	case RULES_JK_MONTHLY_REMUNERATION:
		rc = get_int(v, &w, 0, MAX_REMUNERATION, &c->monthly_remuneration, err, errlen);
		break;
	case RULES_JK_CENTRALLY_SPONSORED:
		rc = get_bool(v, &w, &c->centrally_sponsored, err, errlen);
		break;
	case RULES_JK_PART_TIME:
		rc = get_bool(v, &w, &c->part_time, err, errlen);
		break;
	case RULES_JK_MARRIAGE_CLAUSE:
		rc = get_bool(v, &w, &c->marriage_clause, err, errlen);
		break;
	case RULES_JK_MARRIAGE_EXEMPTION:
		rc = get_bool(v, &w, &c->marriage_exemption, err, errlen);
		break;
	case RULES_JK_PAY_LEVEL:
		if ((rc = get_int(v, &w, 1, RULES_LEVELS, &n, err, errlen)) == RULES_OK)
			c->pay_level = (int)n;
		break;
	case RULES_JK_SPELLS:
	case RULES_JK_UNPAID:
		return bad(&w, err, errlen, "expected an array or null, got %s",
		    rules_jv_type_name(v->kind));
	default:
		return fail(err, errlen, RULES_EINVAL, "unknown field");
	}
	if (rc == RULES_OK)
		c->present |= 1u << k;
	return rc;
}

static enum rules_err
rules_jv_spell_start(size_t idx, const struct rules_jv *elem, char *err, size_t errlen)
{
	if (idx >= RULES_MAX_SPELLS)
		return fail(err, errlen, RULES_ETOOMANY, "spells: more than %d spells",
		    RULES_MAX_SPELLS);
	if (elem->kind != RULES_J_OBJECT)
		return fail(err, errlen, RULES_EINVAL, "spells[%zu]: expected an object, got %s",
		    idx, rules_jv_type_name(elem->kind));
	return RULES_OK;
}

static enum rules_err
rules_jv_set_spell(void *item, size_t idx, int k, const struct rules_jv *v,
    char *err, size_t errlen)
{
	struct rules_spell *sp = item;
	struct where w = { "spells", idx, rules_jv_spell_name(k) };
	char shown[36];

	switch (k) {
	case RULES_JS_FROM:
		return get_date(v, &w, &sp->from, err, errlen);
	case RULES_JS_TO:
		if (v->kind == RULES_J_NULL) {
			sp->to = RULES_OPEN;
			return RULES_OK;
		}
		return get_date(v, &w, &sp->to, err, errlen);
	case RULES_JS_KIND:
		if (v->kind != RULES_J_STRING)
			return bad(&w, err, errlen, "expected a string, got %s",
			    rules_jv_type_name(v->kind));
		if (str_is(v, "contract"))
			sp->kind = RULES_KIND_CONTRACT;
		else if (str_is(v, "hkrnl"))
			sp->kind = RULES_KIND_HKRNL;
		else if (str_is(v, "hssc_regular"))
			sp->kind = RULES_KIND_HSSC_REGULAR;
		else
			return bad(&w, err, errlen, "unknown spell kind \"%s\" (contract, hkrnl or "
			    "hssc_regular)", clip(v->s, v->len, shown));
		return RULES_OK;
	case RULES_JS_ORGANISATION:
	case RULES_JS_POST:
		if (v->kind == RULES_J_NULL)
			return RULES_OK;
		if (v->kind != RULES_J_STRING)
			return bad(&w, err, errlen, "expected a string, got %s",
			    rules_jv_type_name(v->kind));
		if (v->len >= RULES_ORG_MAX)
			return bad(&w, err, errlen, "longer than %d bytes", RULES_ORG_MAX - 1);
		if (k == RULES_JS_ORGANISATION)
			memcpy(sp->organisation, v->s, v->len + 1);
		return RULES_OK;
	}
	return fail(err, errlen, RULES_EINVAL, "spells[%zu]: unknown field", idx);
}

static enum rules_err
rules_jv_end_spell(void *item, size_t idx, unsigned seen, char *err,
    size_t errlen)
{
	struct rules_spell *sp = item;
	if (!(seen & (1u << RULES_JS_FROM)))
		return fail(err, errlen, RULES_EINVAL, "spells[%zu]: \"from\" is required", idx);
	if (!(seen & (1u << RULES_JS_TO)))
		return fail(err, errlen, RULES_EINVAL, "spells[%zu]: \"to\" is required (null when "
		    "still in service)", idx);
	if (!(seen & (1u << RULES_JS_KIND)))
		return fail(err, errlen, RULES_EINVAL, "spells[%zu]: \"kind\" is required", idx);
	if (!(seen & (1u << RULES_JS_ORGANISATION)))
		sp->organisation[0] = '\0';
	if (sp->to < sp->from)
		return fail(err, errlen, RULES_EINVAL, "spells[%zu]: \"to\" is before \"from\"", idx);
	return RULES_OK;
}

static enum rules_err
rules_jv_unpaid_start(size_t idx, const struct rules_jv *elem, char *err, size_t errlen)
{
	if (idx >= RULES_MAX_UNPAID)
		return fail(err, errlen, RULES_ETOOMANY, "unpaid: more than %d intervals",
		    RULES_MAX_UNPAID);
	if (elem->kind != RULES_J_OBJECT)
		return fail(err, errlen, RULES_EINVAL, "unpaid[%zu]: expected an object, got %s",
		    idx, rules_jv_type_name(elem->kind));
	return RULES_OK;
}

static enum rules_err
rules_jv_set_unpaid(void *item, size_t idx, int k, const struct rules_jv *v,
    char *err, size_t errlen)
{
	struct rules_interval *iv = item;
	struct where w = { "unpaid", idx, rules_jv_unpaid_name(k) };

	if (k == RULES_JU_FROM)
		return get_date(v, &w, &iv->from, err, errlen);
	if (k == RULES_JU_TO)
		return get_date(v, &w, &iv->to, err, errlen);
	return fail(err, errlen, RULES_EINVAL, "unpaid[%zu]: unknown field", idx);
}

static enum rules_err
rules_jv_end_unpaid(void *item, size_t idx, unsigned seen, char *err,
    size_t errlen)
{
	struct rules_interval *iv = item;
	if ((seen & 3u) != 3u)
		return fail(err, errlen, RULES_EINVAL, "unpaid[%zu]: \"%s\" is required", idx,
		    !(seen & 1u) ? "from" : "to");
	if (iv->to < iv->from)
		return fail(err, errlen, RULES_EINVAL, "unpaid[%zu]: \"to\" is before \"from\"", idx);
	return RULES_OK;
}

/* The jansson reader: for a request body the HTTP layer has already parsed (with
 * JSON_REJECT_DUPLICATES, which this cannot check afterwards). */

static void
jv_of(const json_t *j, struct rules_jv *v)
{
	v->s = "";
	v->len = 0;
	v->i = 0;
	switch (json_typeof(j)) {
	case JSON_OBJECT: v->kind = RULES_J_OBJECT; break;
	case JSON_ARRAY: v->kind = RULES_J_ARRAY; break;
	case JSON_STRING:
		v->kind = RULES_J_STRING;
		v->s = json_string_value(j);
		v->len = json_string_length(j);
		break;
	case JSON_INTEGER:
		v->kind = RULES_J_INT;
		v->i = json_integer_value(j);
		break;
	case JSON_REAL: v->kind = RULES_J_REAL; break;
	case JSON_TRUE: v->kind = RULES_J_TRUE; break;
	case JSON_FALSE: v->kind = RULES_J_FALSE; break;
	case JSON_NULL: v->kind = RULES_J_NULL; break;
	}
}

/* A list of objects with known keys (spells, unpaid intervals): how to read one item. */
struct item_kind {
	const char	*list;
	size_t		 size;		/* of one item */
	enum rules_err	(*start)(size_t, const struct rules_jv *, char *, size_t);
	int		(*key)(const char *, size_t);
	enum rules_err	(*set)(void *, size_t, int, const struct rules_jv *, char *, size_t);
	enum rules_err	(*end)(void *, size_t, unsigned, char *, size_t);
};

static const struct item_kind spell_kind = { "spells", sizeof(struct rules_spell),
	rules_jv_spell_start, rules_jv_spell_key, rules_jv_set_spell, rules_jv_end_spell };
static const struct item_kind unpaid_kind = { "unpaid", sizeof(struct rules_interval),
	rules_jv_unpaid_start, rules_jv_unpaid_key, rules_jv_set_unpaid, rules_jv_end_unpaid };

static enum rules_err
walk_items(const json_t *arr, const struct item_kind *ik, void *items, size_t *n, char *err,
    size_t errlen)
{
	struct rules_jv ev, v;
	const char *key;
	const json_t *e, *jv;
	char shown[36];
	size_t i, klen;
	enum rules_err rc;

	for (i = 0; i < json_array_size(arr); i++) {
		void *item = (char *)items + i * ik->size;
		unsigned seen = 0;
		int k;

		e = json_array_get(arr, i);
		jv_of(e, &ev);
		if ((rc = ik->start(i, &ev, err, errlen)) != RULES_OK)
			return rc;
		json_object_keylen_foreach((json_t *)e, key, klen, jv) {
			if ((k = ik->key(key, klen)) < 0)
				return fail(err, errlen, RULES_EINVAL, "%s[%zu]: unknown field \"%s\"",
				    ik->list, i, clip(key, klen, shown));
			jv_of(jv, &v);
			if ((rc = ik->set(item, i, k, &v, err, errlen)) != RULES_OK)
				return rc;
			seen |= 1u << k;
		}
		if ((rc = ik->end(item, i, seen, err, errlen)) != RULES_OK)
			return rc;
		*n = i + 1;
	}
	return RULES_OK;
}

enum rules_err
rules_case_from_jansson(const json_t *obj, struct rules_case *c, char *err, size_t errlen)
{
	struct rules_jv v;
	const char *key;
	const json_t *jv;
	char shown[36];
	size_t klen;
	enum rules_err rc;
	int k;

	rules_jv_begin(c);
	if (!json_is_object(obj)) {
		jv_of(obj, &v);
		return fail(err, errlen, RULES_EINVAL, "expected a JSON object, got %s",
		    rules_jv_type_name(v.kind));
	}
	json_object_keylen_foreach((json_t *)obj, key, klen, jv) {
		if ((k = rules_jv_top_key(key, klen)) < 0)
			return fail(err, errlen, RULES_EINVAL, "unknown field \"%s\"",
			    clip(key, klen, shown));
		if (k == RULES_JK_SPELLS && json_is_array(jv)) {
			rc = walk_items(jv, &spell_kind, c->spells, &c->nspells, err, errlen);
			if (rc == RULES_OK)
				c->present |= 1u << RULES_F_SPELLS;
		} else if (k == RULES_JK_UNPAID && json_is_array(jv))
			rc = walk_items(jv, &unpaid_kind, c->unpaid, &c->nunpaid, err, errlen);
		else {
			jv_of(jv, &v);
			rc = rules_jv_set_top(c, k, &v, err, errlen);
		}
		if (rc != RULES_OK)
			return rc;
	}
	return RULES_OK;
}

/* Text is parsed by jansson with JSON_REJECT_DUPLICATES, which the walker cannot check on
 * a tree afterwards; jansson also refuses invalid UTF-8, \u0000, lone surrogates, integers
 * beyond int64 and trailing bytes. The batch command makes this cheap with an arena
 * allocator (rules_cmd.c). */
enum rules_err
rules_case_from_json(const char *text, size_t len, struct rules_case *c, char *err,
    size_t errlen)
{
	json_error_t je;
	json_t *root;
	enum rules_err rc;
	char *p;

	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL) {
		rules_jv_begin(c);
		/* jansson quotes the input near the fault and cuts its text at a fixed size,
		 * maybe inside a character: keep the message plain ASCII. */
		for (p = je.text; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
				*p = '?';
		return fail(err, errlen, RULES_EINVAL, "not valid JSON: %s (line %d, column %d)",
		    je.text, je.line, je.column);
	}
	rc = rules_case_from_jansson(root, c, err, errlen);
	json_decref(root);
	return rc;
}

/* Output: written by hand rather than through json_dumps, since the batch mode writes one
 * outcome per case and this is most of its cost; rules_outcome_json builds the same object
 * for callers that embed it, and the unit tests check the two agree. */

static char *
put_uint(char *p, uint64_t v)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

static char *
put_int(char *p, int64_t v)
{
	if (v < 0) {
		*p++ = '-';
		return put_uint(p, (uint64_t)0 - (uint64_t)v);
	}
	return put_uint(p, (uint64_t)v);
}

static char *
put_str(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}

static char *
put_date(char *p, int32_t days)
{
	int y, m, d;

	date_to_ymd(days, &y, &m, &d);
	*p++ = '"';
	*p++ = (char)('0' + y / 1000 % 10);
	*p++ = (char)('0' + y / 100 % 10);
	*p++ = (char)('0' + y / 10 % 10);
	*p++ = (char)('0' + y % 10);
	*p++ = '-';
	*p++ = (char)('0' + m / 10);
	*p++ = (char)('0' + m % 10);
	*p++ = '-';
	*p++ = (char)('0' + d / 10);
	*p++ = (char)('0' + d % 10);
	*p++ = '"';
	return p;
}

/* Room for the fixed part: verdict, 16 reasons of < 40 bytes, six numbers. */
#define HEAD_MAX	1024
/* One period: {"from":"YYYY-MM-DD","to":"YYYY-MM-DD","paid_days":366,"qualifies":false}, */
#define PERIOD_MAX	96

int
rules_outcome_write(const struct rules_outcome *o, struct buf *b)
{
	char head[HEAD_MAX], *p = head;
	size_t i;

	p = put_str(p, "{\"outcome\":\"");
	p = put_str(p, rules_verdict_name(o->verdict));
	p = put_str(p, "\",\"reasons\":[");
	for (i = 0; i < o->nreasons; i++) {
		if (i > 0)
			*p++ = ',';
		*p++ = '"';
		p = put_str(p, o->reasons[i]);	/* static codes: nothing to escape */
		*p++ = '"';
	}
	p = put_str(p, "],\"qualifying_years\":");
	p = o->has_service ? put_int(p, o->qualifying_years) : put_str(p, "null");
	p = put_str(p, ",\"band_percent\":");
	p = o->has_pay ? put_int(p, o->band_percent) : put_str(p, "null");
	p = put_str(p, ",\"entry_pay\":");
	p = o->has_pay ? put_int(p, o->entry_pay) : put_str(p, "null");
	p = put_str(p, ",\"additional\":");
	p = o->has_pay ? put_int(p, o->additional) : put_str(p, "null");
	p = put_str(p, ",\"consolidated\":");
	p = o->has_pay ? put_int(p, o->consolidated) : put_str(p, "null");
	p = put_str(p, ",\"periods\":");
	if (!o->has_service) {
		p = put_str(p, "null}");
		return buf_append(b, head, (size_t)(p - head));
	}
	*p++ = '[';
	if (buf_append(b, head, (size_t)(p - head)) != 0)
		return -1;
	for (i = 0; i < o->nperiods; i++) {
		const struct rules_period *r = &o->periods[i];

		p = head;
		if (i > 0)
			*p++ = ',';
		p = put_str(p, "{\"from\":");
		p = put_date(p, r->from);
		p = put_str(p, ",\"to\":");
		p = put_date(p, r->to);
		p = put_str(p, ",\"paid_days\":");
		p = put_int(p, r->paid_days);
		p = put_str(p, r->qualifies ? ",\"qualifies\":true}" : ",\"qualifies\":false}");
		if (buf_append(b, head, (size_t)(p - head)) != 0)
			return -1;
	}
	return buf_append(b, "]}", 2);
}

static json_t *
num_or_null(bool has, int64_t v)
{
	return has ? json_integer(v) : json_null();
}

json_t *
rules_outcome_json(const struct rules_outcome *o)
{
	json_t *root, *reasons, *periods = NULL;
	size_t i;
	int bad = 0;

	root = json_object();
	reasons = json_array();
	if (root == NULL || reasons == NULL)
		goto fail;
	for (i = 0; i < o->nreasons; i++)
		bad |= json_array_append_new(reasons, json_string(o->reasons[i]));
	if (o->has_service) {
		if ((periods = json_array()) == NULL)
			goto fail;
		for (i = 0; i < o->nperiods; i++) {
			const struct rules_period *r = &o->periods[i];
			char from[11], to[11];

			date_format(r->from, from);
			date_format(r->to, to);
			bad |= json_array_append_new(periods, json_pack("{s:s, s:s, s:i, s:b}",
			    "from", from, "to", to, "paid_days", r->paid_days,
			    "qualifies", r->qualifies));
		}
	} else {
		periods = json_null();
	}
	bad |= json_object_set_new(root, "outcome", json_string(rules_verdict_name(o->verdict)));
	bad |= json_object_set_new(root, "reasons", reasons);
	reasons = NULL;
	bad |= json_object_set_new(root, "qualifying_years",
	    num_or_null(o->has_service, o->qualifying_years));
	bad |= json_object_set_new(root, "band_percent", num_or_null(o->has_pay, o->band_percent));
	bad |= json_object_set_new(root, "entry_pay", num_or_null(o->has_pay, o->entry_pay));
	bad |= json_object_set_new(root, "additional", num_or_null(o->has_pay, o->additional));
	bad |= json_object_set_new(root, "consolidated",
	    num_or_null(o->has_pay, o->consolidated));
	bad |= json_object_set_new(root, "periods", periods);
	periods = NULL;
	if (bad)
		goto fail;
	return root;
fail:
	json_decref(reasons);
	json_decref(periods);
	json_decref(root);
	return NULL;
}

/* Strict reading of a case and writing of an outcome (API.md, "rules eval"). A malformed
 * case is refused with the field named, never guessed at; an absent or null field is not a
 * fault but "missing", which the rules turn into an incomplete outcome. */
#include "cases/rules_json.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/strict.h"

#define MAX_REMUNERATION	1000000000	/* rupees a month: anything above is a typo */

static enum rules_err
fail(char *err, size_t errlen, enum rules_err rc, const char *fmt, ...)
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

static const char *
type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number with a fraction";
	case JSON_TRUE: case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "?";
}

static enum rules_err
get_date(const json_t *v, const char *field, int32_t *out, char *err, size_t errlen)
{
	if (!json_is_string(v))
		return fail(err, errlen, RULES_EINVAL, "%s: expected a date \"YYYY-MM-DD\", got %s",
		    field, type_name(v));
	if (json_string_length(v) != 10 || strict_date(json_string_value(v), out) != 0)
		return fail(err, errlen, RULES_EINVAL,
		    "%s: not a date YYYY-MM-DD (1900-01-01..2199-12-31): \"%.32s\"", field,
		    json_string_value(v));
	return RULES_OK;
}

static enum rules_err
get_bool(const json_t *v, const char *field, bool *out, char *err, size_t errlen)
{
	if (!json_is_boolean(v))
		return fail(err, errlen, RULES_EINVAL, "%s: expected true, false or null, got %s",
		    field, type_name(v));
	*out = json_is_true(v);
	return RULES_OK;
}

static enum rules_err
get_int(const json_t *v, const char *field, int64_t min, int64_t max, int64_t *out,
    char *err, size_t errlen)
{
	json_int_t n;

	if (!json_is_integer(v))
		return fail(err, errlen, RULES_EINVAL, "%s: expected a whole number or null, got %s",
		    field, type_name(v));
	n = json_integer_value(v);
	if (n < min || n > max)
		return fail(err, errlen, RULES_EINVAL, "%s: %lld outside %lld-%lld", field,
		    (long long)n, (long long)min, (long long)max);
	*out = n;
	return RULES_OK;
}

static enum rules_err
parse_spell(const json_t *s, size_t idx, struct rules_spell *sp, char *err, size_t errlen)
{
	const char *key, *kind;
	const json_t *v;
	char field[48];
	bool has_from = false, has_to = false, has_kind = false;
	enum rules_err rc;

	if (!json_is_object(s))
		return fail(err, errlen, RULES_EINVAL, "spells[%zu]: expected an object, got %s", idx,
		    type_name(s));
	sp->organisation[0] = '\0';
	json_object_foreach((json_t *)s, key, v) {
		if (snprintf(field, sizeof(field), "spells[%zu].%.16s", idx, key) < 0)
			return RULES_EINVAL;
		if (strcmp(key, "from") == 0) {
			if ((rc = get_date(v, field, &sp->from, err, errlen)) != RULES_OK)
				return rc;
			has_from = true;
		} else if (strcmp(key, "to") == 0) {
			if (json_is_null(v))
				sp->to = RULES_OPEN;
			else if ((rc = get_date(v, field, &sp->to, err, errlen)) != RULES_OK)
				return rc;
			has_to = true;
		} else if (strcmp(key, "kind") == 0) {
			if (!json_is_string(v))
				return fail(err, errlen, RULES_EINVAL, "%s: expected a string, got %s",
				    field, type_name(v));
			kind = json_string_value(v);
			if (strcmp(kind, "contract") == 0)
				sp->kind = RULES_KIND_CONTRACT;
			else if (strcmp(kind, "hkrnl") == 0)
				sp->kind = RULES_KIND_HKRNL;
			else if (strcmp(kind, "hssc_regular") == 0)
				sp->kind = RULES_KIND_HSSC_REGULAR;
			else
				return fail(err, errlen, RULES_EINVAL, "%s: unknown spell kind \"%.32s\" "
				    "(contract, hkrnl or hssc_regular)", field, kind);
			has_kind = true;
		} else if (strcmp(key, "organisation") == 0 || strcmp(key, "post") == 0) {
			if (json_is_null(v))
				continue;
			if (!json_is_string(v))
				return fail(err, errlen, RULES_EINVAL, "%s: expected a string, got %s",
				    field, type_name(v));
			if (json_string_length(v) >= RULES_ORG_MAX)
				return fail(err, errlen, RULES_EINVAL, "%s: longer than %d bytes", field,
				    RULES_ORG_MAX - 1);
			if (key[0] == 'o')
				memcpy(sp->organisation, json_string_value(v), json_string_length(v) + 1);
		} else {
			return fail(err, errlen, RULES_EINVAL, "spells[%zu]: unknown field \"%.32s\"",
			    idx, key);
		}
	}
	if (!has_from || !has_to || !has_kind)
		return fail(err, errlen, RULES_EINVAL, "spells[%zu]: \"%s\" is required%s", idx,
		    !has_from ? "from" : !has_to ? "to" : "kind",
		    !has_to && has_from ? " (null when still in service)" : "");
	if (sp->to < sp->from)
		return fail(err, errlen, RULES_EINVAL, "spells[%zu]: \"to\" is before \"from\"", idx);
	return RULES_OK;
}

static enum rules_err
parse_unpaid(const json_t *u, size_t idx, struct rules_interval *iv, char *err,
    size_t errlen)
{
	const char *key;
	const json_t *v;
	char field[48];
	bool has_from = false, has_to = false;
	enum rules_err rc;

	if (!json_is_object(u))
		return fail(err, errlen, RULES_EINVAL, "unpaid[%zu]: expected an object, got %s", idx,
		    type_name(u));
	json_object_foreach((json_t *)u, key, v) {
		if (snprintf(field, sizeof(field), "unpaid[%zu].%.16s", idx, key) < 0)
			return RULES_EINVAL;
		if (strcmp(key, "from") == 0) {
			if ((rc = get_date(v, field, &iv->from, err, errlen)) != RULES_OK)
				return rc;
			has_from = true;
		} else if (strcmp(key, "to") == 0) {
			if ((rc = get_date(v, field, &iv->to, err, errlen)) != RULES_OK)
				return rc;
			has_to = true;
		} else {
			return fail(err, errlen, RULES_EINVAL, "unpaid[%zu]: unknown field \"%.32s\"",
			    idx, key);
		}
	}
	if (!has_from || !has_to)
		return fail(err, errlen, RULES_EINVAL, "unpaid[%zu]: \"%s\" is required", idx,
		    !has_from ? "from" : "to");
	if (iv->to < iv->from)
		return fail(err, errlen, RULES_EINVAL, "unpaid[%zu]: \"to\" is before \"from\"", idx);
	return RULES_OK;
}

static enum rules_err
parse_spells(const json_t *v, struct rules_case *c, char *err, size_t errlen)
{
	size_t i, n;
	enum rules_err rc;

	if (!json_is_array(v))
		return fail(err, errlen, RULES_EINVAL, "spells: expected an array or null, got %s",
		    type_name(v));
	if ((n = json_array_size(v)) > RULES_MAX_SPELLS)
		return fail(err, errlen, RULES_ETOOMANY, "spells: %zu spells, at most %d", n,
		    RULES_MAX_SPELLS);
	for (i = 0; i < n; i++)
		if ((rc = parse_spell(json_array_get(v, i), i, &c->spells[i], err, errlen)) != 0)
			return rc;
	c->nspells = n;
	return RULES_OK;
}

static enum rules_err
parse_unpaid_list(const json_t *v, struct rules_case *c, char *err, size_t errlen)
{
	size_t i, n;
	enum rules_err rc;

	if (!json_is_array(v))
		return fail(err, errlen, RULES_EINVAL, "unpaid: expected an array or null, got %s",
		    type_name(v));
	if ((n = json_array_size(v)) > RULES_MAX_UNPAID)
		return fail(err, errlen, RULES_ETOOMANY, "unpaid: %zu intervals, at most %d", n,
		    RULES_MAX_UNPAID);
	for (i = 0; i < n; i++)
		if ((rc = parse_unpaid(json_array_get(v, i), i, &c->unpaid[i], err, errlen)) != 0)
			return rc;
	c->nunpaid = n;
	return RULES_OK;
}

/* One top-level field; v is not null. */
static enum rules_err
parse_field(const char *key, const json_t *v, struct rules_case *c, char *err,
    size_t errlen)
{
	enum rules_err rc;
	int64_t n;
	enum rules_field f;
	const char *s;

	if (strcmp(key, "dob") == 0) {
		f = RULES_F_DOB;
		rc = get_date(v, key, &c->dob, err, errlen);
	} else if (strcmp(key, "engagement_mode") == 0) {
		f = RULES_F_ENGAGEMENT_MODE;
		rc = RULES_OK;
		if (!json_is_string(v))
			return fail(err, errlen, RULES_EINVAL, "%s: expected \"direct\", \"hkrnl\" or "
			    "null, got %s", key, type_name(v));
		s = json_string_value(v);
		if (strcmp(s, "direct") == 0)
			c->engagement_mode = RULES_MODE_DIRECT;
		else if (strcmp(s, "hkrnl") == 0)
			c->engagement_mode = RULES_MODE_HKRNL;
		else
			return fail(err, errlen, RULES_EINVAL, "%s: unknown mode \"%.32s\" (direct or "
			    "hkrnl)", key, s);
	} else if (strcmp(key, "monthly_remuneration") == 0) {
		f = RULES_F_MONTHLY_REMUNERATION;
		rc = get_int(v, key, 0, MAX_REMUNERATION, &c->monthly_remuneration, err, errlen);
	} else if (strcmp(key, "centrally_sponsored") == 0) {
		f = RULES_F_CENTRALLY_SPONSORED;
		rc = get_bool(v, key, &c->centrally_sponsored, err, errlen);
	} else if (strcmp(key, "part_time") == 0) {
		f = RULES_F_PART_TIME;
		rc = get_bool(v, key, &c->part_time, err, errlen);
	} else if (strcmp(key, "marriage_clause") == 0) {
		f = RULES_F_MARRIAGE_CLAUSE;
		rc = get_bool(v, key, &c->marriage_clause, err, errlen);
	} else if (strcmp(key, "marriage_exemption") == 0) {
		f = RULES_F_MARRIAGE_EXEMPTION;
		rc = get_bool(v, key, &c->marriage_exemption, err, errlen);
	} else if (strcmp(key, "pay_level") == 0) {
		f = RULES_F_PAY_LEVEL;
		if ((rc = get_int(v, key, 1, RULES_LEVELS, &n, err, errlen)) == RULES_OK)
			c->pay_level = (int)n;
	} else if (strcmp(key, "spells") == 0) {
		f = RULES_F_SPELLS;
		rc = parse_spells(v, c, err, errlen);
	} else if (strcmp(key, "unpaid") == 0) {
		return parse_unpaid_list(v, c, err, errlen);
	} else {
		return fail(err, errlen, RULES_EINVAL, "unknown field \"%.32s\"", key);
	}
	if (rc == RULES_OK)
		c->present |= 1u << f;
	return rc;
}

static const char *const known_fields[] = {
	"dob", "engagement_mode", "monthly_remuneration", "centrally_sponsored", "part_time",
	"marriage_clause", "marriage_exemption", "pay_level", "spells", "unpaid",
};

static bool
is_known(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(known_fields) / sizeof(known_fields[0]); i++)
		if (strcmp(key, known_fields[i]) == 0)
			return true;
	return false;
}

enum rules_err
rules_case_from_jansson(const json_t *obj, struct rules_case *c, char *err, size_t errlen)
{
	const char *key;
	const json_t *v;
	enum rules_err rc;

	c->present = 0;
	c->nspells = 0;
	c->nunpaid = 0;
	c->marriage_exemption = false;
	if (!json_is_object(obj))
		return fail(err, errlen, RULES_EINVAL, "expected a JSON object, got %s",
		    type_name(obj));
	json_object_foreach((json_t *)obj, key, v) {
		if (json_is_null(v)) {
			/* null is "missing" for the rules, but only for a field that exists. */
			if (!is_known(key))
				return fail(err, errlen, RULES_EINVAL, "unknown field \"%.32s\"", key);
			continue;
		}
		if ((rc = parse_field(key, v, c, err, errlen)) != RULES_OK)
			return rc;
	}
	return RULES_OK;
}

enum rules_err
rules_case_from_json(const char *text, size_t len, struct rules_case *c, char *err,
    size_t errlen)
{
	json_error_t je;
	json_t *root;
	enum rules_err rc;

	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL)
		return fail(err, errlen, RULES_EINVAL, "not valid JSON: %s (line %d, column %d)",
		    je.text, je.line, je.column);
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

/* rules_case_from_json: a strict JSON scanner for exactly the shape of a case, straight
 * into struct rules_case without building a tree. Parsing through jansson cost about three
 * quarters of `rules eval --batch` (a hash table and allocations per object, one per
 * string); this does none. It accepts what RFC 8259 and jansson (with
 * JSON_REJECT_DUPLICATES) accept and nothing else: UTF-8 checked, no raw control
 * characters, no \u0000, surrogates paired, integers within int64, no trailing bytes.
 * Since every key must be known and every known key has one shape, a nested value where a
 * scalar is due is refused on sight instead of being skipped. The meaning of each field is
 * in rules_jv.h, shared with the jansson reader; the unit tests run both readers over the
 * same inputs (and mutations of them) and require the same verdict. */
#include "cases/rules_json.h"

#include <string.h>

#include "cases/rules_jv.h"

#define STR_CAP	256	/* string values: longer ones are measured, not kept */
#define KEY_CAP	64	/* keys: a longer key is unknown anyway */

struct scan {
	const char	*p;
	const char	*end;
	const char	*start;
	char		*err;
	size_t		 errlen;
	char		 str[STR_CAP];
	char		 key[KEY_CAP];
};

static enum rules_err
syntax(struct scan *s, const char *what)
{
	return rules_jv_fail(s->err, s->errlen, RULES_EINVAL, "not valid JSON: %s (byte %zu)",
	    what, (size_t)(s->p - s->start) + 1);
}

static void
ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' ||
	    *s->p == '\t'))
		s->p++;
}

static int
hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* A UTF-8 sequence starting at p (first byte >= 0x80): its length, or 0 when invalid. */
static size_t
utf8_len(const unsigned char *p, const unsigned char *end)
{
	static const unsigned least[] = { 0, 0, 0x80, 0x800, 0x10000 };
	unsigned cp;
	size_t need, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		need = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		need = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		need = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	if ((size_t)(end - p) < need)
		return 0;
	for (i = 1; i < need; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if (cp < least[need] || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return need;
}

/* A decoded string: bytes kept while they fit (one byte left for the NUL), all counted. */
struct sout {
	char	*out;
	size_t	 cap;
	size_t	 n;
};

static void
put(struct sout *o, unsigned c)
{
	if (o->n + 1 < o->cap)
		o->out[o->n] = (char)c;
	o->n++;
}

static void
put_utf8(struct sout *o, unsigned cp)
{
	if (cp < 0x80) {
		put(o, cp);
	} else if (cp < 0x800) {
		put(o, 0xc0 | (cp >> 6));
		put(o, 0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		put(o, 0xe0 | (cp >> 12));
		put(o, 0x80 | ((cp >> 6) & 0x3f));
		put(o, 0x80 | (cp & 0x3f));
	} else {
		put(o, 0xf0 | (cp >> 18));
		put(o, 0x80 | ((cp >> 12) & 0x3f));
		put(o, 0x80 | ((cp >> 6) & 0x3f));
		put(o, 0x80 | (cp & 0x3f));
	}
}

/* An escape at s->p (on the backslash), decoded into o; s->p moves past it. */
static enum rules_err
scan_escape(struct scan *s, struct sout *o)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *p = s->p, *hit;
	unsigned cp, lo;

	if (s->end - p < 2)
		return syntax(s, "unterminated string");
	if (p[1] != 'u') {
		if (p[1] == '\0' || (hit = strchr(from, p[1])) == NULL)
			return syntax(s, "invalid escape in a string");
		put(o, (unsigned char)to[hit - from]);
		s->p += 2;
		return RULES_OK;
	}
	if (s->end - p < 6 || hex4(p + 2, &cp) != 0)
		return syntax(s, "invalid \\u escape");
	if (cp == 0)
		return syntax(s, "\\u0000 is not allowed");
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return syntax(s, "invalid Unicode (lone low surrogate)");
	p += 6;
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (s->end - p < 6 || p[0] != '\\' || p[1] != 'u' || hex4(p + 2, &lo) != 0 ||
		    lo < 0xdc00 || lo > 0xdfff)
			return syntax(s, "invalid Unicode (unpaired high surrogate)");
		p += 6;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	put_utf8(o, cp);
	s->p = p;
	return RULES_OK;
}

/* A string at s->p (on its opening quote) into out (cap bytes, NUL-terminated, cut when
 * longer); *len gets its whole decoded length. */
static enum rules_err
scan_string(struct scan *s, char *out, size_t cap, size_t *len)
{
	struct sout o = { out, cap, 0 };
	enum rules_err rc;
	size_t k;

	s->p++;
	for (;;) {
		const unsigned char *p = (const unsigned char *)s->p;

		if (s->p >= s->end)
			return syntax(s, "unterminated string");
		if (*p == '"')
			break;
		if (*p < 0x20)
			return syntax(s, "control character in a string");
		if (*p == '\\') {
			if ((rc = scan_escape(s, &o)) != RULES_OK)
				return rc;
		} else if (*p < 0x80) {
			put(&o, *p);
			s->p++;
		} else {
			if ((k = utf8_len(p, (const unsigned char *)s->end)) == 0)
				return syntax(s, "invalid UTF-8 in a string");
			s->p += k;
			while (k-- > 0)
				put(&o, *p++);
		}
	}
	out[o.n < cap ? o.n : cap - 1] = '\0';
	*len = o.n;
	s->p++;
	return RULES_OK;
}

static bool
is_digit(const char *p, const char *end)
{
	return p < end && *p >= '0' && *p <= '9';
}

static enum rules_err
scan_number(struct scan *s, struct rules_jv *v)
{
	const char *p = s->p, *end = s->end;
	bool neg = false, real = false;
	uint64_t acc = 0, limit;

	if (*p == '-') {
		neg = true;
		p++;
	}
	if (!is_digit(p, end))
		return syntax(s, "invalid number");
	if (*p == '0') {
		p++;
	} else {
		limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
		while (is_digit(p, end)) {
			unsigned d = (unsigned)(*p - '0');

			if (acc > (limit - d) / 10)
				return syntax(s, "integer too big");
			acc = acc * 10 + d;
			p++;
		}
	}
	if (p < end && *p == '.') {
		p++;
		if (!is_digit(p, end))
			return syntax(s, "invalid number");
		while (is_digit(p, end))
			p++;
		real = true;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (!is_digit(p, end))
			return syntax(s, "invalid number");
		while (is_digit(p, end))
			p++;
		real = true;
	}
	s->p = p;
	v->s = "";
	v->len = 0;
	if (real) {
		v->kind = RULES_J_REAL;
		v->i = 0;
	} else {
		v->kind = RULES_J_INT;
		v->i = neg ? (int64_t)(0 - acc) : (int64_t)acc;
	}
	return RULES_OK;
}

static bool
literal(struct scan *s, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
		return false;
	s->p += n;
	return true;
}

/* One value at s->p (after blanks). Objects and arrays are reported, not consumed: where
 * one is expected, the caller walks it; anywhere else it is a fault of type. */
static enum rules_err
scan_value(struct scan *s, struct rules_jv *v)
{
	v->s = "";
	v->len = 0;
	v->i = 0;
	if (s->p >= s->end)
		return syntax(s, "unexpected end of input");
	switch (*s->p) {
	case '"':
		v->kind = RULES_J_STRING;
		v->s = s->str;
		return scan_string(s, s->str, sizeof(s->str), &v->len);
	case '{':
		v->kind = RULES_J_OBJECT;
		return RULES_OK;
	case '[':
		v->kind = RULES_J_ARRAY;
		return RULES_OK;
	case 't':
		v->kind = RULES_J_TRUE;
		return literal(s, "true") ? RULES_OK : syntax(s, "invalid token");
	case 'f':
		v->kind = RULES_J_FALSE;
		return literal(s, "false") ? RULES_OK : syntax(s, "invalid token");
	case 'n':
		v->kind = RULES_J_NULL;
		return literal(s, "null") ? RULES_OK : syntax(s, "invalid token");
	default:
		if (*s->p == '-' || (*s->p >= '0' && *s->p <= '9'))
			return scan_number(s, v);
		return syntax(s, "unexpected character");
	}
}

/* A key and its colon; *k = lookup(key) or -1. s->p on the opening quote. */
static enum rules_err
scan_key(struct scan *s, int (*lookup)(const char *, size_t), int *k)
{
	size_t len;
	enum rules_err rc;

	if (s->p >= s->end || *s->p != '"')
		return syntax(s, "expected a key in quotes");
	if ((rc = scan_string(s, s->key, sizeof(s->key), &len)) != RULES_OK)
		return rc;
	*k = len < sizeof(s->key) ? lookup(s->key, len) : -1;
	ws(s);
	if (s->p >= s->end || *s->p != ':')
		return syntax(s, "expected ':'");
	s->p++;
	ws(s);
	return RULES_OK;
}

/* After a member: ',' (another follows: 1) or the closing character (done: 0). */
static enum rules_err
scan_next(struct scan *s, char close, int *more)
{
	ws(s);
	if (s->p < s->end && *s->p == ',') {
		s->p++;
		ws(s);
		*more = 1;
		return RULES_OK;
	}
	if (s->p < s->end && *s->p == close) {
		s->p++;
		*more = 0;
		return RULES_OK;
	}
	return syntax(s, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
}

static enum rules_err
duplicate(struct scan *s)
{
	return rules_jv_fail(s->err, s->errlen, RULES_EINVAL,
	    "not valid JSON: duplicate object key \"%.32s\" (byte %zu)", s->key,
	    (size_t)(s->p - s->start));
}

/* One element of spells (list 0) or unpaid (list 1), at s->p. */
static enum rules_err
scan_element(struct scan *s, struct rules_case *c, int list, size_t idx)
{
	struct rules_jv v;
	unsigned seen = 0;
	enum rules_err rc;
	int k, more = 1;

	if ((rc = scan_value(s, &v)) != RULES_OK)
		return rc;
	rc = list == 0 ? rules_jv_spell_start(idx, &v, s->err, s->errlen) :
	    rules_jv_unpaid_start(idx, &v, s->err, s->errlen);
	if (rc != RULES_OK)
		return rc;
	s->p++;	/* '{' */
	ws(s);
	if (s->p < s->end && *s->p == '}') {
		s->p++;
		more = 0;
	}
	while (more) {
		if ((rc = scan_key(s, list == 0 ? rules_jv_spell_key : rules_jv_unpaid_key,
		    &k)) != RULES_OK)
			return rc;
		if (k < 0)
			return rules_jv_fail(s->err, s->errlen, RULES_EINVAL,
			    "%s[%zu]: unknown field \"%.32s\"", list == 0 ? "spells" : "unpaid", idx,
			    s->key);
		if (seen & (1u << k))
			return duplicate(s);
		if ((rc = scan_value(s, &v)) != RULES_OK)
			return rc;
		rc = list == 0 ?
		    rules_jv_set_spell(&c->spells[idx], idx, k, &v, s->err, s->errlen) :
		    rules_jv_set_unpaid(&c->unpaid[idx], idx, k, &v, s->err, s->errlen);
		if (rc != RULES_OK)
			return rc;
		seen |= 1u << k;
		if ((rc = scan_next(s, '}', &more)) != RULES_OK)
			return rc;
	}
	return list == 0 ?
	    rules_jv_end_spell(&c->spells[idx], idx, seen, s->err, s->errlen) :
	    rules_jv_end_unpaid(&c->unpaid[idx], idx, seen, s->err, s->errlen);
}

static enum rules_err
scan_list(struct scan *s, struct rules_case *c, int list)
{
	size_t n = 0;
	enum rules_err rc;
	int more = 1;

	s->p++;	/* '[' */
	ws(s);
	if (s->p < s->end && *s->p == ']') {
		s->p++;
		more = 0;
	}
	while (more) {
		if ((rc = scan_element(s, c, list, n)) != RULES_OK)
			return rc;
		n++;
		if ((rc = scan_next(s, ']', &more)) != RULES_OK)
			return rc;
	}
	if (list == 0) {
		c->nspells = n;
		c->present |= 1u << RULES_F_SPELLS;
	} else {
		c->nunpaid = n;
	}
	return RULES_OK;
}

enum rules_err
rules_case_from_json(const char *text, size_t len, struct rules_case *c, char *err,
    size_t errlen)
{
	struct scan s;
	struct rules_jv v;
	unsigned seen = 0;
	enum rules_err rc;
	int k, more = 1;

	s.p = s.start = text;
	s.end = text + len;
	s.err = err;
	s.errlen = errlen;
	rules_jv_begin(c);
	ws(&s);
	if ((rc = scan_value(&s, &v)) != RULES_OK)
		return rc;
	if (v.kind != RULES_J_OBJECT)
		return rules_jv_fail(err, errlen, RULES_EINVAL, "expected a JSON object, got %s",
		    rules_jv_type_name(v.kind));
	s.p++;
	ws(&s);
	if (s.p < s.end && *s.p == '}') {
		s.p++;
		more = 0;
	}
	while (more) {
		if ((rc = scan_key(&s, rules_jv_top_key, &k)) != RULES_OK)
			return rc;
		if (k < 0)
			return rules_jv_fail(err, errlen, RULES_EINVAL, "unknown field \"%.32s\"",
			    s.key);
		if (seen & (1u << k))
			return duplicate(&s);
		seen |= 1u << k;
		if ((rc = scan_value(&s, &v)) != RULES_OK)
			return rc;
		if (v.kind == RULES_J_ARRAY && k == RULES_JK_SPELLS)
			rc = scan_list(&s, c, 0);
		else if (v.kind == RULES_J_ARRAY && k == RULES_JK_UNPAID)
			rc = scan_list(&s, c, 1);
		else
			rc = rules_jv_set_top(c, k, &v, err, errlen);
		if (rc != RULES_OK)
			return rc;
		if ((rc = scan_next(&s, '}', &more)) != RULES_OK)
			return rc;
	}
	ws(&s);
	if (s.p != s.end)
		return syntax(&s, "unexpected bytes after the object");
	return RULES_OK;
}

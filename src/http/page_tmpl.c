/* The page template engine and message catalogues (page_tmpl.h has the syntax). Escaping
 * is decided by the tag, never by the value: a handler cannot put raw HTML in a page
 * except through {{{...}}}, which only the layout uses for the rendered body. */
#include "http/page_tmpl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fsx.h"

#define DEPTH_MAX	16	/* nested scopes */
#define TAG_MAX		128	/* bytes inside one tag */

static int
msg_cmp(const void *a, const void *b)
{
	return strcmp(((const struct page_msg *)a)->key, ((const struct page_msg *)b)->key);
}

static char *
trim(char *s, char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	*end = '\0';
	return s;
}

int
page_cat_parse(struct page_cat *c, const char *text, size_t len, char *err, size_t errlen)
{
	char *p, *line, *nl, *eq;
	size_t cap = 0, lineno = 0, i;

	memset(c, 0, sizeof(*c));
	if ((c->data = malloc(len + 1)) == NULL)
		goto nomem;
	memcpy(c->data, text, len);
	c->data[len] = '\0';
	if (strlen(c->data) != len) {
		snprintf(err, errlen, "the catalogue holds a NUL byte");
		return -1;
	}
	for (p = c->data; *p != '\0'; p = nl) {
		lineno++;
		line = p;
		if ((nl = strchr(p, '\n')) != NULL)
			*nl++ = '\0';
		else
			nl = p + strlen(p);
		line = trim(line, line + strlen(line));
		if (*line == '\0' || *line == '#')
			continue;
		if ((eq = strchr(line, '=')) == NULL) {
			snprintf(err, errlen, "line %zu has no '='", lineno);
			return -1;
		}
		*eq = '\0';
		if (c->n == cap) {
			struct page_msg *m;

			cap = cap ? cap * 2 : 128;
			if ((m = realloc(c->msgs, cap * sizeof(*m))) == NULL)
				goto nomem;
			c->msgs = m;
		}
		c->msgs[c->n].key = trim(line, eq);
		c->msgs[c->n].text = trim(eq + 1, eq + 1 + strlen(eq + 1));
		if (c->msgs[c->n].key[0] == '\0') {
			snprintf(err, errlen, "line %zu has no key", lineno);
			return -1;
		}
		c->n++;
	}
	if (c->n > 0)
		qsort(c->msgs, c->n, sizeof(*c->msgs), msg_cmp);
	for (i = 1; i < c->n; i++)
		if (strcmp(c->msgs[i - 1].key, c->msgs[i].key) == 0) {
			snprintf(err, errlen, "the key '%s' appears twice", c->msgs[i].key);
			return -1;
		}
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

int
page_cat_load(struct page_cat *c, const char *path, char *err, size_t errlen)
{
	struct buf b;
	char why[160];
	int rc;

	memset(c, 0, sizeof(*c));
	buf_init(&b, PAGE_CAT_MAX);
	if (fsx_read(path, &b) != 0) {
		snprintf(err, errlen, "%s: cannot read it (missing or over %d bytes)", path,
		    PAGE_CAT_MAX);
		buf_free(&b);
		return -1;
	}
	rc = page_cat_parse(c, buf_str(&b), b.len, why, sizeof(why));
	if (rc != 0)
		snprintf(err, errlen, "%s: %s", path, why);
	buf_free(&b);
	return rc;
}

void
page_cat_free(struct page_cat *c)
{
	free(c->data);
	free(c->msgs);
	memset(c, 0, sizeof(*c));
}

const char *
page_cat_get(const struct page_cat *c, const char *key)
{
	struct page_msg k = { key, NULL }, *m;

	if (c == NULL || c->n == 0)
		return NULL;
	m = bsearch(&k, c->msgs, c->n, sizeof(*c->msgs), msg_cmp);
	return m ? m->text : NULL;
}

const char *
page_msgs_get(const struct page_msgs *m, const char *key)
{
	const char *t = NULL;

	if (m == NULL)
		return NULL;
	if (m->lang != NULL)
		t = page_cat_get(m->lang, key);
	if (t == NULL && m->fallback != NULL)
		t = page_cat_get(m->fallback, key);
	return t;
}

int
page_html_escape(struct buf *out, const char *s)
{
	const char *run = s;
	int rc = 0;

	for (; *s != '\0' && rc == 0; s++) {
		const char *ent;

		switch (*s) {
		case '&': ent = "&amp;"; break;
		case '<': ent = "&lt;"; break;
		case '>': ent = "&gt;"; break;
		case '"': ent = "&quot;"; break;
		case '\'': ent = "&#39;"; break;
		default: continue;
		}
		rc = buf_append(out, run, (size_t)(s - run));
		if (rc == 0)
			rc = buf_puts(out, ent);
		run = s + 1;
	}
	if (rc == 0)
		rc = buf_append(out, run, strlen(run));
	return rc;
}

int
page_url_escape(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		char enc[3] = { '%', hex[c >> 4], hex[c & 15] };

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			if (buf_append(out, s, 1) != 0)
				return -1;
		} else if (buf_append(out, enc, 3) != 0)
			return -1;
	}
	return 0;
}

/* The rendering state: the scope stack and where to report. */
struct render {
	json_t			*scope[DEPTH_MAX];
	size_t			 depth;
	const struct page_msgs	*msgs;
	struct buf		*out;
	char			*err;
	size_t			 errlen;
};

static json_t *
lookup_in(json_t *v, const char *path)
{
	char seg[TAG_MAX];
	const char *dot;
	size_t n;

	while (v != NULL && *path != '\0') {
		dot = strchr(path, '.');
		n = dot ? (size_t)(dot - path) : strlen(path);
		if (n == 0 || n >= sizeof(seg) || !json_is_object(v))
			return NULL;
		memcpy(seg, path, n);
		seg[n] = '\0';
		v = json_object_get(v, seg);
		path += n + (dot != NULL);
	}
	return v;
}

static json_t *
lookup(struct render *rs, const char *path)
{
	size_t i, n = strcspn(path, ".");
	char first[TAG_MAX];

	if (strcmp(path, ".") == 0)
		return rs->scope[rs->depth - 1];
	if (n >= sizeof(first))
		return NULL;
	memcpy(first, path, n);
	first[n] = '\0';
	/* the innermost scope that has the first segment decides */
	for (i = rs->depth; i-- > 0;)
		if (json_is_object(rs->scope[i]) && json_object_get(rs->scope[i], first) != NULL)
			return lookup_in(rs->scope[i], path);
	return NULL;
}

static int
truthy(json_t *v)
{
	if (v == NULL || json_is_null(v) || json_is_false(v))
		return 0;
	if (json_is_string(v))
		return json_string_length(v) > 0;
	if (json_is_integer(v))
		return json_integer_value(v) != 0;
	if (json_is_real(v))
		return json_real_value(v) != 0;
	if (json_is_array(v))
		return json_array_size(v) > 0;
	return 1;
}

/* The value as text in tmp; "" for what has no text form. */
static const char *
text_of(json_t *v, char *tmp, size_t tmplen)
{
	tmp[0] = '\0';
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v))
		snprintf(tmp, tmplen, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(tmp, tmplen, "%g", json_real_value(v));
	else if (json_is_true(v))
		snprintf(tmp, tmplen, "true");
	return tmp;
}

static int
fail(struct render *rs, const char *what, const char *tag)
{
	snprintf(rs->err, rs->errlen, "%s: {{%.60s}}", what, tag);
	return -1;
}

/* Finds the tag after p: its inside in tag, the text before it ends at *open, the text
 * after it starts at *next. 0 found, 1 none, -1 malformed (raw set for triple braces). */
static int
next_tag(const char *p, const char *end, const char **open, const char **next, char *tag,
    int *raw)
{
	const char *s, *e;
	size_t n;

	for (s = p; s + 1 < end; s++)
		if (s[0] == '{' && s[1] == '{')
			break;
	if (s + 1 >= end)
		return 1;
	*open = s;
	*raw = s + 2 < end && s[2] == '{';
	s += *raw ? 3 : 2;
	for (e = s; e + 1 < end; e++)
		if (e[0] == '}' && e[1] == '}')
			break;
	if (e + 1 >= end || (*raw && (e + 2 >= end || e[2] != '}')))
		return -1;
	n = (size_t)(e - s);
	while (n > 0 && *s == ' ')
		s++, n--;
	while (n > 0 && s[n - 1] == ' ')
		n--;
	if (n > 0 && *s == '!' && !*raw) {
		/* a comment: any length, nothing kept */
		snprintf(tag, TAG_MAX, "!");
		*next = e + 2;
		return 0;
	}
	if (n == 0 || n >= TAG_MAX)
		return -1;
	memcpy(tag, s, n);
	tag[n] = '\0';
	*next = e + (*raw ? 3 : 2);
	return 0;
}

/* For a section opened just before p: where its {{else}} (if any, at its own depth) and its
 * closing tag begin, and where the text after the closing tag starts. */
static int
section_end(const char *p, const char *end, const char *name, const char **else_at,
    const char **else_next, const char **close_at, const char **after)
{
	char tag[TAG_MAX], want[TAG_MAX];
	const char *open, *next;
	int depth = 0, raw, rc;

	*else_at = NULL;
	snprintf(want, sizeof(want), "/%s", name);
	while ((rc = next_tag(p, end, &open, &next, tag, &raw)) == 0) {
		if (tag[0] == '#')
			depth++;
		else if (tag[0] == '/' && depth > 0)
			depth--;
		else if (tag[0] == '/') {
			if (strcmp(tag, want) != 0)
				return -1;
			*close_at = open;
			*after = next;
			return 0;
		} else if (depth == 0 && strcmp(tag, "else") == 0) {
			*else_at = open;
			*else_next = next;
		}
		p = next;
	}
	return -1;
}

static int render_span(struct render *rs, const char *p, const char *end);

static int
emit_value(struct render *rs, const char *tag, int raw)
{
	char tmp[64];
	const char *s;
	json_t *v;

	if (strncmp(tag, "t ", 2) == 0) {
		if ((s = page_msgs_get(rs->msgs, tag + 2)) == NULL)
			s = tag + 2;	/* a missing text shows its key, to be noticed */
		return page_html_escape(rs->out, s);
	}
	if (strncmp(tag, "tv ", 3) == 0) {
		v = lookup(rs, tag + 3);
		if (!json_is_string(v))
			return 0;
		if ((s = page_msgs_get(rs->msgs, json_string_value(v))) == NULL)
			s = json_string_value(v);
		return page_html_escape(rs->out, s);
	}
	if (strncmp(tag, "u ", 2) == 0) {
		struct buf enc;
		int rc;

		buf_init(&enc, 16 * 1024);
		rc = page_url_escape(&enc, text_of(lookup(rs, tag + 2), tmp, sizeof(tmp)));
		if (rc == 0)
			rc = page_html_escape(rs->out, buf_str(&enc));
		buf_free(&enc);
		return rc;
	}
	s = text_of(lookup(rs, tag), tmp, sizeof(tmp));
	return raw ? buf_puts(rs->out, s) : page_html_escape(rs->out, s);
}

static int
render_section(struct render *rs, const char *tag, const char *body, const char *end,
    const char **after)
{
	const char *else_at, *else_next = NULL, *close_at, *name = tag + 1, *path;
	char kind[16];
	size_t n = strcspn(name, " "), i;
	json_t *v;
	int yes;

	if (n == 0 || n >= sizeof(kind) || name[n] != ' ')
		return fail(rs, "a section needs a kind and a value", tag);
	memcpy(kind, name, n);
	kind[n] = '\0';
	path = name + n + 1;
	if (section_end(body, end, kind, &else_at, &else_next, &close_at, after) != 0)
		return fail(rs, "section not closed", tag);
	v = lookup(rs, path);
	if (strcmp(kind, "if") == 0 || strcmp(kind, "unless") == 0) {
		yes = truthy(v) == (kind[0] == 'i');
		if (yes)
			return render_span(rs, body, else_at ? else_at : close_at);
		return else_at ? render_span(rs, else_next, close_at) : 0;
	}
	if (strcmp(kind, "each") != 0 || else_at != NULL)
		return fail(rs, "unknown section", tag);
	if (!json_is_array(v))
		return 0;
	if (rs->depth >= DEPTH_MAX)
		return fail(rs, "sections nested too deep", tag);
	for (i = 0; i < json_array_size(v); i++) {
		int rc;

		rs->scope[rs->depth++] = json_array_get(v, i);
		rc = render_span(rs, body, close_at);
		rs->depth--;
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
render_span(struct render *rs, const char *p, const char *end)
{
	char tag[TAG_MAX];
	const char *open, *next;
	int raw, rc;

	while ((rc = next_tag(p, end, &open, &next, tag, &raw)) == 0) {
		if (buf_append(rs->out, p, (size_t)(open - p)) != 0)
			return fail(rs, "page too large", tag);
		p = next;
		if (tag[0] == '!')
			continue;
		if (tag[0] == '#' && !raw) {
			if (render_section(rs, tag, next, end, &p) != 0)
				return -1;
			continue;
		}
		if (tag[0] == '/' || strcmp(tag, "else") == 0)
			return fail(rs, "unexpected", tag);
		if (emit_value(rs, tag, raw) != 0)
			return fail(rs, "page too large", tag);
	}
	if (rc < 0)
		return fail(rs, "malformed tag near", p);
	if (buf_append(rs->out, p, (size_t)(end - p)) != 0)
		return fail(rs, "page too large", "end");
	return 0;
}

int
page_tmpl_render(const char *src, size_t len, json_t *ctx, const struct page_msgs *m,
    struct buf *out, char *err, size_t errlen)
{
	struct render rs;

	memset(&rs, 0, sizeof(rs));
	rs.scope[0] = ctx;
	rs.depth = 1;
	rs.msgs = m;
	rs.out = out;
	rs.err = err;
	rs.errlen = errlen;
	return render_span(&rs, src, src + len);
}

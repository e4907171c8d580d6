/* PDF validation with qpdf: the file must parse without recovery and without a single
 * warning (qpdf otherwise "repairs" damaged files silently), must not be encrypted, must
 * start at %PDF- and end at %%EOF, and must hold no active content in any object, object
 * streams included. Names reach us decoded by qpdf, so "/J#61vaScript" is "/JavaScript"
 * here: we walk parsed objects rather than grep bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <qpdf/qpdf-c.h>

#include "intake/intake_int.h"

/* Dictionary keys that mean scripts, automatic actions, forms that post data, or files
 * carried inside the PDF. Their mere presence refuses the file. */
static const char *const bad_keys[] = {
	"/JavaScript", "/JS", "/AA", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/EF",
	"/RichMedia", "/RichMediaContent", "/RichMediaSettings", "/XFA", "/SubmitForm",
	"/ImportData", "/GoToR", "/GoToE",
};

/* Name values that mark the same things as a type (/S /JavaScript, /Type /EmbeddedFile,
 * /Subtype /RichMedia, /Subtype /FileAttachment). */
static const char *const bad_names[] = {
	"/JavaScript", "/JS", "/Launch", "/SubmitForm", "/ImportData", "/GoToR", "/GoToE",
	"/EmbeddedFile", "/EmbeddedFiles", "/FileAttachment", "/RichMedia",
	"/RichMediaExecute", "/Rendition", "/XFA",
};

/* Visiting a pathological file must stay bounded in time and memory. */
#define PDF_MAX_NODES_PER_OBJECT 64u
#define PDF_MAX_STACK (1u << 22)

struct walk {
	qpdf_data	 q;
	qpdf_oh		*stack;
	size_t		 n, cap;
	uint64_t	*seen;		/* open addressing set of (id << 16 | gen) + 1 */
	size_t		 seen_n, seen_cap;
	uint64_t	 nodes, max_nodes;
	char		 why[128];
};

static int
in_list(const char *s, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

static int
push(struct walk *w, qpdf_oh oh)
{
	qpdf_oh *ns;
	size_t nc;

	if (w->n == w->cap) {
		if (w->cap >= PDF_MAX_STACK)
			return -1;
		nc = w->cap ? w->cap * 2 : 1024;
		ns = realloc(w->stack, nc * sizeof(*ns));
		if (ns == NULL)
			return -1;
		w->stack = ns;
		w->cap = nc;
	}
	w->stack[w->n++] = oh;
	return 0;
}

static uint64_t
mix(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return k;
}

/* 1 when the object was already visited, 0 when newly marked, -1 out of memory. */
static int
seen_mark(struct walk *w, int id, int gen)
{
	uint64_t key = (((uint64_t)(uint32_t)id << 16) | (uint16_t)gen) + 1;
	uint64_t *ns;
	size_t i, nc, j;

	if ((w->seen_n + 1) * 2 > w->seen_cap) {
		nc = w->seen_cap ? w->seen_cap * 2 : 4096;
		ns = calloc(nc, sizeof(*ns));
		if (ns == NULL)
			return -1;
		for (j = 0; j < w->seen_cap; j++) {
			if (w->seen[j] == 0)
				continue;
			for (i = mix(w->seen[j]) & (nc - 1); ns[i] != 0; i = (i + 1) & (nc - 1))
				;
			ns[i] = w->seen[j];
		}
		free(w->seen);
		w->seen = ns;
		w->seen_cap = nc;
	}
	for (i = mix(key) & (w->seen_cap - 1); w->seen[i] != 0; i = (i + 1) & (w->seen_cap - 1))
		if (w->seen[i] == key)
			return 1;
	w->seen[i] = key;
	w->seen_n++;
	return 0;
}

/* True when the stream dictionary says /Subtype /Image. */
static int
is_image_stream(qpdf_data q, qpdf_oh dict)
{
	qpdf_oh st = qpdf_oh_get_key(q, dict, "/Subtype");
	int r = qpdf_oh_is_name_and_equals(q, st, "/Image");

	qpdf_oh_release(q, st);
	return r;
}

/* A /URI value: only web and mail addresses. "file:", "smb:" or a scheme-less UNC path
 * ("\\\\host\\share") makes Windows send the user's credentials to that host on a
 * click; "javascript:" and the like run something. */
static int
uri_ok(qpdf_data q, qpdf_oh v)
{
	static const char *const allowed[] = { "http", "https", "mailto" };
	const char *s;
	size_t len = 0, i = 0, n, k;
	int ok = 0;

	if (!qpdf_oh_is_string(q, v))
		return 1;	/* a /URI dictionary (the catalog's /Base holder) is walked */
	if ((s = qpdf_oh_get_binary_string_value(q, v, &len)) == NULL)
		return 0;
	while (i < len && (unsigned char)s[i] <= 0x20)	/* readers skip leading blanks */
		i++;
	for (n = i; n < len && ((s[n] | 0x20) >= 'a' && (s[n] | 0x20) <= 'z'); n++)
		;
	if (n < len && s[n] == ':')
		for (k = 0; k < sizeof(allowed) / sizeof(allowed[0]); k++)
			if (strlen(allowed[k]) == n - i && strncasecmp(s + i, allowed[k], n - i) == 0)
				ok = 1;
	return ok;
}

/* The scheme of a /URI string for the log: printable, bounded. */
static void
uri_why(qpdf_data q, qpdf_oh v, char *why, size_t whylen)
{
	size_t len = 0, i, o = 0;
	const char *s = qpdf_oh_get_binary_string_value(q, v, &len);
	char show[40];

	for (i = 0; s != NULL && i < len && o + 1 < sizeof(show); i++)
		show[o++] = s[i] > 0x20 && s[i] < 0x7f ? s[i] : '?';
	show[o] = '\0';
	snprintf(why, whylen, "/URI %s", show);
}

/* An /OpenAction that is a destination (array) or a plain /GoTo is how many producers
 * say "open at page 1"; anything else runs something when the file opens. */
static int
open_action_ok(qpdf_data q, qpdf_oh dict)
{
	qpdf_oh v = qpdf_oh_get_key(q, dict, "/OpenAction");
	qpdf_oh s = 0;
	int ok = 1;

	if (qpdf_oh_is_dictionary(q, v)) {
		s = qpdf_oh_get_key(q, v, "/S");
		ok = qpdf_oh_is_name_and_equals(q, s, "/GoTo");
	}
	if (s)
		qpdf_oh_release(q, s);
	qpdf_oh_release(q, v);
	return ok;
}

/* Visits one dictionary: refuses bad keys, queues every value. 1 bad, 4 a /URI that is not
 * a web or mail address, -1 error, 0 ok. */
static int
walk_dict(struct walk *w, qpdf_oh dict)
{
	qpdf_data q = w->q;
	const char *key;
	int open_action = 0;

	qpdf_oh_begin_dict_key_iter(q, dict);
	while (qpdf_oh_dict_more_keys(q)) {
		key = qpdf_oh_dict_next_key(q);
		if (key == NULL)
			return -1;
		if (in_list(key, bad_keys, sizeof(bad_keys) / sizeof(bad_keys[0]))) {
			snprintf(w->why, sizeof(w->why), "key %.100s", key);
			return 1;
		}
		if (strcmp(key, "/OpenAction") == 0)
			open_action = 1;
		if (strcmp(key, "/URI") == 0 || strcmp(key, "/Base") == 0) {
			qpdf_oh v = qpdf_oh_get_key(q, dict, key);
			int ok = uri_ok(q, v);

			if (!ok)
				uri_why(q, v, w->why, sizeof(w->why));
			qpdf_oh_release(q, v);
			if (!ok)
				return 4;
		}
		if (push(w, qpdf_oh_get_key(q, dict, key)) != 0)
			return -1;
	}
	if (open_action && !open_action_ok(q, dict)) {
		snprintf(w->why, sizeof(w->why), "/OpenAction that is not /GoTo");
		return 1;
	}
	return 0;
}

/* Decodes the stream's general-purpose filters (Flate, LZW, ASCII85, ...; not image
 * codecs) so damaged compressed data refuses the file: qpdf reports it as a warning,
 * which the walk turns into pdf_unparseable. The decoded bytes are dropped; their size is
 * bounded by the child's address-space limit. */
static int
decode_stream(struct walk *w, qpdf_oh oh, int is_image)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	QPDF_BOOL filtered = QPDF_FALSE;
	QPDF_ERROR_CODE e;
	int rc;

	e = qpdf_oh_get_stream_data(w->q, oh, qpdf_dl_generalized, &filtered, &buf, &len);
	rc = (e & QPDF_ERRORS) ? -3 : 0;
	/* Markup in a decoded stream (pixels are not text: image streams are skipped). */
	if (rc == 0 && !is_image && buf != NULL &&
	    intake_markup_find(buf, len, 0, w->why, sizeof(w->why)))
		rc = 5;
	free(buf);
	return rc;
}

/* Visits one queued handle (and releases it). 1 bad content, 4 external link, 5 markup in
 * a stream, -1 error, 0 ok. */
static int
walk_one(struct walk *w, qpdf_oh oh)
{
	qpdf_data q = w->q;
	enum qpdf_object_type_e t;
	const char *name;
	qpdf_oh d;
	int i, n, rc = 0;

	if (++w->nodes > w->max_nodes) {
		snprintf(w->why, sizeof(w->why), "more than %llu nodes",
		    (unsigned long long)w->max_nodes);
		rc = -2;
		goto out;
	}
	if (qpdf_oh_is_indirect(q, oh)) {
		rc = seen_mark(w, qpdf_oh_get_object_id(q, oh), qpdf_oh_get_generation(q, oh));
		if (rc != 0) {
			rc = rc > 0 ? 0 : -1;
			goto out;
		}
	}
	t = qpdf_oh_get_type_code(q, oh);
	switch (t) {
	case ot_name:
		name = qpdf_oh_get_name(q, oh);
		if (in_list(name, bad_names, sizeof(bad_names) / sizeof(bad_names[0]))) {
			snprintf(w->why, sizeof(w->why), "name %.100s", name);
			rc = 1;
		}
		break;
	case ot_array:
		n = qpdf_oh_get_array_n_items(q, oh);
		for (i = 0; i < n && rc == 0; i++)
			if (push(w, qpdf_oh_get_array_item(q, oh, i)) != 0)
				rc = -1;
		break;
	case ot_dictionary:
		rc = walk_dict(w, oh);
		break;
	case ot_stream:
		d = qpdf_oh_get_dict(q, oh);
		rc = walk_dict(w, d);
		if (rc == 0)
			rc = decode_stream(w, oh, is_image_stream(q, d));
		qpdf_oh_release(q, d);
		break;
	default:
		break;
	}
out:
	qpdf_oh_release(q, oh);
	return rc;
}

/* Drains the stack. Same codes as walk_one, plus -3 when qpdf reported an error and -4
 * when it warned. */
static int
walk_drain(struct walk *w)
{
	int rc;

	while (w->n > 0) {
		rc = walk_one(w, w->stack[--w->n]);
		if (rc != 0)
			return rc;
		if (qpdf_has_error(w->q))
			return -3;
		/* A warning already refuses the file: stop at the first, do not collect more. */
		if (qpdf_more_warnings(w->q))
			return -4;
	}
	return 0;
}

static int
is_pdf_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
}

/* Offset just past the last "%%EOF", or 0 when there is none. */
static size_t
last_eof(const unsigned char *d, size_t len)
{
	size_t i;

	for (i = len; i >= 5; i--)
		if (memcmp(d + i - 5, "%%EOF", 5) == 0)
			return i;
	return 0;
}

static enum intake_code
qpdf_failure(struct intake_result *res, qpdf_data q, const char *what)
{
	qpdf_error e = qpdf_get_error(q);
	const char *txt = e ? qpdf_get_error_full_text(q, e) : "no detail";

	if (e && qpdf_get_error_code(q, e) == qpdf_e_password)
		return intake_fail(res, INTAKE_PDF_ENCRYPTED, "qpdf: %s", txt);
	if (strstr(txt, "bad_alloc") != NULL)
		return intake_fail(res, INTAKE_PDF_TOO_COMPLEX, "%s: %.200s", what, txt);
	return intake_fail(res, INTAKE_PDF_UNPARSEABLE, "%s: %.200s", what, txt);
}

/* The bytes around the PDF: it must start at %PDF-, end at its last %%EOF (then only
 * end-of-line white space), and not double as a ZIP (a ZIP's comment can hold "%%EOF"). */
static enum intake_code
check_envelope(const unsigned char *d, size_t len, struct intake_result *res)
{
	size_t end, i;

	if (len < 5 || memcmp(d, "%PDF-", 5) != 0)
		return intake_fail(res, INTAKE_JUNK_BEFORE_HEADER, "no %%PDF- at offset 0");
	if ((end = last_eof(d, len)) == 0)
		return intake_fail(res, INTAKE_PDF_UNPARSEABLE, "no %%%%EOF");
	for (i = end; i < len; i++)
		if (!is_pdf_space(d[i]))
			return intake_fail(res, INTAKE_TRAILING_DATA,
			    "%zu bytes after the last %%%%EOF", len - end);
	if (intake_ends_as_zip(d, len))
		return intake_fail(res, INTAKE_POLYGLOT, "PDF that is also a ZIP");
	return INTAKE_OK;
}

/* Walks every object: the walk_drain codes, or 2 when /Size is unusable or too large. */
static int
walk_all(struct walk *w, const struct intake_limits *lim, long long *size)
{
	qpdf_data q = w->q;
	qpdf_oh trailer = qpdf_get_trailer(q), sz, oh;
	size_t i;
	int rc;

	*size = 0;
	sz = qpdf_oh_get_key(q, trailer, "/Size");
	if (!qpdf_oh_is_integer(q, sz) || !qpdf_oh_get_value_as_longlong(q, sz, size))
		*size = 0;
	if (*size < 1 || *size > (long long)lim->pdf_max_objects + 1)
		return 2;
	w->max_nodes = (uint64_t)lim->pdf_max_objects * PDF_MAX_NODES_PER_OBJECT;
	/* Everything reachable from the trailer, whatever its generation ... */
	rc = push(w, qpdf_oh_new_object(q, trailer)) == 0 ? walk_drain(w) : -1;
	/* ... then every object number the file declares, so objects nothing points to (a
	 * reader could still be led to them) get the same scrutiny. */
	for (i = 1; rc == 0 && i < (size_t)*size; i++) {
		oh = qpdf_get_object_by_id(q, (int)i, 0);
		if (qpdf_oh_is_null(q, oh)) {
			qpdf_oh_release(q, oh);
			continue;
		}
		rc = push(w, oh) == 0 ? walk_drain(w) : -1;
	}
	return rc;
}

/* Turns what walk_all returned into the result. */
static enum intake_code
walk_verdict(struct walk *w, int rc, long long size, struct intake_result *res)
{
	qpdf_data q = w->q;
	qpdf_error warn;
	const char *txt;

	if (rc == 2)
		return intake_fail(res, size < 1 ? INTAKE_PDF_UNPARSEABLE : INTAKE_PDF_TOO_COMPLEX,
		    "trailer /Size %lld", size);
	if (rc == 1)
		return intake_fail(res, INTAKE_PDF_ACTIVE_CONTENT, "%s", w->why);
	if (rc == 4)
		return intake_fail(res, INTAKE_PDF_EXTERNAL_LINK, "%s", w->why);
	if (rc == 5)
		return intake_fail(res, INTAKE_HIDDEN_MARKUP, "stream: %s", w->why);
	if (rc == -2)
		return intake_fail(res, INTAKE_PDF_TOO_COMPLEX, "%s", w->why);
	if (rc == -3 || qpdf_has_error(q))
		return qpdf_failure(res, q, "object");
	if (rc == -1)
		return intake_fail(res, INTAKE_INTERNAL, "pdf walk: out of memory");
	if (rc == -4 || qpdf_more_warnings(q)) {
		warn = qpdf_next_warning(q);
		txt = warn ? qpdf_get_error_full_text(q, warn) : "?";
		/* Out of memory under the child's limit shows up as a warning. */
		return intake_fail(res, strstr(txt, "bad_alloc") != NULL ?
		    INTAKE_PDF_TOO_COMPLEX : INTAKE_PDF_UNPARSEABLE, "qpdf warning: %.200s", txt);
	}
	return INTAKE_OK;
}

enum intake_code
intake_pdf_check(const unsigned char *d, size_t len, const struct intake_limits *lim,
    struct intake_result *res)
{
	struct walk w;
	qpdf_data q = NULL;
	enum intake_code code;
	long long size = 0;
	int rc;

	memset(&w, 0, sizeof(w));
	res->type = INTAKE_TYPE_PDF;
	if ((code = check_envelope(d, len, res)) != INTAKE_OK)
		return code;
	if ((q = qpdf_init()) == NULL)
		return intake_fail(res, INTAKE_INTERNAL, "qpdf_init");
	qpdf_silence_errors(q);
	qpdf_set_suppress_warnings(q, QPDF_TRUE);
	/* Damage must refuse the file, not be repaired behind our back. */
	qpdf_set_attempt_recovery(q, QPDF_FALSE);
	if (qpdf_read_memory(q, "upload", (const char *)d, len, "") & QPDF_ERRORS) {
		code = qpdf_failure(res, q, "read");
		goto out;
	}
	if (qpdf_is_encrypted(q)) {
		code = intake_fail(res, INTAKE_PDF_ENCRYPTED, "encrypted (empty user password)");
		goto out;
	}
	w.q = q;
	rc = walk_all(&w, lim, &size);
	if ((code = walk_verdict(&w, rc, size, res)) != INTAKE_OK)
		goto out;
	/* A document is pages: a broken or empty page tree is no document. */
	if (qpdf_get_num_pages(q) < 1 || qpdf_has_error(q) || qpdf_more_warnings(q)) {
		code = qpdf_has_error(q) ? qpdf_failure(res, q, "pages") :
		    intake_fail(res, INTAKE_PDF_UNPARSEABLE, "no pages");
		goto out;
	}
out:
	free(w.stack);
	free(w.seen);
	if (q != NULL)
		qpdf_cleanup(&q);
	return code;
}

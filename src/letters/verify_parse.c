/* The parse stage of verification: qpdf finds the one signature field and reads its
 * dictionary into plain data (struct verify_parsed). Runs in the limited worker
 * (verify_worker.c); nothing here decides validity: verify.c checks every value against
 * the raw bytes. */
#include "letters/verify.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <qpdf/qpdf-c.h>

#define MAX_FIELD_DEPTH	4
#define MAX_FIELDS	256

struct found {
	qpdf_oh		sig;	/* the /V dictionary of the first signature field */
	int		count;	/* signature fields with a value */
	int		visited;
};

static void
walk_fields(qpdf_data q, qpdf_oh fields, int depth, struct found *f)
{
	int i, n;

	if (depth > MAX_FIELD_DEPTH || !qpdf_oh_is_array(q, fields))
		return;
	n = qpdf_oh_get_array_n_items(q, fields);
	for (i = 0; i < n && f->visited < MAX_FIELDS; i++) {
		qpdf_oh field = qpdf_oh_get_array_item(q, fields, i);
		qpdf_oh ft, v;

		f->visited++;
		if (!qpdf_oh_is_dictionary(q, field))
			continue;
		ft = qpdf_oh_get_key_if_dict(q, field, "/FT");
		v = qpdf_oh_get_key_if_dict(q, field, "/V");
		if (qpdf_oh_is_name_and_equals(q, ft, "/Sig") && qpdf_oh_is_dictionary(q, v)) {
			if (f->count++ == 0)
				f->sig = v;
		}
		walk_fields(q, qpdf_oh_get_key_if_dict(q, field, "/Kids"), depth + 1, f);
	}
}

/* A text string of the dictionary: 0, or -1 when absent; -2 when present but not a
 * string or longer than outlen allows. */
static int
string_value(qpdf_data q, qpdf_oh dict, const char *key, char *out, size_t outlen)
{
	qpdf_oh o = qpdf_oh_get_key_if_dict(q, dict, key);
	const char *s;
	size_t n;

	out[0] = '\0';
	if (!qpdf_oh_has_key(q, dict, key))
		return -1;
	if (!qpdf_oh_is_string(q, o) || (s = qpdf_oh_get_utf8_value(q, o)) == NULL)
		return -2;
	n = strlen(s);
	if (n >= outlen)
		return -2;
	memcpy(out, s, n + 1);
	return 0;
}

/* "D:YYYYMMDDHHmmSS+HH'mm'" (the form we write) to Unix seconds; 0 when not that form. */
static int64_t
parse_pdf_date(const char *s)
{
	struct tm tm;
	int off, sign;

	memset(&tm, 0, sizeof(tm));
	if (strlen(s) < 16 || strncmp(s, "D:", 2) != 0)
		return 0;
	if (sscanf(s + 2, "%4d%2d%2d%2d%2d%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	    &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	off = 0;
	sign = s[16] == '-' ? -1 : 1;
	if ((s[16] == '+' || s[16] == '-') && strlen(s) >= 22) {
		int hh, mm;

		if (sscanf(s + 17, "%2d'%2d", &hh, &mm) == 2)
			off = sign * (hh * 3600 + mm * 60);
	}
	return (int64_t)timegm(&tm) - off;
}

static void
read_sigdict(qpdf_data q, qpdf_oh sig, struct verify_parsed *p)
{
	qpdf_oh br = qpdf_oh_get_key_if_dict(q, sig, "/ByteRange");
	qpdf_oh contents = qpdf_oh_get_key_if_dict(q, sig, "/Contents");
	qpdf_oh sub = qpdf_oh_get_key_if_dict(q, sig, "/SubFilter");
	char m[64];
	int i, rc;

	p->br_ok = qpdf_oh_is_array(q, br) && qpdf_oh_get_array_n_items(q, br) == 4;
	for (i = 0; p->br_ok && i < 4; i++) {
		qpdf_oh it = qpdf_oh_get_array_item(q, br, i);

		if (!qpdf_oh_is_integer(q, it))
			p->br_ok = 0;
		else
			p->br[i] = qpdf_oh_get_int_value(q, it);
	}
	if (qpdf_oh_is_string(q, contents)) {
		size_t n = 0;
		const char *v = qpdf_oh_get_binary_string_value(q, contents, &n);

		if (v != NULL && n <= VERIFY_MAX_SIG_DER) {
			memcpy(p->contents, v, n);
			p->contents_len = (uint32_t)n;
			p->contents_ok = 1;
		}
	}
	p->pades = qpdf_oh_is_name_and_equals(q, sub, "/ETSI.CAdES.detached");
	if (string_value(q, sig, "/M", m, sizeof(m)) == 0)
		p->m = parse_pdf_date(m);
	rc = string_value(q, sig, "/SurakshaRef", p->ref, sizeof(p->ref));
	p->ref_state = rc == 0 ? VREF_STRING : rc == -1 ? VREF_ABSENT : VREF_BAD;
	if (rc != 0)
		p->ref[0] = '\0';
}

void
verify_parse(const unsigned char *data, size_t len, struct verify_parsed *p)
{
	qpdf_data q;
	struct found f;

	memset(p, 0, offsetof(struct verify_parsed, contents));
	p->status = -1;
	memset(&f, 0, sizeof(f));
	if ((q = qpdf_init()) == NULL) {
		p->status = VR_TOO_COMPLEX;
		return;
	}
	qpdf_silence_errors(q);
	qpdf_set_suppress_warnings(q, QPDF_TRUE);
	if ((qpdf_read_memory(q, "letter.pdf", (const char *)data, len, NULL) & QPDF_ERRORS) != 0) {
		const char *msg = qpdf_has_error(q) ?
		    qpdf_get_error_full_text(q, qpdf_get_error(q)) : NULL;

		/* an allocation refused under the worker's memory limit */
		p->status = msg != NULL && strstr(msg, "bad_alloc") != NULL ? VR_TOO_COMPLEX :
		    VR_UNPARSEABLE;
		goto out;
	}
	walk_fields(q, qpdf_oh_get_key_if_dict(q, qpdf_oh_get_key_if_dict(q, qpdf_get_root(q),
	    "/AcroForm"), "/Fields"), 0, &f);
	p->nfields = f.count;
	if (f.count == 0)
		p->status = VR_NO_SIGNATURE;
	else
		read_sigdict(q, f.sig, p);
	if (qpdf_has_error(q)) {
		const char *msg = qpdf_get_error_full_text(q, qpdf_get_error(q));

		if (msg != NULL && strstr(msg, "bad_alloc") != NULL)
			p->status = VR_TOO_COMPLEX;
	}
out:
	/* retrieved, or qpdf prints "application did not handle error"; an allocation that
	 * the worker's memory limit refused may surface only as a warning (qpdf then recovers
	 * and reads on): the file is too complex, whatever qpdf made of it */
	while (qpdf_has_error(q))
		(void)qpdf_get_error(q);
	while (qpdf_more_warnings(q)) {
		const char *w = qpdf_get_error_full_text(q, qpdf_next_warning(q));

		if (w != NULL && (strstr(w, "bad_alloc") != NULL ||
		    strstr(w, "out of memory") != NULL))
			p->status = VR_TOO_COMPLEX;
	}
	qpdf_cleanup(&q);
}

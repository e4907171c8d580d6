/* Letters: render + sign + verify round trip, and every attack of SECURITY.md ("Signed
 * letters") reported invalid with its reason. Runs from the repository root (templates/,
 * fonts/). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/x509.h>

#include "letters/letter.h"
#include "letters/pki.h"
#include "letters/sign.h"
#include "letters/template.h"
#include "letters/text.h"
#include "letters/verify.h"
#include "util/buf.h"
#include "util/fsx.h"
#include "util/strict.h"

#define T0 1795425000LL	/* 2026-11-23 09:10 UTC */

static EVP_PKEY *ca_key, *other_ca_key;
static X509 *ca_cert, *other_ca_cert;
static struct pki_signer hod, foreign;
static struct verify_ctx plain;	/* the CA alone: no CRL, no database */

static void
facts(struct letter_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->ref = "HR/SOS/HLTH/2026/000123";
	f->issued_at = T0;
	f->employee_name = "Sunita Devi";
	f->employee_id = "HKRNL-2019-004512";
	f->family_id = "7XK29QP41";
	f->department = "Health";
	f->office = "Civil Surgeon Office";
	f->district = "Rohtak";
	f->designation = "Staff Nurse";
	f->pay_level = 2;
	f->effective_date = date_from_ymd(2026, 12, 1);
	f->entry_pay = 19900;
	f->band_percent = 10;
	f->qualifying_years = 9;
	f->additional_remuneration = 2000;
	f->consolidated = 21900;
	f->hod_name = "Dr. Ramesh Kumar Sharma";
	f->hod_designation = "Director General of Health Services";
	f->verify_base_url = "https://sos.haryana.gov.in";
}

static void
make_signer(EVP_PKEY *cak, X509 *cac, int64_t nb, int64_t na, struct pki_signer *s)
{
	memset(s, 0, sizeof(*s));
	assert_int_equal(pki_make_leaf(cak, cac, "Dr. Ramesh Kumar Sharma", nb, na, &s->key,
	    &s->cert), PKI_OK);
	s->chain = sk_X509_new_null();
	X509_up_ref(cac);
	sk_X509_push(s->chain, cac);
}

static int
group_setup(void **state)
{
	if (pki_make_ca("Suraksha Portal CA", T0 - 86400, T0 + 20 * 365 * 86400LL, &ca_key,
	    &ca_cert) != PKI_OK ||
	    pki_make_ca("Some Other CA", T0 - 86400, T0 + 20 * 365 * 86400LL, &other_ca_key,
	    &other_ca_cert) != PKI_OK)
		return -1;
	plain.ca = ca_cert;
	make_signer(ca_key, ca_cert, T0 - 3600, T0 + 3 * 365 * 86400LL, &hod);
	make_signer(other_ca_key, other_ca_cert, T0 - 3600, T0 + 3 * 365 * 86400LL, &foreign);
	return 0;
}

static int
group_teardown(void **state)
{
	pki_signer_free(&hod);
	pki_signer_free(&foreign);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(other_ca_key);
	X509_free(ca_cert);
	X509_free(other_ca_cert);
	letter_render_release();
	verify_cache_clear();
	return 0;
}

/* A freshly signed letter in b. */
static void
issue(struct buf *b, const struct pki_signer *s)
{
	struct letter_facts f;

	facts(&f);
	buf_init(b, 1 << 20);
	assert_int_equal(letter_issue(NULL, &f, s, b), LETTER_OK);
}

static int
has_reason(const struct verify_report *r, enum verify_reason why)
{
	unsigned i;

	for (i = 0; i < r->nreasons; i++)
		if (r->reasons[i] == why)
			return 1;
	return 0;
}

static void
verify(const struct buf *b, struct verify_report *r)
{
	assert_int_equal(verify_pdf((const unsigned char *)b->data, b->len, &plain, r), 0);
}

static void
expect_invalid(const struct buf *b, enum verify_reason why)
{
	struct verify_report r;

	verify(b, &r);
	if (!has_reason(&r, why)) {
		unsigned i;

		for (i = 0; i < r.nreasons; i++)
			print_message("got reason %s\n", verify_reason_code(r.reasons[i]));
		fail_msg("expected reason %s", verify_reason_code(why));
	}
	assert_false(r.valid);
}

static char *
find(struct buf *b, const char *needle)
{
	char *p = memmem(b->data, b->len, needle, strlen(needle));

	assert_non_null(p);
	return p;
}

/* The ByteRange array text "[0 a b c   ]" of the signed letter. */
static char *
byterange(struct buf *b, size_t *len)
{
	char *p = find(b, "/ByteRange [") + strlen("/ByteRange "), *e = strchr(p, ']');

	assert_non_null(e);
	*len = (size_t)(e - p + 1);
	return p;
}

static void
set_byterange(struct buf *b, long long a, long long bb, long long c)
{
	size_t len;
	char *p = byterange(b, &len), tmp[64];
	int n = snprintf(tmp, sizeof(tmp), "[0 %lld %lld %lld", a, bb, c);

	assert_true(n > 0 && (size_t)n < len);
	memset(p, ' ', len);
	memcpy(p, tmp, (size_t)n);
	p[len - 1] = ']';
}

/* The letter's names as people write them (issue 12). */
static const char *
fact(const struct fact_kv *kv, const char *name)
{
	int i;

	for (i = 0; i < N_FACTS; i++)
		if (strcmp(kv[i].name, name) == 0)
			return kv[i].value;
	return "?";
}

static void
test_wording(void **state)
{
	struct fact_kv kv[N_FACTS];
	struct letter_facts f;

	(void)state;
	facts(&f);
	f.department = "Public Works Department";
	f.office = "Ambala";
	f.district = "Ambala";
	f.designation = "Clerk (supernumerary)";
	assert_int_equal(letter_facts_table(&f, kv), 0);
	assert_string_equal(fact(kv, "department_title"), "Public Works Department");
	assert_string_equal(fact(kv, "office_place"), "Ambala");
	assert_string_equal(fact(kv, "designation"), "Clerk");
	f.department = "Health";
	f.office = "Civil Surgeon Office";
	f.district = "Rohtak";
	f.designation = "Supernumerary Staff Nurse";
	assert_int_equal(letter_facts_table(&f, kv), 0);
	assert_string_equal(fact(kv, "department_title"), "Department of Health");
	assert_string_equal(fact(kv, "office_place"), "Civil Surgeon Office, Rohtak");
	assert_string_equal(fact(kv, "designation"), "Staff Nurse");
	f.designation = "Supernumerary";
	assert_int_equal(letter_facts_table(&f, kv), 0);
	assert_string_equal(fact(kv, "designation"), "Supernumerary");
	/* the wording, joining instructions included, still fits one page with long names */
	{
		struct letter_layout layout;
		struct buf pdf;

		f.department = "Public Health Engineering and Water Supply Department";
		f.office = "Office of the Executive Engineer, Public Health Engineering Division No. 2";
		f.district = "Yamunanagar";
		f.designation = "Junior Engineer (Civil) on the supernumerary cadre of the division";
		f.hod_name = "Er. Ramesh Kumar Sharma";
		f.hod_designation = "Engineer-in-Chief, Public Health Engineering Department";
		buf_init(&pdf, 1 << 20);
		assert_int_equal(letter_render(NULL, &f, &pdf, &layout), LETTER_OK);
		buf_free(&pdf);
	}
}

static void
test_roundtrip(void **state)
{
	struct buf b;
	struct verify_report r;
	json_t *j;

	issue(&b, &hod);
	assert_true(b.len < 32 * 1024);
	verify(&b, &r);
	for (unsigned i = 0; i < r.nreasons; i++)
		print_message("reason %s\n", verify_reason_code(r.reasons[i]));
	assert_true(r.valid);
	assert_true(r.chain_trusted);
	assert_false(r.modified_after_signing);
	assert_string_equal(r.signer, "Dr. Ramesh Kumar Sharma");
	assert_string_equal(r.letter_ref, "HR/SOS/HLTH/2026/000123");
	assert_int_equal(r.signed_at, T0);
	assert_int_equal(r.issued_by_portal, -1);
	j = verify_report_json(&r);
	assert_non_null(j);
	assert_true(json_is_true(json_object_get(j, "valid")));
	assert_string_equal(json_string_value(json_object_get(j, "signed_at")),
	    "2026-11-23T09:10:00Z");
	assert_true(json_is_null(json_object_get(j, "issued_by_portal")));
	assert_true(json_is_null(json_object_get(j, "revoked")));
	assert_int_equal(json_array_size(json_object_get(j, "reasons")), 0);
	json_decref(j);
	/* a second letter on the same thread reuses the cached fonts and is as good */
	buf_free(&b);
	issue(&b, &hod);
	verify(&b, &r);
	assert_true(r.valid);
	buf_free(&b);
}

/* What the portal recorded, for the lookup: test_lookup fills it. */
static struct verify_issued record;
static int record_found;

static int
lookup_record(const char *ref, struct verify_issued *out, void *arg)
{
	assert_string_equal(ref, "HR/SOS/HLTH/2026/000123");
	*out = record;
	return record_found;
}

/* With a database: valid only when the record names these signed bytes and this signer
 * certificate; the chain is then validated at the recorded issue time. */
static void
test_lookup(void **state)
{
	struct verify_ctx vc = { ca_cert, NULL, lookup_record, NULL };
	struct pki_signer expired;
	struct buf b, b2;
	struct verify_report r, first;
	char c;

	issue(&b, &hod);
	verify(&b, &first);
	assert_true(first.valid);
	assert_int_equal(strlen(first.signed_sha256), 64);
	memset(&record, 0, sizeof(record));
	record.issued_at = T0;
	snprintf(record.signed_sha256, sizeof(record.signed_sha256), "%s", first.signed_sha256);
	snprintf(record.cert_sha256, sizeof(record.cert_sha256), "%s", first.cert_sha256);
	record_found = 1;
	verify_pdf((const unsigned char *)b.data, b.len, &vc, &r);
	assert_true(r.valid);
	assert_int_equal(r.issued_by_portal, 1);
	assert_int_equal(r.revoked, 0);
	assert_int_equal(r.time_source, VT_ISSUE_RECORD);
	assert_int_equal(r.validated_at, T0);
	/* the hex of /Contents re-encoded in upper case: the same signed letter */
	{
		char *p = find(&b, "/Contents <") + strlen("/Contents <");
		size_t i;

		buf_init(&b2, 1 << 20);
		buf_append(&b2, b.data, b.len);
		p = b2.data + (p - b.data);
		for (i = 0; p[i] != '>'; i++)
			if (p[i] >= 'a' && p[i] <= 'f')
				p[i] = (char)(p[i] - 'a' + 'A');
		verify_pdf((const unsigned char *)b2.data, b2.len, &vc, &r);
		assert_true(r.valid);
		buf_free(&b2);
	}
	record.revoked_at = T0 + 10;
	verify_pdf((const unsigned char *)b.data, b.len, &vc, &r);
	assert_false(r.valid);
	assert_true(has_reason(&r, VR_REVOKED));
	record.revoked_at = 0;
	/* another signed revision under the same reference */
	c = record.signed_sha256[0];
	record.signed_sha256[0] = c == '0' ? '1' : '0';
	verify_pdf((const unsigned char *)b.data, b.len, &vc, &r);
	assert_false(r.valid);
	assert_true(has_reason(&r, VR_NOT_ISSUED_BY_PORTAL));
	record.signed_sha256[0] = c;
	/* the same bytes signed with another certificate than the one enrolled */
	record.cert_sha256[0] = record.cert_sha256[0] == '0' ? '1' : '0';
	verify_pdf((const unsigned char *)b.data, b.len, &vc, &r);
	assert_false(r.valid);
	assert_true(has_reason(&r, VR_SIGNER_NOT_ENROLLED));
	/* no such reference */
	record_found = 0;
	verify_pdf((const unsigned char *)b.data, b.len, &vc, &r);
	assert_false(r.valid);
	assert_true(has_reason(&r, VR_NOT_ISSUED_BY_PORTAL));
	assert_int_equal(r.issued_by_portal, 0);
	buf_free(&b);
	/* a certificate expired now, valid at the recorded issue time: valid with the
	 * record, invalid without it (a claimed signing time is no proof) */
	make_signer(ca_key, ca_cert, T0 - 86400, T0 + 86400, &expired);
	issue(&b, &expired);
	verify(&b, &r);
	assert_true(has_reason(&r, VR_CERT_EXPIRED));
	assert_int_equal(r.time_source, VT_PRESENT);
	snprintf(record.signed_sha256, sizeof(record.signed_sha256), "%s", r.signed_sha256);
	snprintf(record.cert_sha256, sizeof(record.cert_sha256), "%s", r.cert_sha256);
	record_found = 1;
	verify_pdf((const unsigned char *)b.data, b.len, &vc, &r);
	assert_true(r.valid);
	buf_free(&b);
	pki_signer_free(&expired);
}

static void
test_byte_changed(void **state)
{
	struct buf b;
	char *p;

	issue(&b, &hod);
	/* the document title: "Offer letter" becomes "Offer lettex" */
	p = find(&b, "(Offer letter ");
	p[12] = 'x';
	expect_invalid(&b, VR_DIGEST_MISMATCH);
	{
		struct verify_report r;

		verify(&b, &r);
		assert_true(r.modified_after_signing);
		assert_string_equal(r.letter_ref, "");	/* not taken from altered bytes */
	}
	buf_free(&b);
	/* a byte of the compressed page content */
	issue(&b, &hod);
	p = find(&b, "stream\r\n") + 40;
	*p ^= 0x01;
	expect_invalid(&b, VR_DIGEST_MISMATCH);
	buf_free(&b);
}

static void
test_appended_update(void **state)
{
	struct buf b;
	char tail[512];
	size_t sx;
	const char *p;

	issue(&b, &hod);
	p = strstr(b.data + b.len - 40, "startxref\n");
	assert_non_null(p);
	sx = strtoul(p + 10, NULL, 10);
	/* a new object overriding the Info dictionary, the classic incremental saving attack */
	snprintf(tail, sizeof(tail), "3 0 obj\n<< /Title (Forged) >>\nendobj\n");
	size_t at = b.len;
	buf_puts(&b, tail);
	size_t xr = b.len;
	buf_printf(&b, "xref\n3 1\n%010zu 00000 n\r\ntrailer\n<< /Size 20 /Root 1 0 R "
	    "/Info 3 0 R /Prev %zu >>\nstartxref\n%zu\n%%%%EOF\n", at, sx, xr);
	expect_invalid(&b, VR_MODIFIED_AFTER_SIGNING);
	{
		struct verify_report r;

		verify(&b, &r);
		assert_true(r.modified_after_signing);
	}
	buf_free(&b);
}

static void
test_byterange_removed(void **state)
{
	struct buf b;
	char *p;

	issue(&b, &hod);
	p = find(&b, "/ByteRange [");
	memcpy(p, "/ByteRangX", 10);
	expect_invalid(&b, VR_BYTERANGE_INVALID);
	buf_free(&b);
}

static void
test_byterange_null(void **state)
{
	struct buf b;
	size_t len;
	char *p;

	issue(&b, &hod);
	p = byterange(&b, &len);
	memset(p, ' ', len);
	memcpy(p, "null", 4);
	expect_invalid(&b, VR_BYTERANGE_INVALID);
	buf_free(&b);
}

static void
test_byterange_elsewhere(void **state)
{
	struct buf b;

	issue(&b, &hod);
	set_byterange(&b, 100, 200, (long long)b.len - 200);
	expect_invalid(&b, VR_BYTERANGE_INVALID);
	buf_free(&b);
}

static void
test_byterange_shrunk(void **state)
{
	struct buf b;
	size_t len;
	char *p, *q;
	long long a, bb, c;

	issue(&b, &hod);
	p = byterange(&b, &len);
	a = strtoll(p + 3, &q, 10);
	bb = strtoll(q, &q, 10);
	c = strtoll(q, NULL, 10);
	/* stop the signed range before the trailer: whatever follows is unsigned */
	set_byterange(&b, a, bb, c - 200);
	expect_invalid(&b, VR_MODIFIED_AFTER_SIGNING);
	buf_free(&b);
}

static void
test_signature_moved(void **state)
{
	struct buf b;
	size_t len, hexlen, a2;
	char *p, *q, *hex;
	long long a, bb;

	issue(&b, &hod);
	p = byterange(&b, &len);
	a = strtoll(p + 3, &q, 10);
	bb = strtoll(q, &q, 10);
	hexlen = (size_t)(bb - a);
	hex = malloc(hexlen);
	memcpy(hex, b.data + a, hexlen);
	/* wrap: a copy of the signature value appended, the ByteRange pointing at it, and the
	 * original value's place free to carry other content */
	buf_puts(&b, "%/Contents ");
	a2 = b.len;
	buf_append(&b, hex, hexlen);
	buf_puts(&b, "\n");
	set_byterange(&b, (long long)a2, (long long)(a2 + hexlen), 1);
	memcpy(b.data + a + 1, "2842797061737329", 16);
	{
		struct verify_report r;

		verify(&b, &r);
		assert_false(r.valid);
		assert_true(has_reason(&r, VR_BYTERANGE_INVALID) ||
		    has_reason(&r, VR_DIGEST_MISMATCH));
	}
	free(hex);
	buf_free(&b);
}

static void
test_truncated(void **state)
{
	struct buf b;

	issue(&b, &hod);
	b.len -= 300;
	expect_invalid(&b, VR_TRUNCATED);
	b.len = 20000;	/* inside the signature value */
	expect_invalid(&b, VR_TRUNCATED);
	buf_free(&b);
}

static void
test_foreign_ca(void **state)
{
	struct buf b;
	struct verify_report r;

	issue(&b, &foreign);
	expect_invalid(&b, VR_UNTRUSTED_SIGNER);
	verify(&b, &r);
	assert_false(r.chain_trusted);
	assert_false(has_reason(&r, VR_DIGEST_MISMATCH));
	assert_string_equal(r.letter_ref, "HR/SOS/HLTH/2026/000123");
	buf_free(&b);
}

static void
test_cert_validity(void **state)
{
	struct pki_signer expired, early;
	struct buf b;

	int64_t now = time(NULL);

	/* judged at the present time (no proof of the signing time here) */
	make_signer(ca_key, ca_cert, T0 - 3 * 365 * 86400LL, T0 - 86400, &expired);
	make_signer(ca_key, ca_cert, now + 86400, now + 365 * 86400LL, &early);
	issue(&b, &expired);
	expect_invalid(&b, VR_CERT_EXPIRED);
	buf_free(&b);
	issue(&b, &early);
	expect_invalid(&b, VR_CERT_NOT_YET_VALID);
	buf_free(&b);
	pki_signer_free(&expired);
	pki_signer_free(&early);
}

static void
test_not_pades_and_unsigned(void **state)
{
	struct buf b;
	struct letter_facts f;
	struct letter_layout lay;
	char *p;

	issue(&b, &hod);
	p = find(&b, "/ETSI.CAdES.detached");
	memcpy(p, "/adbe.pkcs7.detached", 20);
	expect_invalid(&b, VR_NOT_PADES);
	buf_free(&b);
	facts(&f);
	buf_init(&b, 1 << 20);
	assert_int_equal(letter_render(NULL, &f, &b, &lay), LETTER_OK);
	expect_invalid(&b, VR_NO_SIGNATURE);
	buf_reset(&b);
	buf_puts(&b, "not a pdf at all");
	expect_invalid(&b, VR_UNPARSEABLE);
	buf_free(&b);
}

static void
test_multiple_signatures(void **state)
{
	struct buf b;
	struct letter_layout lay;
	struct letter_facts f;
	struct sig_request req = { "Dr. Ramesh Kumar Sharma", "x", "HR/SOS/HLTH/2026/000123", T0 };

	facts(&f);
	buf_init(&b, 1 << 20);
	assert_int_equal(letter_render(NULL, &f, &b, &lay), LETTER_OK);
	assert_int_equal(sig_sign(&b, &lay, &req, &hod), SIG_OK);
	/* a second /ByteRange anywhere is refused */
	buf_puts(&b, "% /ByteRange [0 1 2 3]\n");
	expect_invalid(&b, VR_MULTIPLE_SIGNATURES);
	buf_free(&b);
}

static void
test_too_big(void **state)
{
	struct buf b, der;
	struct letter_layout lay;
	struct letter_facts f;
	struct sig_prepared prep;
	struct sig_request req = { "Dr. Ramesh Kumar Sharma", "x", "HR/SOS/HLTH/2026/000123", T0 };
	static unsigned char big[SIG_RESERVED_DER + 1];

	facts(&f);
	buf_init(&b, 1 << 20);
	buf_init(&der, 1 << 20);
	assert_int_equal(letter_render(NULL, &f, &b, &lay), LETTER_OK);
	assert_int_equal(sig_prepare(&b, &lay, &req, &prep), SIG_OK);
	assert_int_equal(prep.contents_end - prep.contents_at, 2 * SIG_RESERVED_DER + 2);
	assert_int_equal(sig_embed(&b, &prep, big, sizeof(big)), SIG_ERR_TOO_BIG);
	assert_int_equal(sig_cms_sign(&b, &prep, &hod, T0, &der), SIG_OK);
	assert_true(der.len < 2048);	/* P-256 with one CA: far below the reservation */
	assert_int_equal(sig_embed(&b, &prep, (unsigned char *)der.data, der.len), SIG_OK);
	buf_free(&der);
	buf_free(&b);
}

static void
test_bad_facts_and_template(void **state)
{
	struct buf b;
	struct letter_layout lay;
	struct letter_facts f;
	struct letter_config cfg = { "/tmp/t_letters_tmpl.txt", NULL };
	FILE *t;

	buf_init(&b, 1 << 20);
	facts(&f);
	f.consolidated = 21901;
	assert_int_equal(letter_render(NULL, &f, &b, &lay), LETTER_ERR_FACTS);
	facts(&f);
	f.employee_name = "\xe0\xa4\xb8\xe0\xa5\x81";	/* Devanagari: no glyphs, refused */
	assert_int_equal(letter_render(NULL, &f, &b, &lay), LETTER_ERR_FACTS);
	facts(&f);
	f.ref = "SOS-1";
	assert_int_equal(letter_render(NULL, &f, &b, &lay), LETTER_ERR_FACTS);
	facts(&f);
	t = fopen(cfg.template_path, "w");
	assert_non_null(t);
	fputs("[letterhead]\n{{no_such_fact}}\n", t);
	fclose(t);
	assert_int_equal(letter_render(&cfg, &f, &b, &lay), LETTER_ERR_TEMPLATE);
	t = fopen(cfg.template_path, "w");
	fputs("[letterhead]\nX\n", t);	/* sections missing */
	fclose(t);
	assert_int_equal(letter_render(&cfg, &f, &b, &lay), LETTER_ERR_TEMPLATE);
	/* wording that does not fit one page is refused, not cut off */
	{
		struct buf tpl;
		char *at;
		int i;

		buf_init(&tpl, 1 << 20);
		assert_int_equal(fsx_read("templates/letter.txt", &tpl), 0);
		at = strstr(tpl.data, "[body]\n");
		assert_non_null(at);
		t = fopen(cfg.template_path, "w");
		fwrite(tpl.data, 1, (size_t)(at - tpl.data) + 7, t);
		for (i = 0; i < 40; i++)
			fputs("A long paragraph of wording that repeats itself.\n\n", t);
		fputs(at + 7, t);
		fclose(t);
		assert_int_equal(letter_render(&cfg, &f, &b, &lay), LETTER_ERR_OVERFLOW);
		buf_free(&tpl);
	}
	remove(cfg.template_path);
	buf_free(&b);
}

/* The hex offset in /Contents of DER byte i. */
static char *
contents_byte(struct buf *b, size_t i)
{
	return find(b, "/Contents <") + strlen("/Contents <") + 2 * i;
}

static void
test_cms_tampered(void **state)
{
	struct buf b;
	char *p, hex[9];
	size_t der_len;

	/* a byte of the ECDSA signature value (the end of the DER): signature_invalid */
	issue(&b, &hod);
	p = contents_byte(&b, 0);
	assert_memory_equal(p, "3082", 4);
	memcpy(hex, p + 4, 4);
	hex[4] = '\0';
	der_len = 4 + strtoul(hex, NULL, 16);
	p = contents_byte(&b, der_len - 3);
	*p = *p == 'a' ? 'b' : 'a';
	expect_invalid(&b, VR_SIGNATURE_INVALID);
	buf_free(&b);
	/* the structure itself: contents_invalid */
	issue(&b, &hod);
	memcpy(contents_byte(&b, 4), "ff", 2);
	expect_invalid(&b, VR_CONTENTS_INVALID);
	buf_free(&b);
	/* garbage after the DER */
	issue(&b, &hod);
	memcpy(contents_byte(&b, 8000), "01", 2);
	expect_invalid(&b, VR_CONTENTS_INVALID);
	buf_free(&b);
}

/* Two-phase signing: the digest of the signed attributes goes out, a signature made
 * elsewhere (here: the HoD key, as a token would) comes back. */
static void
test_external_signer(void **state)
{
	struct buf b, der;
	struct letter_layout lay;
	struct letter_facts f;
	struct sig_prepared prep;
	struct sig_external x;
	struct sig_request req = { "Dr. Ramesh Kumar Sharma", "x", "HR/SOS/HLTH/2026/000123", T0 };
	struct verify_report r;
	unsigned char digest[32], sig[256];
	size_t siglen = sizeof(sig);
	EVP_PKEY_CTX *ctx;

	facts(&f);
	buf_init(&b, 1 << 20);
	buf_init(&der, 1 << 20);
	assert_int_equal(letter_render(NULL, &f, &b, &lay), LETTER_OK);
	assert_int_equal(sig_prepare(&b, &lay, &req, &prep), SIG_OK);
	assert_int_equal(sig_external_begin(&prep, hod.cert, hod.chain, T0, &x, digest), SIG_OK);
	/* the token's part */
	ctx = EVP_PKEY_CTX_new(hod.key, NULL);
	assert_non_null(ctx);
	assert_int_equal(EVP_PKEY_sign_init(ctx), 1);
	assert_int_equal(EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()), 1);
	assert_int_equal(EVP_PKEY_sign(ctx, sig, &siglen, digest, sizeof(digest)), 1);
	EVP_PKEY_CTX_free(ctx);
	assert_int_equal(sig_external_finish(&x, sig, siglen, &der), SIG_OK);
	sig_external_free(&x);
	assert_int_equal(sig_embed(&b, &prep, (unsigned char *)der.data, der.len), SIG_OK);
	verify(&b, &r);
	assert_true(r.valid);
	assert_int_equal(r.signed_at, T0);
	/* strict B-B: no signingTime in the CMS, the time comes from /M */
	buf_reset(&der);
	assert_int_equal(sig_external_begin(&prep, hod.cert, hod.chain, 0, &x, digest), SIG_OK);
	siglen = sizeof(sig);
	ctx = EVP_PKEY_CTX_new(hod.key, NULL);
	assert_int_equal(EVP_PKEY_sign_init(ctx), 1);
	assert_int_equal(EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()), 1);
	assert_int_equal(EVP_PKEY_sign(ctx, sig, &siglen, digest, sizeof(digest)), 1);
	EVP_PKEY_CTX_free(ctx);
	assert_int_equal(sig_external_finish(&x, sig, siglen, &der), SIG_OK);
	sig_external_free(&x);
	assert_int_equal(sig_embed(&b, &prep, (unsigned char *)der.data, der.len), SIG_OK);
	verify(&b, &r);
	assert_true(r.valid);
	assert_int_equal(r.signed_at, T0);
	/* a signature over anything else is refused */
	buf_reset(&der);
	assert_int_equal(sig_external_begin(&prep, hod.cert, hod.chain, T0, &x, digest), SIG_OK);
	sig[10] ^= 1;
	assert_int_equal(sig_external_finish(&x, sig, siglen, &der), SIG_OK);
	sig_external_free(&x);
	assert_int_equal(sig_embed(&b, &prep, (unsigned char *)der.data, der.len), SIG_OK);
	expect_invalid(&b, VR_SIGNATURE_INVALID);
	buf_free(&der);
	buf_free(&b);
}

static int
hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

/* Any single changed byte of the signed ranges, or a cut anywhere, makes the letter
 * invalid, and nothing crashes the verifier. Inside the signature value a change may
 * leave it valid: the case of a hex digit, or a byte of the unsigned certificate bag (the
 * CA copy the chain does not need). Deterministic pseudo-random positions. */
static void
test_random_mutations(void **state)
{
	struct buf b, m;
	struct verify_report r;
	unsigned seed = 12345, i;
	size_t gap_at, gap_end;

	issue(&b, &hod);
	gap_at = (size_t)(find(&b, "/Contents <") + strlen("/Contents ") - b.data);
	gap_end = (size_t)(strchr(b.data + gap_at, '>') - b.data);
	buf_init(&m, 1 << 20);
	for (i = 0; i < 1000; i++) {
		size_t at;
		unsigned char old, nu;

		seed = seed * 1103515245u + 12345u;
		at = (seed >> 8) % b.len;
		seed = seed * 1103515245u + 12345u;
		old = (unsigned char)b.data[at];
		nu = (unsigned char)(old ^ (1 + (seed >> 16) % 255));
		if (hex_value(old) >= 0 && hex_value(old) == hex_value(nu))
			continue;
		buf_reset(&m);
		buf_append(&m, b.data, b.len);
		m.data[at] = (char)nu;
		verify_pdf((const unsigned char *)m.data, m.len, &plain, &r);
		if (r.valid && (at <= gap_at || at >= gap_end))
			fail_msg("byte %zu changed from 0x%02x to 0x%02x still valid", at, old, nu);
		if (r.valid)
			assert_string_equal(r.signer, "Dr. Ramesh Kumar Sharma");
		if (i % 10 == 0) {
			verify_pdf((const unsigned char *)b.data, at, &plain, &r);
			if (r.valid)
				fail_msg("cut at %zu still valid", at);
		}
	}
	buf_free(&m);
	buf_free(&b);
}

static void *
issue_many(void *arg)
{
	struct verify_report r;
	struct buf b;
	int i, *ok = arg;

	*ok = 1;
	for (i = 0; i < 20; i++) {
		struct letter_facts f;

		facts(&f);
		buf_init(&b, 1 << 20);
		if (letter_issue(NULL, &f, &hod, &b) != LETTER_OK ||
		    verify_pdf((const unsigned char *)b.data, b.len, &plain, &r) != 0 ||
		    !r.valid)
			*ok = 0;
		buf_free(&b);
	}
	letter_render_release();
	return NULL;
}

static void
test_threads(void **state)
{
	pthread_t t[3];
	int ok[3], i;

	for (i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&t[i], NULL, issue_many, &ok[i]), 0);
	for (i = 0; i < 3; i++) {
		pthread_join(t[i], NULL);
		assert_true(ok[i]);
	}
}

static void
test_text(void **state)
{
	char out[64];

	text_rupees(21900, out, sizeof(out));
	assert_string_equal(out, "21,900");
	text_rupees(123456, out, sizeof(out));
	assert_string_equal(out, "1,23,456");
	text_rupees(12345678, out, sizeof(out));
	assert_string_equal(out, "1,23,45,678");
	text_rupees(999, out, sizeof(out));
	assert_string_equal(out, "999");
	assert_int_equal(text_to_winansi("\xe2\x80\x98" "A\xe2\x80\x99 \xe2\x80\x94 ok", out,
	    sizeof(out)), 0);
	assert_string_equal(out, "\x91" "A\x92 \x97 ok");
	/* not in the embedded font: refused rather than printed as a blank box */
	assert_int_equal(text_to_winansi("Jos\xc3\xa9", out, sizeof(out)), -1);
	assert_int_equal(text_to_winansi("\xe2\x82\xac", out, sizeof(out)), -1);
	assert_int_equal(text_to_winansi("\xff", out, sizeof(out)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_byte_changed),
		cmocka_unit_test(test_appended_update),
		cmocka_unit_test(test_byterange_removed),
		cmocka_unit_test(test_byterange_null),
		cmocka_unit_test(test_byterange_elsewhere),
		cmocka_unit_test(test_byterange_shrunk),
		cmocka_unit_test(test_signature_moved),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_foreign_ca),
		cmocka_unit_test(test_cert_validity),
		cmocka_unit_test(test_not_pades_and_unsigned),
		cmocka_unit_test(test_multiple_signatures),
		cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_bad_facts_and_template),
		cmocka_unit_test(test_cms_tampered),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_random_mutations),
		cmocka_unit_test(test_external_signer),
		cmocka_unit_test(test_wording),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

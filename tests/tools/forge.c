/* Test helper for tests/e2e/t_verify_attacks.sh: makes the forged letters an attacker
 * would, with the project's own renderer and signer (so that only the attack differs).
 *   forge leaf KEYS HOD NOT_BEFORE NOT_AFTER
 *       a HoD key and certificate of the portal CA (KEYS/ca.key) with that validity
 *       (Unix seconds), as KEYS/hod-HOD.key/.pem
 *   forge sign KEYS HOD OUT.pdf [--ref REF] [--pay N] [--time UNIX]
 *       [--ref-mode keep|remove|name|long] [--ess-hod HOD2]
 *       render a letter (sample facts, the reference printed in its text and QR code),
 *       sign it with KEYS/hod-HOD.key; --time is the claimed signing time (/M and CMS
 *       signingTime); --ref-mode removes the /SurakshaRef entry, makes it a name or an
 *       over-long string; --ess-hod makes the ESS signing-certificate-v2 name HOD2's
 *       certificate instead of the signer's.
 * Exit 0 on success. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/ess.h>
#include <openssl/pem.h>

#include "letters/letter.h"
#include "letters/pki.h"
#include "letters/sign.h"
#include "util/buf.h"
#include "util/fsx.h"
#include "util/strict.h"

static int
die(const char *what)
{
	fprintf(stderr, "forge: %s\n", what);
	ERR_print_errors_fp(stderr);
	return 2;
}

static int
leaf(const char *keys, const char *hod, long long nb, long long na)
{
	char p[1024];
	EVP_PKEY *cak, *k;
	X509 *ca, *c;
	FILE *f;

	snprintf(p, sizeof(p), "%s/ca.key", keys);
	if ((f = fopen(p, "r")) == NULL || (cak = PEM_read_PrivateKey(f, NULL, NULL, NULL)) == NULL)
		return die("no CA key");
	fclose(f);
	if ((ca = pki_load_ca(keys)) == NULL ||
	    pki_make_leaf(cak, ca, "Dr. Ramesh Kumar Sharma", nb, na, &k, &c) != PKI_OK)
		return die("cannot issue");
	snprintf(p, sizeof(p), "%s/hod-%s.key", keys, hod);
	if ((f = fopen(p, "w")) == NULL || !PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL))
		return die("cannot write key");
	fclose(f);
	snprintf(p, sizeof(p), "%s/hod-%s.pem", keys, hod);
	if ((f = fopen(p, "w")) == NULL || !PEM_write_X509(f, c) || !PEM_write_X509(f, ca))
		return die("cannot write cert");
	fclose(f);
	return 0;
}

/* The CMS over the two ranges, its ESS attribute naming other's certificate. */
static int
cms_other_ess(const struct buf *pdf, const struct sig_prepared *prep,
    const struct pki_signer *s, X509 *other, int64_t t, struct buf *der)
{
	const unsigned int flags = CMS_DETACHED | CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP |
	    CMS_CADES;
	size_t len1 = prep->contents_at, len2 = pdf->len - prep->contents_end;
	unsigned char *data = malloc(len1 + len2), *out = NULL, *e = NULL;
	ESS_SIGNING_CERT_V2 *ess;
	ASN1_STRING *seq = ASN1_STRING_new();
	CMS_ContentInfo *cms;
	CMS_SignerInfo *si;
	ASN1_TIME *tm;
	BIO *in;
	int n, i;

	memcpy(data, pdf->data, len1);
	memcpy(data + len1, pdf->data + prep->contents_end, len2);
	if ((cms = CMS_sign(NULL, NULL, NULL, NULL, flags)) == NULL ||
	    (si = CMS_add1_signer(cms, s->cert, s->key, EVP_sha256(), flags)) == NULL)
		return die("CMS");
	for (i = 0; i < sk_X509_num(s->chain); i++)
		CMS_add1_cert(cms, sk_X509_value(s->chain, i));
	CMS_add1_cert(cms, other);
	X509_ATTRIBUTE_free(CMS_signed_delete_attr(si, CMS_signed_get_attr_by_NID(si,
	    NID_id_smime_aa_signingCertificateV2, -1)));
	if ((ess = OSSL_ESS_signing_cert_v2_new_init(EVP_sha256(), other, NULL, 0)) == NULL ||
	    (n = i2d_ESS_SIGNING_CERT_V2(ess, &e)) <= 0 || !ASN1_STRING_set(seq, e, n) ||
	    !CMS_signed_add1_attr_by_NID(si, NID_id_smime_aa_signingCertificateV2,
	    V_ASN1_SEQUENCE, seq, -1))
		return die("ESS");
	tm = ASN1_TIME_set(NULL, (time_t)t);
	CMS_signed_add1_attr_by_NID(si, NID_pkcs9_signingTime, tm->type, tm, -1);
	in = BIO_new_mem_buf(data, (int)(len1 + len2));
	if (!CMS_final(cms, in, NULL, flags) || (n = i2d_CMS_ContentInfo(cms, &out)) <= 0)
		return die("CMS final");
	buf_append(der, out, (size_t)n);
	return 0;
}

static void
patch(struct buf *b, const char *from, const char *to)
{
	char *p = memmem(b->data, b->len, from, strlen(from));

	if (p == NULL || strlen(from) != strlen(to)) {
		fprintf(stderr, "forge: no '%s' to patch\n", from);
		exit(2);
	}
	memcpy(p, to, strlen(to));
}

static int
sign(int argc, char **argv)
{
	const char *keys = argv[2], *hod = argv[3], *out = argv[4];
	const char *ref = "HR/SOS/HLTH/2026/000123", *mode = "keep", *ess_hod = NULL;
	char longref[128], nameref[64];
	long long t = (long long)time(NULL);
	struct letter_facts f;
	struct letter_layout lay;
	struct sig_request req;
	struct sig_prepared prep;
	struct pki_signer s, other;
	struct buf pdf, der;
	int i, pay = 19900;

	for (i = 5; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--ref") == 0)
			ref = argv[i + 1];
		else if (strcmp(argv[i], "--pay") == 0)
			pay = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--time") == 0)
			t = atoll(argv[i + 1]);
		else if (strcmp(argv[i], "--ref-mode") == 0)
			mode = argv[i + 1];
		else if (strcmp(argv[i], "--ess-hod") == 0)
			ess_hod = argv[i + 1];
		else
			return die("bad option");
	}
	if (pki_load_signer(keys, hod, &s) != PKI_OK)
		return die("no signer");
	memset(&f, 0, sizeof(f));
	f.ref = ref;
	f.issued_at = t;
	f.employee_name = "Sunita Devi";
	f.employee_id = "HKRNL-2019-004512";
	f.family_id = "7XK29QP41";
	f.department = "Health";
	f.office = "Civil Surgeon Office";
	f.district = "Rohtak";
	f.designation = "Staff Nurse";
	f.pay_level = 2;
	f.effective_date = date_from_ymd(2026, 12, 1);
	f.entry_pay = pay;
	f.band_percent = 10;
	f.qualifying_years = 9;
	f.additional_remuneration = 2000;
	f.consolidated = pay + 2000;
	f.hod_name = "Dr. Ramesh Kumar Sharma";
	f.hod_designation = "Director General of Health Services";
	f.verify_base_url = "https://sos.haryana.gov.in";
	buf_init(&pdf, 1 << 20);
	buf_init(&der, 1 << 20);
	if (letter_render(NULL, &f, &pdf, &lay) != LETTER_OK)
		return die("render");
	req.signer_name = f.hod_name;
	req.reason = "Offer letter";
	req.letter_ref = ref;
	req.signing_time = t;
	if (strcmp(mode, "name") == 0) {
		snprintf(nameref, sizeof(nameref), "HRSOSHLTH2026000123");
		req.letter_ref = nameref;
	} else if (strcmp(mode, "long") == 0) {
		memset(longref, 'A', sizeof(longref) - 1);
		longref[sizeof(longref) - 1] = '\0';
		memcpy(longref, ref, strlen(ref));
		req.letter_ref = longref;
	}
	if (sig_prepare(&pdf, &lay, &req, &prep) != SIG_OK)
		return die("prepare");
	if (strcmp(mode, "remove") == 0)
		patch(&pdf, "/SurakshaRef (", "/SurakshaXyz (");
	else if (strcmp(mode, "name") == 0)
		patch(&pdf, "/SurakshaRef (HRSOSHLTH2026000123)",
		    "/SurakshaRef /HRSOSHLTH2026000123 ");
	if (ess_hod != NULL) {
		if (pki_load_signer(keys, ess_hod, &other) != PKI_OK ||
		    cms_other_ess(&pdf, &prep, &s, other.cert, t, &der) != 0)
			return die("ESS forgery");
	} else if (sig_cms_sign(&pdf, &prep, &s, t, &der) != SIG_OK)
		return die("sign");
	if (sig_embed(&pdf, &prep, (const unsigned char *)der.data, der.len) != SIG_OK ||
	    fsx_write_atomic(out, pdf.data, pdf.len, 0644) != 0)
		return die("embed");
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 6 && strcmp(argv[1], "leaf") == 0)
		return leaf(argv[2], argv[3], atoll(argv[4]), atoll(argv[5]));
	if (argc >= 5 && strcmp(argv[1], "sign") == 0)
		return sign(argc, argv);
	fprintf(stderr, "usage: forge leaf KEYS HOD NB NA | forge sign KEYS HOD OUT [opts]\n");
	return 2;
}

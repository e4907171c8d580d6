#include "letters/verify.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>
#include <qpdf/qpdf-c.h>

#include "util/buf.h"
#include "util/crypt.h"
#include "util/timeutil.h"

#define MAX_FIELD_DEPTH	4
#define MAX_FIELDS	256
#define MAX_SIG_DER	65536
#define MAX_CMS_CERTS	8
#define CERT_CACHE	64

static const struct {
	const char	*code;
	const char	*message;
} reasons[VR__MAX] = {
	[VR_NO_SIGNATURE] = { "no_signature", "The document carries no digital signature." },
	[VR_MULTIPLE_SIGNATURES] = { "multiple_signatures",
	    "The document carries more than one signature; a portal letter has exactly one." },
	[VR_UNPARSEABLE] = { "unparseable", "The file is not a readable PDF document." },
	[VR_NOT_PADES] = { "not_pades",
	    "The signature is not a PAdES signature (SubFilter ETSI.CAdES.detached)." },
	[VR_BYTERANGE_INVALID] = { "byterange_invalid",
	    "The signed byte ranges are missing, malformed or do not frame the signature "
	    "value exactly." },
	[VR_TRUNCATED] = { "truncated", "The file is shorter than the signed byte ranges: it "
	    "was truncated." },
	[VR_MODIFIED_AFTER_SIGNING] = { "modified_after_signing",
	    "Content was added to the document after it was signed." },
	[VR_CONTENTS_INVALID] = { "contents_invalid",
	    "The signature value is not a single CMS SignedData structure." },
	[VR_DIGEST_MISMATCH] = { "digest_mismatch",
	    "The signed content was changed after signing (digest mismatch)." },
	[VR_SIGNATURE_INVALID] = { "signature_invalid",
	    "The cryptographic signature does not verify with the signer's certificate." },
	[VR_UNTRUSTED_SIGNER] = { "untrusted_signer",
	    "The signer's certificate was not issued by the portal's certificate authority." },
	[VR_CERT_EXPIRED] = { "cert_expired",
	    "The signer's certificate had expired when the document was signed." },
	[VR_CERT_NOT_YET_VALID] = { "cert_not_yet_valid",
	    "The signer's certificate was not yet valid when the document was signed." },
	[VR_NOT_ISSUED_BY_PORTAL] = { "not_issued_by_portal",
	    "The portal has not issued a letter with this reference." },
	[VR_REVOKED] = { "revoked", "The portal has revoked this letter." },
};

const char *
verify_reason_code(enum verify_reason r)
{
	return (unsigned)r < VR__MAX ? reasons[r].code : "unknown";
}

const char *
verify_reason_message(enum verify_reason r)
{
	return (unsigned)r < VR__MAX ? reasons[r].message : "Unknown reason.";
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
add_reason(struct verify_report *r, enum verify_reason why)
{
	unsigned i;

	for (i = 0; i < r->nreasons; i++)
		if (r->reasons[i] == why)
			return;
	if (r->nreasons < VR__MAX)
		r->reasons[r->nreasons++] = why;
}

/* ---- finding the signature with qpdf ---- */

struct found {
	qpdf_oh		sig;	/* the /V dictionary of the one signature field */
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

static int
string_value(qpdf_data q, qpdf_oh dict, const char *key, char *out, size_t outlen)
{
	qpdf_oh o = qpdf_oh_get_key_if_dict(q, dict, key);
	const char *s;
	size_t n;

	out[0] = '\0';
	if (!qpdf_oh_is_string(q, o) || (s = qpdf_oh_get_utf8_value(q, o)) == NULL)
		return -1;
	n = strlen(s);
	if (n >= outlen)
		return -1;
	memcpy(out, s, n + 1);
	return 0;
}

/* "D:YYYYMMDDHHmmSS+HH'mm'" (the form we write) to Unix seconds. */
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

/* What the raw-byte checks need from the parsed signature dictionary. */
struct sigdict {
	long long	br[4];
	int		br_ok;
	unsigned char	*contents;	/* decoded /Contents (a copy: qpdf reuses its buffer) */
	size_t		contents_len;
	int		pades;
	int64_t		m;
};

static void
read_sigdict(qpdf_data q, qpdf_oh sig, struct verify_report *r, struct sigdict *d)
{
	qpdf_oh br = qpdf_oh_get_key_if_dict(q, sig, "/ByteRange");
	qpdf_oh contents = qpdf_oh_get_key_if_dict(q, sig, "/Contents");
	qpdf_oh sub = qpdf_oh_get_key_if_dict(q, sig, "/SubFilter");
	char m[64];
	int i;

	d->br_ok = qpdf_oh_is_array(q, br) && qpdf_oh_get_array_n_items(q, br) == 4;
	for (i = 0; d->br_ok && i < 4; i++) {
		qpdf_oh it = qpdf_oh_get_array_item(q, br, i);

		if (!qpdf_oh_is_integer(q, it))
			d->br_ok = 0;
		else
			d->br[i] = qpdf_oh_get_int_value(q, it);
	}
	if (qpdf_oh_is_string(q, contents)) {
		const char *v = qpdf_oh_get_binary_string_value(q, contents, &d->contents_len);

		if (v != NULL && d->contents_len <= MAX_SIG_DER &&
		    (d->contents = malloc(d->contents_len + 1)) != NULL)
			memcpy(d->contents, v, d->contents_len);
	}
	d->pades = qpdf_oh_is_name_and_equals(q, sub, "/ETSI.CAdES.detached");
	if (string_value(q, sig, "/M", m, sizeof(m)) == 0)
		d->m = parse_pdf_date(m);
	string_value(q, sig, "/SurakshaRef", r->letter_ref, sizeof(r->letter_ref));
}

static int
is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int
hexval(unsigned char c)
{
	return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* The ByteRange must be [0 a b c] with [a, b) exactly the hex string that qpdf parsed as
 * the signature's /Contents, preceded by the /Contents key, and b + c the file's length.
 * Then every byte of the file but the signature value is covered by the signature. */
static int
check_ranges(const unsigned char *data, size_t len, const struct sigdict *d,
    struct verify_report *r, size_t *a_out, size_t *b_out)
{
	long long a = d->br[1], b = d->br[2], c = d->br[3];
	size_t i, k, hexlen;
	const unsigned char *p;

	if (!d->br_ok || d->br[0] != 0 || a <= 0 || b <= a || c < 0 || b - a < 2 ||
	    d->contents == NULL) {
		add_reason(r, VR_BYTERANGE_INVALID);
		return -1;
	}
	if ((unsigned long long)a >= len || (unsigned long long)b > len ||
	    (unsigned long long)b + (unsigned long long)c > len) {
		add_reason(r, VR_TRUNCATED);
		return -1;
	}
	if (data[a] != '<' || data[b - 1] != '>') {
		add_reason(r, VR_BYTERANGE_INVALID);
		return -1;
	}
	/* "/Contents" then optional white space right before '<' */
	for (k = (size_t)a; k > 0 && (data[k - 1] == ' ' || data[k - 1] == '\n' ||
	    data[k - 1] == '\r' || data[k - 1] == '\t'); k--)
		;
	if (k < 9 || memcmp(data + k - 9, "/Contents", 9) != 0) {
		add_reason(r, VR_BYTERANGE_INVALID);
		return -1;
	}
	p = data + a + 1;
	hexlen = (size_t)(b - a - 2);
	if (hexlen % 2 != 0 || hexlen / 2 != d->contents_len) {
		add_reason(r, VR_BYTERANGE_INVALID);
		return -1;
	}
	for (i = 0; i < hexlen; i += 2) {
		if (!is_hex(p[i]) || !is_hex(p[i + 1]) ||
		    (unsigned)(hexval(p[i]) << 4 | hexval(p[i + 1])) != d->contents[i / 2]) {
			add_reason(r, VR_BYTERANGE_INVALID);
			return -1;
		}
	}
	if ((unsigned long long)b + (unsigned long long)c < len) {
		r->modified_after_signing = 1;
		add_reason(r, VR_MODIFIED_AFTER_SIGNING);
	}
	*a_out = (size_t)a;
	*b_out = (size_t)b;
	return 0;
}

/* ---- the CMS, with its certificates parsed once per process ---- */

/* OpenSSL 3.0 spends ~100 us decoding each certificate's public key, more than the
 * signature checks themselves. A portal has a few hundred signers, so the certificates are
 * cut out of the CMS before it is parsed, and each is parsed once and kept, keyed by the
 * SHA-256 of its exact DER (identical bytes, identical certificate). */
static struct {
	unsigned char	hash[SHA256_LEN];
	X509		*x;
} cert_cache[CERT_CACHE];
static unsigned cert_next;
static pthread_mutex_t cert_lock = PTHREAD_MUTEX_INITIALIZER;

void
verify_cache_clear(void)
{
	unsigned i;

	pthread_mutex_lock(&cert_lock);
	for (i = 0; i < CERT_CACHE; i++) {
		X509_free(cert_cache[i].x);
		cert_cache[i].x = NULL;
	}
	pthread_mutex_unlock(&cert_lock);
}

/* A new reference to the certificate of der; NULL when it does not parse exactly. */
static X509 *
cert_get(const unsigned char *der, size_t len)
{
	unsigned char h[SHA256_LEN];
	const unsigned char *p = der;
	X509 *x = NULL;
	unsigned i;

	crypt_sha256(der, len, h);
	pthread_mutex_lock(&cert_lock);
	for (i = 0; i < CERT_CACHE; i++)
		if (cert_cache[i].x != NULL && memcmp(cert_cache[i].hash, h, sizeof(h)) == 0) {
			x = cert_cache[i].x;
			X509_up_ref(x);
			break;
		}
	pthread_mutex_unlock(&cert_lock);
	if (x != NULL)
		return x;
	if ((x = d2i_X509(NULL, &p, (long)len)) == NULL || p != der + len) {
		X509_free(x);
		return NULL;
	}
	pthread_mutex_lock(&cert_lock);
	i = cert_next++ % CERT_CACHE;
	X509_free(cert_cache[i].x);
	memcpy(cert_cache[i].hash, h, sizeof(h));
	cert_cache[i].x = x;
	X509_up_ref(x);
	pthread_mutex_unlock(&cert_lock);
	return x;
}

/* One DER TLV at p (definite length, up to 3 length bytes): its tag, header and body
 * sizes; -1 when it does not fit in len. */
static int
der_tlv(const unsigned char *p, size_t len, unsigned char *tag, size_t *hdr, size_t *body)
{
	size_t n, i, l = 0;

	if (len < 2)
		return -1;
	*tag = p[0];
	if (p[1] < 0x80) {
		*hdr = 2;
		l = p[1];
	} else {
		n = p[1] & 0x7f;
		if (n == 0 || n > 3 || len < 2 + n)
			return -1;
		for (i = 0; i < n; i++)
			l = (l << 8) | p[2 + i];
		*hdr = 2 + n;
	}
	if (l > len - *hdr)
		return -1;
	*body = l;
	return 0;
}

static int
der_header(struct buf *b, unsigned char tag, size_t len)
{
	unsigned char h[5];
	size_t n = 0;

	h[n++] = tag;
	if (len < 0x80)
		h[n++] = (unsigned char)len;
	else if (len < 0x100) {
		h[n++] = 0x81;
		h[n++] = (unsigned char)len;
	} else if (len < 0x10000) {
		h[n++] = 0x82;
		h[n++] = (unsigned char)(len >> 8);
		h[n++] = (unsigned char)len;
	} else
		return -1;
	return buf_append(b, h, n);
}

struct cms_split {
	struct buf	stripped;		/* the ContentInfo without certificates */
	size_t		der_len;		/* length of the whole DER in /Contents */
	const unsigned char *cert[MAX_CMS_CERTS];
	size_t		cert_len[MAX_CMS_CERTS];
	unsigned	ncerts;
};

/* ContentInfo { OID, [0] { SignedData { version, digestAlgorithms, encapContentInfo,
 * [0] certificates, [1] crls?, signerInfos } } }: copies it without the certificates
 * field and points at each certificate. -1 on any other shape. */
static int
cms_split(const unsigned char *der, size_t len, struct cms_split *cs)
{
	const unsigned char *ci, *oid, *ctx, *sd, *q, *certs = NULL;
	size_t h, b, ci_len, oid_len, sd_body, certs_len = 0, certs_tlv = 0, off, hh, bb;
	unsigned char tag;

	if (der_tlv(der, len, &tag, &h, &b) != 0 || tag != 0x30)
		return -1;
	cs->der_len = h + b;
	ci = der + h;
	ci_len = b;
	if (der_tlv(ci, ci_len, &tag, &h, &b) != 0 || tag != 0x06)
		return -1;
	oid = ci;
	oid_len = h + b;
	ctx = ci + oid_len;
	if (der_tlv(ctx, ci_len - oid_len, &tag, &h, &b) != 0 || tag != 0xA0 ||
	    h + b != ci_len - oid_len)
		return -1;
	sd = ctx + h;
	bb = b;
	if (der_tlv(sd, bb, &tag, &h, &b) != 0 || tag != 0x30 || h + b != bb)
		return -1;
	sd += h;
	sd_body = b;
	for (off = 0; off < sd_body; off += hh + bb) {
		if (der_tlv(sd + off, sd_body - off, &tag, &hh, &bb) != 0)
			return -1;
		if (tag == 0xA0) {
			if (certs != NULL)
				return -1;
			certs = sd + off;
			certs_tlv = hh + bb;
			certs_len = bb;
			for (q = certs + hh; q < certs + certs_tlv; q += h + b) {
				if (der_tlv(q, (size_t)(certs + certs_tlv - q), &tag, &h, &b) != 0 ||
				    tag != 0x30 || cs->ncerts >= MAX_CMS_CERTS)
					return -1;
				cs->cert[cs->ncerts] = q;
				cs->cert_len[cs->ncerts++] = h + b;
			}
		}
	}
	if (certs == NULL || cs->ncerts == 0 || certs_len == 0)
		return -1;
	{
		size_t sd_new = sd_body - certs_tlv;
		size_t sd_hdr = sd_new < 0x80 ? 2 : sd_new < 0x100 ? 3 : 4;
		size_t ctx_new = sd_hdr + sd_new;
		size_t ctx_hdr = ctx_new < 0x80 ? 2 : ctx_new < 0x100 ? 3 : 4;
		size_t ci_new = oid_len + ctx_hdr + ctx_new;

		if (der_header(&cs->stripped, 0x30, ci_new) != 0 ||
		    buf_append(&cs->stripped, oid, oid_len) != 0 ||
		    der_header(&cs->stripped, 0xA0, ctx_new) != 0 ||
		    der_header(&cs->stripped, 0x30, sd_new) != 0 ||
		    buf_append(&cs->stripped, sd, (size_t)(certs - sd)) != 0 ||
		    buf_append(&cs->stripped, certs + certs_tlv,
		    sd_body - (size_t)(certs - sd) - certs_tlv) != 0)
			return -1;
	}
	return 0;
}

static int64_t
asn1_time_unix(const ASN1_TIME *t)
{
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return (int64_t)timegm(&tm);
}

static int64_t
cms_signing_time(CMS_SignerInfo *si)
{
	int i = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
	X509_ATTRIBUTE *at;
	ASN1_TYPE *t;

	if (i < 0 || (at = CMS_signed_get_attr(si, i)) == NULL ||
	    X509_ATTRIBUTE_count(at) != 1 || (t = X509_ATTRIBUTE_get0_type(at, 0)) == NULL)
		return 0;
	if (t->type == V_ASN1_UTCTIME || t->type == V_ASN1_GENERALIZEDTIME)
		return asn1_time_unix((const ASN1_TIME *)t->value.asn1_string);
	return 0;
}

static void
signer_cn(X509 *cert, char *out, size_t outlen)
{
	X509_NAME *name = X509_get_subject_name(cert);
	int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
	unsigned char *utf = NULL;
	int n;

	out[0] = '\0';
	if (i < 0 ||
	    (n = ASN1_STRING_to_UTF8(&utf, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name,
	    i)))) < 0)
		return;
	if ((size_t)n < outlen) {
		memcpy(out, utf, (size_t)n);
		out[n] = '\0';
	}
	OPENSSL_free(utf);
}

static void
check_chain(X509 *ca, X509 *signer, STACK_OF(X509) *certs, int64_t at,
    struct verify_report *r)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int err;

	if (store == NULL || ctx == NULL || ca == NULL || !X509_STORE_add_cert(store, ca) ||
	    !X509_STORE_CTX_init(ctx, store, signer, certs)) {
		add_reason(r, VR_UNTRUSTED_SIGNER);
		goto out;
	}
	/* validity is judged at signing time, so letters outlive their signer's certificate */
	X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), (time_t)at);
	if (X509_verify_cert(ctx) == 1) {
		if ((X509_get_key_usage(signer) &
		    (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) == 0)
			add_reason(r, VR_UNTRUSTED_SIGNER);
		else
			r->chain_trusted = 1;
		goto out;
	}
	err = X509_STORE_CTX_get_error(ctx);
	if (err == X509_V_ERR_CERT_HAS_EXPIRED)
		add_reason(r, VR_CERT_EXPIRED);
	else if (err == X509_V_ERR_CERT_NOT_YET_VALID)
		add_reason(r, VR_CERT_NOT_YET_VALID);
	else
		add_reason(r, VR_UNTRUSTED_SIGNER);
out:
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
}

static void
sha256_ranges(const unsigned char *data, size_t len, size_t a, size_t b, unsigned char md[32])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int n = 32;

	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, data, a) != 1 || EVP_DigestUpdate(ctx, data + b, len - b) != 1 ||
	    EVP_DigestFinal_ex(ctx, md, &n) != 1)
		memset(md, 0, 32);
	EVP_MD_CTX_free(ctx);
}

/* Digest of [0, a) + [b, len), signature, signer and its chain. 1 when the signature
 * itself is good (the chain is reported separately). */
static int
check_cms(const unsigned char *data, size_t len, size_t a, size_t b,
    const struct sigdict *d, X509 *ca, struct verify_report *r, int *digest_ok)
{
	struct cms_split cs;
	const unsigned char *p;
	CMS_ContentInfo *cms = NULL;
	STACK_OF(CMS_SignerInfo) *sis;
	STACK_OF(X509) *certs = NULL;
	CMS_SignerInfo *si;
	X509 *signer = NULL, *x;
	X509_ALGOR *dig = NULL;
	ASN1_OCTET_STRING *md;
	unsigned char want[32];
	unsigned i;
	int rc = 0;

	memset(&cs, 0, sizeof(cs));
	buf_init(&cs.stripped, MAX_SIG_DER);
	if (d->contents_len == 0 || d->contents_len > MAX_SIG_DER ||
	    cms_split(d->contents, d->contents_len, &cs) != 0) {
		add_reason(r, VR_CONTENTS_INVALID);
		goto out;
	}
	/* only zero padding may follow the DER */
	for (i = 0; cs.der_len + i < d->contents_len; i++)
		if (d->contents[cs.der_len + i] != 0) {
			add_reason(r, VR_CONTENTS_INVALID);
			goto out;
		}
	p = (const unsigned char *)cs.stripped.data;
	if ((certs = sk_X509_new_null()) == NULL)
		goto out;
	for (i = 0; i < cs.ncerts; i++)
		if ((x = cert_get(cs.cert[i], cs.cert_len[i])) == NULL || !sk_X509_push(certs, x)) {
			X509_free(x);
			add_reason(r, VR_CONTENTS_INVALID);
			goto out;
		}
	if ((cms = d2i_CMS_ContentInfo(NULL, &p, (long)cs.stripped.len)) == NULL ||
	    p != (const unsigned char *)cs.stripped.data + cs.stripped.len ||
	    OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed ||
	    CMS_get0_content(cms) == NULL || *CMS_get0_content(cms) != NULL ||
	    (sis = CMS_get0_SignerInfos(cms)) == NULL || sk_CMS_SignerInfo_num(sis) != 1 ||
	    CMS_set1_signers_certs(cms, certs, 0) != 1) {
		add_reason(r, VR_CONTENTS_INVALID);
		goto out;
	}
	si = sk_CMS_SignerInfo_value(sis, 0);
	CMS_SignerInfo_get0_algs(si, NULL, &signer, &dig, NULL);
	if (signer == NULL || dig == NULL) {
		add_reason(r, VR_CONTENTS_INVALID);
		goto out;
	}
	signer_cn(signer, r->signer, sizeof(r->signer));
	r->signed_at = cms_signing_time(si);
	if (r->signed_at == 0)
		r->signed_at = d->m;
	/* the digest of the ranges against the signed messageDigest */
	md = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3,
	    V_ASN1_OCTET_STRING);
	if (OBJ_obj2nid(dig->algorithm) != NID_sha256 || md == NULL ||
	    ASN1_STRING_length(md) != 32) {
		add_reason(r, VR_CONTENTS_INVALID);
		goto out;
	}
	sha256_ranges(data, len, a, b, want);
	if (CRYPTO_memcmp(want, ASN1_STRING_get0_data(md), 32) != 0) {
		r->modified_after_signing = 1;
		add_reason(r, VR_DIGEST_MISMATCH);
	} else {
		*digest_ok = 1;
		if (CMS_SignerInfo_verify(si) != 1)
			add_reason(r, VR_SIGNATURE_INVALID);
		else
			rc = 1;
	}
	check_chain(ca, signer, certs, r->signed_at ? r->signed_at : time_now(), r);
out:
	ERR_clear_error();
	sk_X509_pop_free(certs, X509_free);
	CMS_ContentInfo_free(cms);
	buf_free(&cs.stripped);
	return rc;
}

static size_t
count_raw(const unsigned char *data, size_t len, const char *needle)
{
	size_t n = 0, nl = strlen(needle);
	const unsigned char *p = data, *end = data + len;

	while (p < end && (p = memmem(p, (size_t)(end - p), needle, nl)) != NULL) {
		n++;
		p += nl;
	}
	return n;
}

int
verify_pdf(const unsigned char *data, size_t len, X509 *ca, verify_lookup_fn lookup,
    void *lookup_arg, struct verify_report *r)
{
	qpdf_data q = NULL;
	struct found f;
	struct sigdict d;
	size_t a = 0, b = 0;
	int sig_ok = 0, digest_ok = 0;

	memset(r, 0, sizeof(*r));
	memset(&f, 0, sizeof(f));
	memset(&d, 0, sizeof(d));
	r->issued_by_portal = -1;
	r->revoked = -1;
	if (data == NULL || len < 8 || memcmp(data, "%PDF-", 5) != 0) {
		add_reason(r, VR_UNPARSEABLE);
		goto done;
	}
	/* every complete PDF revision ends with %%EOF: its absence is a cut-off file */
	if (memmem(data + (len > 32 ? len - 32 : 0), len > 32 ? 32 : len, "%%EOF", 5) == NULL)
		add_reason(r, VR_TRUNCATED);
	if ((q = qpdf_init()) == NULL)
		return -1;
	qpdf_silence_errors(q);
	qpdf_set_suppress_warnings(q, QPDF_TRUE);
	if ((qpdf_read_memory(q, "letter.pdf", (const char *)data, len, NULL) & QPDF_ERRORS) != 0) {
		if (!has_reason(r, VR_TRUNCATED))
			add_reason(r, VR_UNPARSEABLE);
		goto done;
	}
	walk_fields(q, qpdf_oh_get_key_if_dict(q, qpdf_oh_get_key_if_dict(q, qpdf_get_root(q),
	    "/AcroForm"), "/Fields"), 0, &f);
	if (f.count == 0) {
		if (!has_reason(r, VR_TRUNCATED))
			add_reason(r, VR_NO_SIGNATURE);
		goto done;
	}
	/* the raw count also catches a second signature dictionary no field points at */
	if (f.count > 1 || count_raw(data, len, "/ByteRange") > 1)
		add_reason(r, VR_MULTIPLE_SIGNATURES);
	read_sigdict(q, f.sig, r, &d);
	if (!d.pades)
		add_reason(r, VR_NOT_PADES);
	if (check_ranges(data, len, &d, r, &a, &b) != 0)
		goto done;
	sig_ok = check_cms(data, len, a, b, &d, ca, r, &digest_ok);
done:
	/* the reference is reported only from intact signed bytes: elsewhere it may be forged */
	if (!digest_ok || r->modified_after_signing)
		r->letter_ref[0] = '\0';
	if (lookup != NULL && r->letter_ref[0] != '\0') {
		int issued = -1, revoked = -1;

		if (lookup(r->letter_ref, &issued, &revoked, lookup_arg) == 0) {
			r->issued_by_portal = issued;
			r->revoked = revoked;
			if (issued == 0)
				add_reason(r, VR_NOT_ISSUED_BY_PORTAL);
			if (revoked == 1)
				add_reason(r, VR_REVOKED);
		}
	}
	r->valid = sig_ok && r->chain_trusted && r->nreasons == 0;
	free(d.contents);
	if (q != NULL) {
		/* retrieved, or qpdf prints "application did not handle error" */
		while (qpdf_has_error(q))
			(void)qpdf_get_error(q);
		while (qpdf_more_warnings(q))
			(void)qpdf_next_warning(q);
		qpdf_cleanup(&q);
	}
	return 0;
}

json_t *
verify_report_json(const struct verify_report *r)
{
	json_t *o = json_object(), *codes = json_array(), *msgs = json_array();
	char when[21];
	unsigned i;

	if (o == NULL || codes == NULL || msgs == NULL) {
		json_decref(o);
		json_decref(codes);
		json_decref(msgs);
		return NULL;
	}
	for (i = 0; i < r->nreasons; i++) {
		json_array_append_new(codes, json_string(verify_reason_code(r->reasons[i])));
		json_array_append_new(msgs, json_string(verify_reason_message(r->reasons[i])));
	}
	if (r->signed_at > 0)
		time_iso_utc(r->signed_at, when);
	json_object_set_new(o, "valid", json_boolean(r->valid));
	json_object_set_new(o, "signer", r->signer[0] ? json_string(r->signer) : json_null());
	json_object_set_new(o, "signed_at", r->signed_at > 0 ? json_string(when) : json_null());
	json_object_set_new(o, "modified_after_signing",
	    json_boolean(r->modified_after_signing));
	json_object_set_new(o, "chain_trusted", json_boolean(r->chain_trusted));
	json_object_set_new(o, "letter_ref",
	    r->letter_ref[0] ? json_string(r->letter_ref) : json_null());
	json_object_set_new(o, "issued_by_portal", r->issued_by_portal < 0 ? json_null() :
	    json_boolean(r->issued_by_portal));
	json_object_set_new(o, "revoked", r->revoked < 0 ? json_null() :
	    json_boolean(r->revoked));
	json_object_set_new(o, "reasons", codes);
	json_object_set_new(o, "messages", msgs);
	return o;
}

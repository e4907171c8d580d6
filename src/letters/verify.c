#include "letters/verify.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/cms.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/ess.h>
#include <openssl/evp.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>

#include "letters/verify_der.h"
#include "util/buf.h"
#include "util/crypt.h"
#include "util/strict.h"
#include "util/timeutil.h"

#define CERT_CACHE		64
#define CLOCK_SKEW		300	/* seconds a claimed signing time may run ahead */

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
	    "The signer's certificate had expired at the time the signature is proven to "
	    "exist (the portal's issue record, or now)." },
	[VR_CERT_NOT_YET_VALID] = { "cert_not_yet_valid",
	    "The signer's certificate was not yet valid at the time the signature is proven "
	    "to exist (the portal's issue record, or now)." },
	[VR_NOT_ISSUED_BY_PORTAL] = { "not_issued_by_portal",
	    "The portal has not issued this letter: no letter has this reference, or the "
	    "letter issued under it is a different one." },
	[VR_REVOKED] = { "revoked", "The portal has revoked this letter." },
	/* issue 9: strict verification */
	[VR_REF_MISSING] = { "ref_missing",
	    "The signature carries no letter reference (/SurakshaRef)." },
	[VR_REF_MALFORMED] = { "ref_malformed",
	    "The signed letter reference is not of the portal's form (HR/SOS/DEPT/YEAR/NUMBER)." },
	[VR_SIGNER_NOT_ENROLLED] = { "signer_not_enrolled",
	    "The letter was not signed with the certificate the Head of Department had "
	    "enrolled when the portal issued it." },
	[VR_CERT_REVOKED] = { "cert_revoked",
	    "The signer's certificate was revoked by the portal's certificate authority "
	    "before the time the signature is proven to exist." },
	[VR_ESS_MISMATCH] = { "ess_cert_mismatch",
	    "The signed signing-certificate attribute is missing or names another "
	    "certificate than the one that signed." },
	[VR_KEY_USAGE] = { "key_usage_invalid",
	    "The signer's certificate does not allow digital signatures (key usage)." },
	[VR_SIGNER_IS_CA] = { "signer_is_ca",
	    "The signer's certificate is a certificate authority's, not a person's." },
	[VR_EKU_NOT_ALLOWED] = { "eku_not_allowed",
	    "The signer's certificate is meant for another purpose (extended key usage)." },
	[VR_WEAK_KEY] = { "weak_key",
	    "The signer's key is too weak (RSA under 2048 bits, elliptic curves under "
	    "P-256) or of an unsupported type." },
	[VR_SIGNING_TIME_FUTURE] = { "signing_time_in_future",
	    "The signature claims a signing time later than now." },
	[VR_TOO_COMPLEX] = { "too_complex",
	    "The file is too complex to check: reading it exceeded the verifier's memory or "
	    "time limit." },
	/* issue 13 */
	[VR_TIMESTAMP_INVALID] = { "timestamp_invalid",
	    "The signature's timestamp (PAdES B-T) does not verify: it is not over this "
	    "signature value, or not signed by a time-stamping authority of the portal CA." },
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
	if (!has_reason(r, why) && r->nreasons < VR__MAX)
		r->reasons[r->nreasons++] = why;
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

/* Bytes after the signed revision: PAdES B-LT/B-LTA append a /DSS dictionary with
 * validation data, or a document timestamp, on purpose; anything else (new content, a
 * changed page, an annotation, a field value: the incremental saving and shadow attacks)
 * is refused.
 * TODO(issue 13): allow exactly those two kinds, decided by what each later revision
 * changes (pyHanko's difference analysis, DSS): parse the revisions from signed_end on
 * (in the limited worker), and accept one only when every object it adds or replaces is
 * the catalog gaining /DSS (all else in the catalog unchanged), the /DSS dictionary and
 * its /Certs /CRLs /OCSPs /VRI streams, or a /DocTimeStamp signature field with its
 * widget and the AcroForm /Fields array gaining it. Never by the revision's size. Until
 * the portal appends such revisions, none is allowed. */
static int
later_revisions_allowed(const unsigned char *data, size_t signed_end, size_t len)
{
	(void)data;
	(void)signed_end;
	(void)len;
	return 0;
}

/* The ByteRange must be [0 a b c] with [a, b) exactly the hex string that qpdf parsed as
 * the signature's /Contents, preceded by the /Contents key, and b + c the file's length.
 * Then every byte of the file but the signature value is covered by the signature. */
static int
check_ranges(const unsigned char *data, size_t len, const struct verify_parsed *d,
    struct verify_report *r, size_t *a_out, size_t *b_out)
{
	long long a = d->br[1], b = d->br[2], c = d->br[3];
	size_t i, k, hexlen;
	const unsigned char *p;

	if (!d->br_ok || d->br[0] != 0 || a <= 0 || b <= a || c < 0 || b - a < 2 ||
	    !d->contents_ok) {
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
	if ((unsigned long long)b + (unsigned long long)c < len &&
	    !later_revisions_allowed(data, (size_t)(b + c), len)) {
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

/* A new reference to the certificate of der (h: its SHA-256); NULL when it does not
 * parse exactly. */
static X509 *
cert_get(const unsigned char *der, size_t len, const unsigned char h[SHA256_LEN])
{
	const unsigned char *p = der;
	X509 *x = NULL;
	unsigned i;

	pthread_mutex_lock(&cert_lock);
	for (i = 0; i < CERT_CACHE; i++)
		if (cert_cache[i].x != NULL && memcmp(cert_cache[i].hash, h, SHA256_LEN) == 0) {
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
	memcpy(cert_cache[i].hash, h, SHA256_LEN);
	cert_cache[i].x = x;
	X509_up_ref(x);
	pthread_mutex_unlock(&cert_lock);
	return x;
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

/* ESS signing-certificate(-v2), signed attributes: the first certificate they name must
 * be the one that signed (RFC 5035; PAdES requires v2). OpenSSL decodes and compares. */
static int
ess_matches(CMS_SignerInfo *si, X509 *signer)
{
	ASN1_STRING *v1, *v2;
	ESS_SIGNING_CERT *ss = NULL;
	ESS_SIGNING_CERT_V2 *ssv2 = NULL;
	STACK_OF(X509) *chain = sk_X509_new_null();
	const unsigned char *p;
	int ok = 0;

	v1 = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_id_smime_aa_signingCertificate),
	    -3, V_ASN1_SEQUENCE);
	v2 = CMS_signed_get0_data_by_OBJ(si,
	    OBJ_nid2obj(NID_id_smime_aa_signingCertificateV2), -3, V_ASN1_SEQUENCE);
	if (chain == NULL || v2 == NULL || !sk_X509_push(chain, signer))
		goto out;
	p = ASN1_STRING_get0_data(v2);
	if ((ssv2 = d2i_ESS_SIGNING_CERT_V2(NULL, &p, ASN1_STRING_length(v2))) == NULL ||
	    p != ASN1_STRING_get0_data(v2) + ASN1_STRING_length(v2))
		goto out;
	if (v1 != NULL) {
		p = ASN1_STRING_get0_data(v1);
		if ((ss = d2i_ESS_SIGNING_CERT(NULL, &p, ASN1_STRING_length(v1))) == NULL)
			goto out;
	}
	ok = OSSL_ESS_check_signing_certs(ss, ssv2, chain, 1) == 1;
out:
	sk_X509_free(chain);	/* signer is borrowed */
	ESS_SIGNING_CERT_free(ss);
	ESS_SIGNING_CERT_V2_free(ssv2);
	return ok;
}

/* The EKU policy: absent (any purpose), or naming document signing or e-mail protection
 * and neither TLS server authentication nor time stamping. */
static int
eku_allowed(X509 *x)
{
	static const char *const allow[] = {
		"1.3.6.1.5.5.7.3.4",		/* emailProtection */
		"1.3.6.1.5.5.7.3.36",		/* id-kp-documentSigning (RFC 9336) */
		"1.3.6.1.4.1.311.10.3.12",	/* Microsoft document signing */
		"1.2.840.113583.1.1.5",		/* Adobe authentic documents trust */
	};
	EXTENDED_KEY_USAGE *eku;
	char oid[64];
	int i, crit = 0, allowed = 0, refused = 0;
	size_t k;

	if ((X509_get_extension_flags(x) & EXFLAG_XKUSAGE) == 0)
		return 1;
	if ((eku = X509_get_ext_d2i(x, NID_ext_key_usage, &crit, NULL)) == NULL)
		return 0;
	for (i = 0; i < sk_ASN1_OBJECT_num(eku); i++) {
		ASN1_OBJECT *o = sk_ASN1_OBJECT_value(eku, i);
		int nid = OBJ_obj2nid(o);

		if (nid == NID_server_auth || nid == NID_time_stamp)
			refused = 1;
		if (OBJ_obj2txt(oid, sizeof(oid), o, 1) <= 0)
			continue;
		for (k = 0; k < sizeof(allow) / sizeof(allow[0]); k++)
			if (strcmp(oid, allow[k]) == 0)
				allowed = 1;
	}
	EXTENDED_KEY_USAGE_free(eku);
	return allowed && !refused;
}

static int
key_strong(X509 *x)
{
	EVP_PKEY *k = X509_get0_pubkey(x);
	char group[64];
	size_t n = 0;

	if (k == NULL)
		return 0;
	switch (EVP_PKEY_get_base_id(k)) {
	case EVP_PKEY_RSA:
		return EVP_PKEY_get_bits(k) >= 2048;
	case EVP_PKEY_EC:
		if (EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group,
		    sizeof(group), &n) != 1)
			return 0;
		return strcmp(group, "prime256v1") == 0 || strcmp(group, "secp384r1") == 0 ||
		    strcmp(group, "secp521r1") == 0;
	default:
		return 0;
	}
}

/* The signer certificate's profile (SIGNING.md): each refusal with its own reason. */
static void
check_profile(X509 *signer, struct verify_report *r)
{
	uint32_t flags = X509_get_extension_flags(signer);

	if ((flags & EXFLAG_KUSAGE) == 0 ||
	    (X509_get_key_usage(signer) & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) == 0)
		add_reason(r, VR_KEY_USAGE);
	if (X509_check_ca(signer) != 0)
		add_reason(r, VR_SIGNER_IS_CA);
	if (!eku_allowed(signer))
		add_reason(r, VR_EKU_NOT_ALLOWED);
	if (!key_strong(signer))
		add_reason(r, VR_WEAK_KEY);
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
	X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), (time_t)at);
	if (X509_verify_cert(ctx) == 1) {
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

/* What the CMS stage hands to the decisions that follow. */
struct signed_info {
	X509		*signer;		/* a reference; NULL when none was found */
	STACK_OF(X509)	*certs;			/* the CMS's certificates */
	unsigned char	signer_hash[SHA256_LEN];/* SHA-256 of the signer's DER */
	unsigned char	digest[SHA256_LEN];	/* of the two signed ranges */
	int		digest_ok;
	int		sig_ok;
	int		has_signing_time;	/* a CMS signingTime: not strict B-B */
	int		ts_present;		/* an id-aa-signatureTimeStampToken */
	int		ts_ok;			/* ... that verified */
	int64_t		ts_time;		/* its genTime */
};

static void
signed_info_free(struct signed_info *si)
{
	X509_free(si->signer);
	sk_X509_pop_free(si->certs, X509_free);
}

/* issue 13, B-T: the unsigned attribute id-aa-signatureTimeStampToken (RFC 3161
 * appendix A; ETSI EN 319 122-1) must be exactly one RFC 3161 token whose message imprint
 * is the SHA-256 of this SignerInfo's signature value, signed by a TSA certificate with
 * the critical EKU timeStamping (and nothing else) that chains to the portal CA at the
 * token's genTime and is not on the CRL by then. Its genTime is then the proven time. */
static void
check_timestamp(CMS_SignerInfo *si, const struct verify_ctx *vc, struct verify_report *r,
    struct signed_info *out)
{
	int idx = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, -1);
	ASN1_OCTET_STRING *sigval = CMS_SignerInfo_get0_signature(si);
	X509_ATTRIBUTE *at;
	ASN1_TYPE *t;
	const unsigned char *p;
	unsigned char md[SHA256_LEN];
	PKCS7 *p7 = NULL;
	TS_TST_INFO *tst = NULL;
	TS_MSG_IMPRINT *mi;
	ASN1_OCTET_STRING *imprint;
	TS_VERIFY_CTX *ctx = NULL;
	X509_STORE *store = NULL;
	STACK_OF(X509) *signers = NULL;
	X509 *tsa;
	X509_EXTENSION *ext;
	X509_REVOKED *rev = NULL;
	int64_t gen;
	int i;

	if (idx < 0)
		return;
	out->ts_present = 1;
	if (CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, idx) >= 0 ||
	    (at = CMS_unsigned_get_attr(si, idx)) == NULL || X509_ATTRIBUTE_count(at) != 1 ||
	    (t = X509_ATTRIBUTE_get0_type(at, 0)) == NULL || t->type != V_ASN1_SEQUENCE ||
	    sigval == NULL || vc->ca == NULL)
		goto bad;
	p = ASN1_STRING_get0_data(t->value.sequence);
	if ((p7 = d2i_PKCS7(NULL, &p, ASN1_STRING_length(t->value.sequence))) == NULL ||
	    p != ASN1_STRING_get0_data(t->value.sequence) + ASN1_STRING_length(t->value.sequence) ||
	    (tst = PKCS7_to_TS_TST_INFO(p7)) == NULL)
		goto bad;
	/* the imprint: SHA-256 of the signature value */
	mi = TS_TST_INFO_get_msg_imprint(tst);
	imprint = mi ? TS_MSG_IMPRINT_get_msg(mi) : NULL;
	crypt_sha256(ASN1_STRING_get0_data(sigval), (size_t)ASN1_STRING_length(sigval), md);
	if (mi == NULL || TS_MSG_IMPRINT_get_algo(mi) == NULL ||
	    OBJ_obj2nid(TS_MSG_IMPRINT_get_algo(mi)->algorithm) != NID_sha256 ||
	    imprint == NULL || ASN1_STRING_length(imprint) != SHA256_LEN ||
	    CRYPTO_memcmp(ASN1_STRING_get0_data(imprint), md, SHA256_LEN) != 0)
		goto bad;
	if ((gen = asn1_time_unix(TS_TST_INFO_get_time(tst))) <= 0 ||
	    gen > time_now() + CLOCK_SKEW)
		goto bad;
	/* the token's signature and its TSA certificate: the chain at genTime, OpenSSL's
	 * time-stamping purpose (key usage, the EKU timeStamping alone and critical) */
	if ((store = X509_STORE_new()) == NULL || !X509_STORE_add_cert(store, vc->ca))
		goto bad;
	X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store), (time_t)gen);
	if ((ctx = TS_VERIFY_CTX_new()) == NULL)
		goto bad;
	TS_VERIFY_CTX_set_flags(ctx, TS_VFY_SIGNATURE | TS_VFY_VERSION);
	TS_VERIFY_CTX_set_store(ctx, store);
	store = NULL;	/* owned by ctx */
	if (TS_RESP_verify_token(ctx, p7) != 1)
		goto bad;
	/* the TSA certificate itself: said explicitly, whatever the OpenSSL version checks */
	if ((signers = PKCS7_get0_signers(p7, NULL, 0)) == NULL || sk_X509_num(signers) != 1)
		goto bad;
	tsa = sk_X509_value(signers, 0);
	if ((i = X509_get_ext_by_NID(tsa, NID_ext_key_usage, -1)) < 0 ||
	    (ext = X509_get_ext(tsa, i)) == NULL || !X509_EXTENSION_get_critical(ext) ||
	    (X509_get_extension_flags(tsa) & EXFLAG_XKUSAGE) == 0 ||
	    X509_get_extended_key_usage(tsa) != XKU_TIMESTAMP || X509_check_ca(tsa) != 0)
		goto bad;
	if (vc->crl != NULL &&
	    X509_CRL_get0_by_serial(vc->crl, &rev, X509_get0_serialNumber(tsa)) == 1 &&
	    rev != NULL && asn1_time_unix(X509_REVOKED_get0_revocationDate(rev)) <= gen)
		goto bad;
	signer_cn(tsa, r->tsa, sizeof(r->tsa));
	out->ts_ok = 1;
	out->ts_time = gen;
	r->timestamp_at = gen;
	goto out;
bad:
	add_reason(r, VR_TIMESTAMP_INVALID);
out:
	ERR_clear_error();
	sk_X509_free(signers);
	TS_VERIFY_CTX_free(ctx);
	X509_STORE_free(store);
	TS_TST_INFO_free(tst);
	PKCS7_free(p7);
}

/* Digest of [0, a) + [b, len) against the signed messageDigest, the signature, the ESS
 * attribute; the signer and its certificates into out. */
static void
check_cms(const unsigned char *data, size_t len, size_t a, size_t b,
    const struct verify_parsed *d, const struct verify_ctx *vc, struct verify_report *r,
    struct signed_info *out)
{
	struct verify_der_split cs;
	unsigned char hashes[VERIFY_DER_MAX_CERTS][SHA256_LEN];
	const unsigned char *p;
	CMS_ContentInfo *cms = NULL;
	STACK_OF(CMS_SignerInfo) *sis;
	CMS_SignerInfo *si;
	X509 *signer = NULL, *x;
	X509_ALGOR *dig = NULL;
	ASN1_OCTET_STRING *md;
	unsigned i;

	memset(&cs, 0, sizeof(cs));
	buf_init(&cs.stripped, VERIFY_MAX_SIG_DER);
	if (d->contents_len == 0 || verify_der_split(d->contents, d->contents_len, &cs) != 0) {
		add_reason(r, VR_CONTENTS_INVALID);
		goto out;
	}
	/* only zero padding may follow the DER: nothing can hide in the gap */
	for (i = 0; cs.der_len + i < d->contents_len; i++)
		if (d->contents[cs.der_len + i] != 0) {
			add_reason(r, VR_CONTENTS_INVALID);
			goto out;
		}
	p = (const unsigned char *)cs.stripped.data;
	if ((out->certs = sk_X509_new_null()) == NULL)
		goto out;
	for (i = 0; i < cs.ncerts; i++) {
		crypt_sha256(cs.cert[i], cs.cert_len[i], hashes[i]);
		if ((x = cert_get(cs.cert[i], cs.cert_len[i], hashes[i])) == NULL ||
		    !sk_X509_push(out->certs, x)) {
			X509_free(x);
			add_reason(r, VR_CONTENTS_INVALID);
			goto out;
		}
	}
	if ((cms = d2i_CMS_ContentInfo(NULL, &p, (long)cs.stripped.len)) == NULL ||
	    p != (const unsigned char *)cs.stripped.data + cs.stripped.len ||
	    OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed ||
	    CMS_get0_content(cms) == NULL || *CMS_get0_content(cms) != NULL ||
	    (sis = CMS_get0_SignerInfos(cms)) == NULL || sk_CMS_SignerInfo_num(sis) != 1 ||
	    CMS_set1_signers_certs(cms, out->certs, 0) != 1) {
		add_reason(r, VR_CONTENTS_INVALID);
		goto out;
	}
	si = sk_CMS_SignerInfo_value(sis, 0);
	CMS_SignerInfo_get0_algs(si, NULL, &signer, &dig, NULL);
	if (signer == NULL || dig == NULL) {
		add_reason(r, VR_CONTENTS_INVALID);
		goto out;
	}
	for (i = 0; i < cs.ncerts; i++)
		if (sk_X509_value(out->certs, (int)i) == signer)
			memcpy(out->signer_hash, hashes[i], SHA256_LEN);
	X509_up_ref(signer);
	out->signer = signer;
	signer_cn(signer, r->signer, sizeof(r->signer));
	r->signed_at = cms_signing_time(si);
	out->has_signing_time = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1) >= 0;
	if (r->signed_at == 0)
		r->signed_at = d->m;
	md = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3,
	    V_ASN1_OCTET_STRING);
	if (OBJ_obj2nid(dig->algorithm) != NID_sha256 || md == NULL ||
	    ASN1_STRING_length(md) != 32) {
		add_reason(r, VR_CONTENTS_INVALID);
		goto out;
	}
	sha256_ranges(data, len, a, b, out->digest);
	if (CRYPTO_memcmp(out->digest, ASN1_STRING_get0_data(md), 32) != 0) {
		r->modified_after_signing = 1;
		add_reason(r, VR_DIGEST_MISMATCH);
		goto out;
	}
	out->digest_ok = 1;
	crypt_hex(out->digest, SHA256_LEN, r->signed_sha256);
	crypt_hex(out->signer_hash, SHA256_LEN, r->cert_sha256);
	if (CMS_SignerInfo_verify(si) != 1) {
		add_reason(r, VR_SIGNATURE_INVALID);
		goto out;
	}
	out->sig_ok = 1;
	if (!ess_matches(si, signer))
		add_reason(r, VR_ESS_MISMATCH);
	check_timestamp(si, vc, r, out);
out:
	ERR_clear_error();
	CMS_ContentInfo_free(cms);
	buf_free(&cs.stripped);
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

/* HR/SOS/<department code>/<year>/<number of at least 6 digits>, as letter_store_issue
 * makes them. */
static int
ref_well_formed(const char *ref)
{
	char code[40];
	const char *last, *year;
	size_t n = strlen(ref), i;

	if (n > 80 || strncmp(ref, "HR/SOS/", 7) != 0 || (last = strrchr(ref, '/')) == NULL)
		return 0;
	for (i = 1; last[i]; i++)
		if (last[i] < '0' || last[i] > '9')
			return 0;
	if (i - 1 < 6 || i - 1 > 10 || last - ref < 7 + 1 + 5)
		return 0;
	year = last - 5;
	if (year[0] != '/')
		return 0;
	for (i = 1; i < 5; i++)
		if (year[i] < '0' || year[i] > '9')
			return 0;
	n = (size_t)(year - (ref + 7));
	if (n == 0 || n >= sizeof(code))
		return 0;
	memcpy(code, ref + 7, n);
	code[n] = '\0';
	return strict_code(code) == 0;
}

/* The portal's record of the reference against the signed revision: issued only when
 * the record names these signed bytes and this signer certificate (rows from before those
 * were recorded: the whole file). Sets the proven time. -1 when the lookup failed. */
static int
check_issued(const struct verify_ctx *vc, const unsigned char *data, size_t len,
    const struct signed_info *si, struct verify_report *r)
{
	struct verify_issued rec;
	char hex[SHA256_HEX];
	int rc;

	if (r->letter_ref[0] == '\0')
		return 0;	/* missing or malformed: reported already */
	memset(&rec, 0, sizeof(rec));
	if ((rc = vc->lookup(r->letter_ref, &rec, vc->lookup_arg)) < 0) {
		r->issued_by_portal = -1;
		return -1;
	}
	if (rc == 0) {
		add_reason(r, VR_NOT_ISSUED_BY_PORTAL);
		return 0;
	}
	if (rec.signed_sha256[0] != '\0') {
		crypt_hex(si->digest, SHA256_LEN, hex);
		if (strcmp(hex, rec.signed_sha256) != 0) {
			add_reason(r, VR_NOT_ISSUED_BY_PORTAL);
			return 0;
		}
		crypt_hex(si->signer_hash, SHA256_LEN, hex);
		if (rec.cert_sha256[0] == '\0' || strcmp(hex, rec.cert_sha256) != 0) {
			add_reason(r, VR_SIGNER_NOT_ENROLLED);
			return 0;
		}
	} else {
		crypt_sha256_hex(data, len, hex);
		if (strcmp(hex, rec.file_sha256) != 0) {
			add_reason(r, VR_NOT_ISSUED_BY_PORTAL);
			return 0;
		}
	}
	r->issued_by_portal = 1;
	r->validated_at = rec.issued_at;
	r->time_source = VT_ISSUE_RECORD;
	r->revoked = rec.revoked_at != 0;
	if (r->revoked)
		add_reason(r, VR_REVOKED);
	return 0;
}

/* The signer certificate on the CRL, revoked at or before the proven time. */
static void
check_crl(X509_CRL *crl, X509 *signer, struct verify_report *r)
{
	X509_REVOKED *rev = NULL;

	r->revocation_checked = 1;
	if (X509_CRL_get0_by_serial(crl, &rev, X509_get0_serialNumber(signer)) == 1 &&
	    rev != NULL &&
	    asn1_time_unix(X509_REVOKED_get0_revocationDate(rev)) <= r->validated_at)
		add_reason(r, VR_CERT_REVOKED);
}

/* What the parse stage reported, as reasons; 0 when the checks can go on, -1 when they
 * cannot, -2 when the parser is unavailable (no reason: an internal failure). */
static int
parse_stage(const unsigned char *data, size_t len, struct verify_parsed *p,
    struct verify_report *r)
{
	int rc = verify_worker_parse(data, len, p);

	if (rc == -2)
		return -2;
	if (rc != 0)
		verify_parse(data, len, p);
	if (p->status >= 0) {
		/* a cut-off file is "truncated", not "unparseable" or "unsigned" */
		if (!has_reason(r, VR_TRUNCATED) || p->status == VR_TOO_COMPLEX)
			add_reason(r, (enum verify_reason)p->status);
		return -1;
	}
	/* the raw count also catches a second signature dictionary no field points at */
	if (p->nfields > 1 || count_raw(data, len, "/ByteRange") > 1)
		add_reason(r, VR_MULTIPLE_SIGNATURES);
	if (!p->pades)
		add_reason(r, VR_NOT_PADES);
	return 0;
}

int
verify_pdf(const unsigned char *data, size_t len, const struct verify_ctx *vc,
    struct verify_report *r)
{
	struct verify_parsed *p = NULL;
	struct signed_info si;
	size_t a = 0, b = 0;
	int64_t now = time_now();
	int rc = 0, k;

	memset(r, 0, sizeof(*r));
	memset(&si, 0, sizeof(si));
	r->issued_by_portal = -1;
	r->revoked = -1;
	r->portal_seal = -1;
	r->validated_at = now;
	r->time_source = VT_PRESENT;
	if (data == NULL || len < 8 || memcmp(data, "%PDF-", 5) != 0) {
		add_reason(r, VR_UNPARSEABLE);
		goto done;
	}
	/* every complete PDF revision ends with %%EOF: its absence is a cut-off file */
	if (memmem(data + (len > 32 ? len - 32 : 0), len > 32 ? 32 : len, "%%EOF", 5) == NULL)
		add_reason(r, VR_TRUNCATED);
	if ((p = malloc(sizeof(*p))) == NULL) {
		rc = -1;
		goto done;
	}
	if ((k = parse_stage(data, len, p, r)) != 0) {
		if (k == -2)
			rc = -1;
		goto done;
	}
	if (check_ranges(data, len, p, r, &a, &b) != 0)
		goto done;
	check_cms(data, len, a, b, p, vc, r, &si);
	/* the reference only from intact signed bytes: elsewhere it may be forged */
	if (si.digest_ok && !r->modified_after_signing) {
		if (p->ref_state == VREF_ABSENT)
			add_reason(r, VR_REF_MISSING);
		else if (p->ref_state != VREF_STRING || !ref_well_formed(p->ref))
			add_reason(r, VR_REF_MALFORMED);
		else
			memcpy(r->letter_ref, p->ref, sizeof(r->letter_ref));
	}
done:
	if (vc->lookup != NULL) {
		r->issuance_checked = 1;
		r->issued_by_portal = 0;
		if (si.sig_ok && !r->modified_after_signing &&
		    check_issued(vc, data, len, &si, r) != 0)
			rc = -1;
	}
	if (r->signed_at > now + CLOCK_SKEW)
		add_reason(r, VR_SIGNING_TIME_FUTURE);
	/* B-T: the timestamp proves the signature existed at its genTime (issue 13) */
	if (si.ts_ok) {
		r->validated_at = si.ts_time;
		r->time_source = VT_TIMESTAMP;
	}
	if (si.sig_ok)
		snprintf(r->level, sizeof(r->level), "%s", si.ts_ok ? "B-T" :
		    si.has_signing_time ? "BES" : "B-B");
	if (si.signer != NULL && vc->seal != NULL)
		r->portal_seal = X509_cmp(si.signer, vc->seal) == 0;
	if (si.signer != NULL) {
		check_profile(si.signer, r);
		check_chain(vc->ca, si.signer, si.certs, r->validated_at, r);
		if (vc->crl != NULL)
			check_crl(vc->crl, si.signer, r);
	}
	r->valid = si.sig_ok && r->chain_trusted && r->nreasons == 0 && rc == 0;
	if (vc->lookup != NULL && r->issued_by_portal != 1)
		r->valid = 0;
	signed_info_free(&si);
	free(p);
	return rc;
}

json_t *
verify_report_json(const struct verify_report *r)
{
	json_t *o = json_object(), *codes = json_array(), *msgs = json_array();
	json_t *notes = json_array();
	char when[21], at[21], ts[21];
	unsigned i;

	if (o == NULL || codes == NULL || msgs == NULL || notes == NULL) {
		json_decref(o);
		json_decref(codes);
		json_decref(msgs);
		json_decref(notes);
		return NULL;
	}
	for (i = 0; i < r->nreasons; i++) {
		json_array_append_new(codes, json_string(verify_reason_code(r->reasons[i])));
		json_array_append_new(msgs, json_string(verify_reason_message(r->reasons[i])));
	}
	if (!r->issuance_checked)
		json_array_append_new(notes, json_string("Issuance and letter revocation were not "
		    "checked: no portal database was consulted. Ask the portal, or run 'suraksha "
		    "verify --data DIR' where its database is."));
	if (!r->revocation_checked)
		json_array_append_new(notes, json_string("Certificate revocation was not checked: "
		    "no CRL of the portal CA was at hand (GET /crl)."));
	if (r->time_source == VT_PRESENT)
		json_array_append_new(notes, json_string("The signing time the letter claims is "
		    "not proof: the certificate was validated at the present time."));
	if (r->portal_seal == 1)
		json_array_append_new(notes, json_string("Signed with the portal's seal on behalf "
		    "of the Head of Department, who has no signing key of their own."));
	if (r->signed_at > 0)
		time_iso_utc(r->signed_at, when);
	time_iso_utc(r->validated_at, at);
	json_object_set_new(o, "valid", json_boolean(r->valid));
	json_object_set_new(o, "signer", r->signer[0] ? json_string(r->signer) : json_null());
	json_object_set_new(o, "portal_seal", r->portal_seal < 0 ? json_null() :
	    json_boolean(r->portal_seal));
	json_object_set_new(o, "level", r->level[0] ? json_string(r->level) : json_null());
	if (r->timestamp_at > 0)
		time_iso_utc(r->timestamp_at, ts);
	json_object_set_new(o, "timestamp_at", r->timestamp_at > 0 ? json_string(ts) :
	    json_null());
	json_object_set_new(o, "tsa", r->tsa[0] ? json_string(r->tsa) : json_null());
	json_object_set_new(o, "signed_at", r->signed_at > 0 ? json_string(when) : json_null());
	json_object_set_new(o, "validated_at", json_string(at));
	json_object_set_new(o, "time_source", json_string(r->time_source == VT_TIMESTAMP ?
	    "timestamp" : r->time_source == VT_ISSUE_RECORD ? "portal_issue_record" :
	    "present"));
	json_object_set_new(o, "modified_after_signing",
	    json_boolean(r->modified_after_signing));
	json_object_set_new(o, "chain_trusted", json_boolean(r->chain_trusted));
	json_object_set_new(o, "letter_ref",
	    r->letter_ref[0] ? json_string(r->letter_ref) : json_null());
	json_object_set_new(o, "issuance_checked", json_boolean(r->issuance_checked));
	json_object_set_new(o, "revocation_checked", json_boolean(r->revocation_checked));
	json_object_set_new(o, "issued_by_portal", r->issued_by_portal < 0 ? json_null() :
	    json_boolean(r->issued_by_portal));
	json_object_set_new(o, "revoked", r->revoked < 0 ? json_null() :
	    json_boolean(r->revoked));
	json_object_set_new(o, "reasons", codes);
	json_object_set_new(o, "messages", msgs);
	json_object_set_new(o, "notes", notes);
	return o;
}

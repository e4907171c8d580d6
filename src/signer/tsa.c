#include "signer/tsa.h"

#include <string.h>

#include <curl/curl.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/ts.h>
#include <openssl/x509_vfy.h>

#include "letters/sign.h"
#include "util/crypt.h"
#include "util/log.h"

#define RESP_MAX	(64 * 1024)

/* PKIFailureInfo bits (RFC 3161 2.4.2) as DER BIT STRINGs. */
static const unsigned char FAIL_BAD_ALG[] = { 0x03, 0x02, 0x07, 0x80 };
static const unsigned char FAIL_BAD_REQUEST[] = { 0x03, 0x02, 0x05, 0x20 };
static const unsigned char FAIL_BAD_FORMAT[] = { 0x03, 0x02, 0x02, 0x04 };
static const unsigned char FAIL_POLICY[] = { 0x03, 0x03, 0x00, 0x00, 0x01 };
static const unsigned char FAIL_SYSTEM[] = { 0x03, 0x05, 0x06, 0x00, 0x00, 0x00, 0x40 };

static const char *const err_names[TSA_ERR__MAX] = {
	[TSA_OK] = "ok",
	[TSA_ERR_REQUEST] = "bad_request",
	[TSA_ERR_SIGN] = "sign",
	[TSA_ERR_TRANSPORT] = "transport",
	[TSA_ERR_REFUSED] = "refused",
};

const char *
tsa_strerror(int err)
{
	if (err < 0 || err >= TSA_ERR__MAX)
		return "unknown";
	return err_names[err];
}

/* A DER SEQUENCE header for len bytes of content. */
static int
seq_header(struct buf *out, size_t len)
{
	unsigned char h[4] = { 0x30 };

	if (len < 0x80) {
		h[1] = (unsigned char)len;
		return buf_append(out, h, 2);
	}
	if (len < 0x100) {
		h[1] = 0x81;
		h[2] = (unsigned char)len;
		return buf_append(out, h, 3);
	}
	if (len >= 0x10000)
		return -1;
	h[1] = 0x82;
	h[2] = (unsigned char)(len >> 8);
	h[3] = (unsigned char)len;
	return buf_append(out, h, 4);
}

/* TimeStampResp: status (0 granted with token, 2 rejection with fail) and token. */
static int
write_resp(struct buf *out, int status, const unsigned char *fail, size_t faillen,
    const unsigned char *token, size_t toklen)
{
	unsigned char st[3] = { 0x02, 0x01, (unsigned char)status };
	size_t silen = sizeof(st) + faillen;
	int rc;

	rc = seq_header(out, (silen < 0x80 ? 2 : 3) + silen + toklen);
	rc |= seq_header(out, silen);
	rc |= buf_append(out, st, sizeof(st));
	if (faillen > 0)
		rc |= buf_append(out, fail, faillen);
	if (toklen > 0)
		rc |= buf_append(out, token, toklen);
	return rc == 0 ? TSA_OK : TSA_ERR_SIGN;
}

static int
reject(struct buf *out, const unsigned char *fail, size_t len)
{
	return write_resp(out, 2, fail, len, NULL, 0);
}

/* The TSTInfo of a request; NULL with *fail set when it is not one we serve. */
static TS_TST_INFO *
tst_info(TS_REQ *rq, int64_t now, const unsigned char **fail, size_t *faillen)
{
	TS_MSG_IMPRINT *mi = TS_REQ_get_msg_imprint(rq);
	X509_ALGOR *alg = mi ? TS_MSG_IMPRINT_get_algo(mi) : NULL;
	ASN1_OCTET_STRING *md = mi ? TS_MSG_IMPRINT_get_msg(mi) : NULL;
	const ASN1_OBJECT *pol = TS_REQ_get_policy_id(rq), *algo = NULL;
	ASN1_OBJECT *ours = OBJ_txt2obj(TSA_POLICY, 1);
	TS_TST_INFO *ti = NULL;
	ASN1_GENERALIZEDTIME *gt = NULL;
	ASN1_INTEGER *serial = NULL;
	TS_ACCURACY *acc = NULL;
	unsigned char raw[8];
	BIGNUM *bn = NULL;
	int nid, want;

	*fail = FAIL_BAD_REQUEST;
	*faillen = sizeof(FAIL_BAD_REQUEST);
	if (ours == NULL || TS_REQ_get_version(rq) != 1 || alg == NULL || md == NULL ||
	    TS_REQ_get_exts(rq) != NULL)
		goto out;
	X509_ALGOR_get0(&algo, NULL, NULL, alg);
	nid = OBJ_obj2nid(algo);
	want = nid == NID_sha256 ? 32 : nid == NID_sha384 ? 48 : nid == NID_sha512 ? 64 : 0;
	if (want == 0 || ASN1_STRING_length(md) != want) {
		*fail = want == 0 ? FAIL_BAD_ALG : FAIL_BAD_FORMAT;
		*faillen = want == 0 ? sizeof(FAIL_BAD_ALG) : sizeof(FAIL_BAD_FORMAT);
		goto out;
	}
	if (pol != NULL && OBJ_cmp(pol, ours) != 0) {
		*fail = FAIL_POLICY;
		*faillen = sizeof(FAIL_POLICY);
		goto out;
	}
	*fail = FAIL_SYSTEM;
	*faillen = sizeof(FAIL_SYSTEM);
	if (crypt_random(raw, sizeof(raw)) != 0)
		goto out;
	raw[0] &= 0x7f;
	raw[0] |= 0x01;
	if ((ti = TS_TST_INFO_new()) == NULL || !TS_TST_INFO_set_version(ti, 1) ||
	    !TS_TST_INFO_set_policy_id(ti, ours) || !TS_TST_INFO_set_msg_imprint(ti, mi) ||
	    (bn = BN_bin2bn(raw, sizeof(raw), NULL)) == NULL ||
	    (serial = BN_to_ASN1_INTEGER(bn, NULL)) == NULL || !TS_TST_INFO_set_serial(ti, serial) ||
	    (gt = ASN1_GENERALIZEDTIME_set(NULL, (time_t)now)) == NULL ||
	    !TS_TST_INFO_set_time(ti, gt) || (acc = TS_ACCURACY_new()) == NULL)
		goto bad;
	ASN1_INTEGER_free(serial);
	if ((serial = ASN1_INTEGER_new()) == NULL || !ASN1_INTEGER_set(serial, 1) ||
	    !TS_ACCURACY_set_seconds(acc, serial) || !TS_TST_INFO_set_accuracy(ti, acc) ||
	    (TS_REQ_get_nonce(rq) != NULL && !TS_TST_INFO_set_nonce(ti, TS_REQ_get_nonce(rq))))
		goto bad;
	goto out;
bad:
	TS_TST_INFO_free(ti);
	ti = NULL;
out:
	ASN1_OBJECT_free(ours);
	ASN1_GENERALIZEDTIME_free(gt);
	ASN1_INTEGER_free(serial);
	TS_ACCURACY_free(acc);
	BN_free(bn);
	return ti;
}

/* The token: SignedData over the TSTInfo DER, eContentType id-ct-TSTInfo. */
static int
token_sign(const unsigned char *tst, size_t tstlen, const struct sig_key *key, int certs,
    struct buf *out)
{
	unsigned int flags = CMS_PARTIAL | CMS_BINARY | CMS_NOSMIMECAP | CMS_CADES;
	CMS_ContentInfo *cms = NULL;
	CMS_SignerInfo *si;
	ASN1_OCTET_STRING **pos, *os;
	unsigned char md[32], tbs[32], sig[1024], *der = NULL;
	size_t siglen = sizeof(sig);
	int n, rc = TSA_ERR_SIGN;

	if (!certs)
		flags |= CMS_NOCERTS;
	crypt_sha256(tst, tstlen, md);
	if ((cms = CMS_sign(NULL, NULL, NULL, NULL, flags)) == NULL ||
	    !CMS_set1_eContentType(cms, OBJ_nid2obj(NID_id_smime_ct_TSTInfo)) ||
	    (si = CMS_add1_signer(cms, key->cert, X509_get0_pubkey(key->cert), EVP_sha256(),
	    flags)) == NULL ||
	    !CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType, V_ASN1_OBJECT,
	    OBJ_nid2obj(NID_id_smime_ct_TSTInfo), -1) ||
	    !CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING, md,
	    32) ||
	    sig_attrs_digest(si, tbs) != 0 || key->fn(key->ctx, tbs, sig, &siglen) != 0 ||
	    (os = CMS_SignerInfo_get0_signature(si)) == NULL ||
	    !ASN1_OCTET_STRING_set(os, sig, (int)siglen) ||
	    (pos = CMS_get0_content(cms)) == NULL)
		goto out;
	if (*pos == NULL && (*pos = ASN1_OCTET_STRING_new()) == NULL)
		goto out;
	(*pos)->flags &= ~ASN1_STRING_FLAG_CONT;
	if (!ASN1_OCTET_STRING_set(*pos, tst, (int)tstlen) ||
	    (n = i2d_CMS_ContentInfo(cms, &der)) <= 0 || buf_append(out, der, (size_t)n) != 0)
		goto out;
	rc = TSA_OK;
out:
	ERR_clear_error();
	OPENSSL_free(der);
	CMS_ContentInfo_free(cms);
	return rc;
}

int
tsa_respond(const unsigned char *query, size_t len, const struct sig_key *key, int64_t now,
    struct buf *out)
{
	const unsigned char *q = query, *fail;
	unsigned char *tst = NULL;
	struct buf token;
	TS_REQ *rq = NULL;
	TS_TST_INFO *ti = NULL;
	size_t faillen;
	int n, rc;

	buf_init(&token, RESP_MAX);
	if (len == 0 || len > TSA_QUERY_MAX || (rq = d2i_TS_REQ(NULL, &q, (long)len)) == NULL ||
	    q != query + len) {
		rc = reject(out, FAIL_BAD_FORMAT, sizeof(FAIL_BAD_FORMAT));
		goto out;
	}
	if ((ti = tst_info(rq, now, &fail, &faillen)) == NULL) {
		rc = reject(out, fail, faillen);
		goto out;
	}
	if ((n = i2d_TS_TST_INFO(ti, &tst)) <= 0 ||
	    token_sign(tst, (size_t)n, key, TS_REQ_get_cert_req(rq), &token) != TSA_OK) {
		rc = reject(out, FAIL_SYSTEM, sizeof(FAIL_SYSTEM));
		log_error("tsa: the token could not be signed");
		goto out;
	}
	rc = write_resp(out, 0, NULL, 0, (unsigned char *)token.data, token.len);
out:
	ERR_clear_error();
	OPENSSL_free(tst);
	TS_TST_INFO_free(ti);
	TS_REQ_free(rq);
	buf_free(&token);
	return rc;
}

static size_t
collect(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;

	return buf_append(b, p, size * n) == 0 ? size * n : 0;
}

/* POST the query, the answer into resp. */
static int
post(const char *url, const unsigned char *q, size_t len, long timeout_ms, struct buf *resp)
{
	struct curl_slist *h = curl_slist_append(NULL,
	    "Content-Type: application/timestamp-query");
	CURL *c = curl_easy_init();
	long code = 0;
	CURLcode r = CURLE_FAILED_INIT;

	if (c != NULL && h != NULL) {
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, q);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
		curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
		curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
		curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
		curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, resp);
		r = curl_easy_perform(c);
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	}
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	if (r != CURLE_OK || code != 200) {
		log_error("tsa: %s: %s (HTTP %ld)", url, curl_easy_strerror(r), code);
		return TSA_ERR_TRANSPORT;
	}
	return TSA_OK;
}

static TS_REQ *
make_query(const unsigned char digest[32])
{
	TS_REQ *rq = TS_REQ_new();
	TS_MSG_IMPRINT *mi = TS_MSG_IMPRINT_new();
	X509_ALGOR *alg = X509_ALGOR_new();
	ASN1_INTEGER *nonce = NULL;
	unsigned char raw[8];
	BIGNUM *bn = NULL;
	int ok = 0;

	if (rq == NULL || mi == NULL || alg == NULL || crypt_random(raw, sizeof(raw)) != 0)
		goto out;
	raw[0] &= 0x7f;
	raw[0] |= 0x01;
	if (!X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, NULL) ||
	    !TS_MSG_IMPRINT_set_algo(mi, alg) || !TS_MSG_IMPRINT_set_msg(mi,
	    (unsigned char *)digest, 32) || !TS_REQ_set_version(rq, 1) ||
	    !TS_REQ_set_msg_imprint(rq, mi) || (bn = BN_bin2bn(raw, sizeof(raw), NULL)) == NULL ||
	    (nonce = BN_to_ASN1_INTEGER(bn, NULL)) == NULL || !TS_REQ_set_nonce(rq, nonce) ||
	    !TS_REQ_set_cert_req(rq, 1))
		goto out;
	ok = 1;
out:
	X509_ALGOR_free(alg);
	TS_MSG_IMPRINT_free(mi);
	ASN1_INTEGER_free(nonce);
	BN_free(bn);
	if (!ok) {
		TS_REQ_free(rq);
		rq = NULL;
	}
	return rq;
}

int
tsa_fetch(const char *url, const unsigned char *data, size_t len, X509 *ca, long timeout_ms,
    struct buf *token)
{
	unsigned char digest[32], *q = NULL, *der = NULL;
	const unsigned char *p;
	struct buf resp;
	TS_REQ *rq = NULL;
	TS_RESP *rs = NULL;
	TS_VERIFY_CTX *vc = NULL;
	X509_STORE *store = NULL;
	int n, rc = TSA_ERR_REFUSED;

	buf_init(&resp, RESP_MAX);
	crypt_sha256(data, len, digest);
	if ((rq = make_query(digest)) == NULL || (n = i2d_TS_REQ(rq, &q)) <= 0) {
		rc = TSA_ERR_REQUEST;
		goto out;
	}
	if ((rc = post(url, q, (size_t)n, timeout_ms, &resp)) != TSA_OK)
		goto out;
	rc = TSA_ERR_REFUSED;
	p = (const unsigned char *)resp.data;
	if ((rs = d2i_TS_RESP(NULL, &p, (long)resp.len)) == NULL ||
	    (vc = TS_REQ_to_TS_VERIFY_CTX(rq, NULL)) == NULL)
		goto out;
	if (ca != NULL) {
		if ((store = X509_STORE_new()) == NULL || !X509_STORE_add_cert(store, ca))
			goto out;
		TS_VERIFY_CTX_set_store(vc, store);
		store = NULL;	/* owned by vc */
		TS_VERIFY_CTX_add_flags(vc, TS_VFY_SIGNATURE);
	}
	if (TS_RESP_verify_response(vc, rs) != 1) {
		log_error("tsa: %s: the answer does not verify: %s", url,
		    ERR_reason_error_string(ERR_peek_last_error()) ?
		    ERR_reason_error_string(ERR_peek_last_error()) : "?");
		goto out;
	}
	if ((n = i2d_PKCS7(TS_RESP_get_token(rs), &der)) <= 0 ||
	    buf_append(token, der, (size_t)n) != 0)
		goto out;
	rc = TSA_OK;
out:
	ERR_clear_error();
	OPENSSL_free(q);
	OPENSSL_free(der);
	X509_STORE_free(store);
	TS_VERIFY_CTX_free(vc);
	TS_RESP_free(rs);
	TS_REQ_free(rq);
	buf_free(&resp);
	return rc;
}

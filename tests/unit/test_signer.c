/* The signer's pure parts: key labels, ECDSA's raw r||s to DER, and the TSA's answers
 * (a granted token OpenSSL's own TS verifier accepts against the CA, with the nonce and
 * imprint of the query; rejections with the right failure for bad queries; no token
 * from a key that will not sign). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/ecdsa.h>
#include <openssl/pem.h>
#include <openssl/ts.h>
#include <openssl/x509_vfy.h>

#include "letters/pki.h"
#include "letters/sign.h"
#include "signer/p11.h"
#include "signer/tsa.h"
#include "util/crypt.h"

static const int64_t T0 = 1795425000;

struct tsa {
	EVP_PKEY	*cak, *key;
	X509		*ca, *cert;
	struct sig_key	 sk;
};

static int
refuse(void *ctx, const unsigned char digest[32], unsigned char *sig, size_t *siglen)
{
	return -1;
}

static void
tsa_make(struct tsa *t)
{
	EVP_PKEY *pub;

	memset(t, 0, sizeof(*t));
	assert_int_equal(pki_make_ca("Test CA", T0 - 86400, T0 + 86400 * 365, &t->cak, &t->ca),
	    PKI_OK);
	/* a TSA certificate as pki_certify issues it, over a key made here */
	assert_int_equal(pki_make_leaf(t->cak, t->ca, "Test TSA", T0 - 86400, T0 + 86400 * 30,
	    &t->key, &t->cert), PKI_OK);
	X509_free(t->cert);
	t->cert = NULL;
	pub = t->key;
	{
		char dir[] = "/tmp/t_signer.XXXXXX", cmd[64];
		X509 *c = NULL;
		STACK_OF(X509) *chain = NULL;
		FILE *f;
		char path[128];

		assert_non_null(mkdtemp(dir));
		snprintf(path, sizeof(path), "%s/ca.pem", dir);
		f = fopen(path, "w");
		PEM_write_X509(f, t->ca);
		fclose(f);
		snprintf(path, sizeof(path), "%s/ca.key", dir);
		f = fopen(path, "w");
		PEM_write_PrivateKey(f, t->cak, NULL, NULL, 0, NULL, NULL);
		fclose(f);
		assert_int_equal(pki_certify(dir, "tsa.pem", "Test TSA", pub, 30, PKI_LEAF_TSA),
		    PKI_OK);
		assert_int_equal(pki_load_chain(dir, "tsa.pem", &c, &chain), PKI_OK);
		t->cert = c;
		sk_X509_pop_free(chain, X509_free);
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		assert_int_equal(system(cmd), 0);
	}
	t->sk.cert = t->cert;
	t->sk.fn = sig_fn_evp;
	t->sk.ctx = t->key;
}

static void
tsa_free(struct tsa *t)
{
	EVP_PKEY_free(t->cak);
	EVP_PKEY_free(t->key);
	X509_free(t->ca);
	X509_free(t->cert);
}

/* A query for SHA-256(data) (or another algorithm) with a nonce; DER into q. */
static TS_REQ *
query(const EVP_MD *md, const char *data, unsigned char **q, int *qlen)
{
	TS_REQ *rq = TS_REQ_new();
	TS_MSG_IMPRINT *mi = TS_MSG_IMPRINT_new();
	X509_ALGOR *alg = X509_ALGOR_new();
	ASN1_INTEGER *nonce = ASN1_INTEGER_new();
	unsigned char h[64];
	unsigned int hl = 0;

	EVP_Digest(data, strlen(data), h, &hl, md, NULL);
	X509_ALGOR_set0(alg, OBJ_nid2obj(EVP_MD_type(md)), V_ASN1_NULL, NULL);
	TS_MSG_IMPRINT_set_algo(mi, alg);
	TS_MSG_IMPRINT_set_msg(mi, h, (int)hl);
	TS_REQ_set_version(rq, 1);
	TS_REQ_set_msg_imprint(rq, mi);
	ASN1_INTEGER_set(nonce, 0x1234567);
	TS_REQ_set_nonce(rq, nonce);
	TS_REQ_set_cert_req(rq, 1);
	X509_ALGOR_free(alg);
	TS_MSG_IMPRINT_free(mi);
	ASN1_INTEGER_free(nonce);
	*q = NULL;
	*qlen = i2d_TS_REQ(rq, q);
	assert_true(*qlen > 0);
	return rq;
}

static TS_RESP *
parse(const struct buf *out)
{
	const unsigned char *p = (const unsigned char *)out->data;
	TS_RESP *rs = d2i_TS_RESP(NULL, &p, (long)out->len);

	assert_non_null(rs);
	assert_ptr_equal(p, (const unsigned char *)out->data + out->len);
	return rs;
}

static long
status_of(TS_RESP *rs)
{
	return ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(rs)));
}

static void
test_tsa_granted(void **state)
{
	struct tsa t;
	struct buf out;
	unsigned char *q;
	int qlen;
	TS_REQ *rq;
	TS_RESP *rs;
	TS_VERIFY_CTX *vc;
	X509_STORE *store;
	const ASN1_GENERALIZEDTIME *gt;

	tsa_make(&t);
	buf_init(&out, 1 << 16);
	rq = query(EVP_sha256(), "a signature value", &q, &qlen);
	assert_int_equal(tsa_respond(q, (size_t)qlen, &t.sk, T0, &out), TSA_OK);
	rs = parse(&out);
	assert_int_equal(status_of(rs), 0);
	gt = TS_TST_INFO_get_time(TS_RESP_get_tst_info(rs));
	assert_non_null(gt);
	/* OpenSSL's verifier: signature chain to the CA, the TSA's EKU, imprint and nonce */
	vc = TS_REQ_to_TS_VERIFY_CTX(rq, NULL);
	store = X509_STORE_new();
	X509_STORE_add_cert(store, t.ca);
	TS_VERIFY_CTX_set_store(vc, store);
	TS_VERIFY_CTX_add_flags(vc, TS_VFY_SIGNATURE);
	assert_int_equal(TS_RESP_verify_response(vc, rs), 1);
	TS_VERIFY_CTX_free(vc);
	TS_RESP_free(rs);
	TS_REQ_free(rq);
	OPENSSL_free(q);
	/* the same query answered for another text does not verify */
	buf_reset(&out);
	rq = query(EVP_sha256(), "another value", &q, &qlen);
	assert_int_equal(tsa_respond(q, (size_t)qlen, &t.sk, T0, &out), TSA_OK);
	TS_REQ_free(rq);
	OPENSSL_free(q);
	rq = query(EVP_sha256(), "a signature value", &q, &qlen);
	rs = parse(&out);
	vc = TS_REQ_to_TS_VERIFY_CTX(rq, NULL);
	assert_int_not_equal(TS_RESP_verify_response(vc, rs), 1);
	TS_VERIFY_CTX_free(vc);
	TS_RESP_free(rs);
	TS_REQ_free(rq);
	OPENSSL_free(q);
	buf_free(&out);
	tsa_free(&t);
}

/* failure bit of a rejection */
static int
fail_bit(TS_RESP *rs, int bit)
{
	const ASN1_BIT_STRING *f =
	    TS_STATUS_INFO_get0_failure_info(TS_RESP_get_status_info(rs));

	return f != NULL && ASN1_BIT_STRING_get_bit(f, bit);
}

static void
test_tsa_rejects(void **state)
{
	static const unsigned char junk[] = { 0x30, 0x03, 0x02, 0x01, 0x01 };
	struct tsa t;
	struct buf out;
	unsigned char *q;
	int qlen;
	TS_REQ *rq;
	TS_RESP *rs;

	tsa_make(&t);
	buf_init(&out, 1 << 16);
	/* not DER of a query: badDataFormat (5) */
	assert_int_equal(tsa_respond(junk, sizeof(junk), &t.sk, T0, &out), TSA_OK);
	rs = parse(&out);
	assert_int_equal(status_of(rs), 2);
	assert_true(fail_bit(rs, 5));
	assert_null(TS_RESP_get_token(rs));
	TS_RESP_free(rs);
	/* SHA-1: badAlg (0) */
	buf_reset(&out);
	rq = query(EVP_sha1(), "x", &q, &qlen);
	assert_int_equal(tsa_respond(q, (size_t)qlen, &t.sk, T0, &out), TSA_OK);
	rs = parse(&out);
	assert_int_equal(status_of(rs), 2);
	assert_true(fail_bit(rs, 0));
	TS_RESP_free(rs);
	/* trailing bytes after the query: badDataFormat */
	buf_reset(&out);
	{
		unsigned char more[512];

		assert_true((size_t)qlen + 1 < sizeof(more));
		memcpy(more, q, (size_t)qlen);
		more[qlen] = 0;
		assert_int_equal(tsa_respond(more, (size_t)qlen + 1, &t.sk, T0, &out), TSA_OK);
		rs = parse(&out);
		assert_true(fail_bit(rs, 5));
		TS_RESP_free(rs);
	}
	TS_REQ_free(rq);
	OPENSSL_free(q);
	/* a key that will not sign: systemFailure (25), no token */
	buf_reset(&out);
	rq = query(EVP_sha256(), "x", &q, &qlen);
	t.sk.fn = refuse;
	assert_int_equal(tsa_respond(q, (size_t)qlen, &t.sk, T0, &out), TSA_OK);
	rs = parse(&out);
	assert_int_equal(status_of(rs), 2);
	assert_true(fail_bit(rs, 25));
	TS_RESP_free(rs);
	TS_REQ_free(rq);
	OPENSSL_free(q);
	/* empty and oversized queries */
	buf_reset(&out);
	assert_int_equal(tsa_respond(junk, 0, &t.sk, T0, &out), TSA_OK);
	rs = parse(&out);
	assert_int_equal(status_of(rs), 2);
	TS_RESP_free(rs);
	buf_free(&out);
	tsa_free(&t);
}

static void
test_ecdsa_der(void **state)
{
	unsigned char raw[64], der[80];
	const unsigned char *p = der;
	size_t len = sizeof(der);
	ECDSA_SIG *es;
	const BIGNUM *r, *s;
	unsigned char back[32];

	memset(raw, 0, sizeof(raw));
	raw[0] = 0x80;		/* a high bit: DER needs a leading zero */
	raw[31] = 1;
	raw[63] = 7;		/* a small s: leading zeros dropped */
	assert_int_equal(p11_ecdsa_der(raw, sizeof(raw), der, &len), 0);
	es = d2i_ECDSA_SIG(NULL, &p, (long)len);
	assert_non_null(es);
	ECDSA_SIG_get0(es, &r, &s);
	assert_int_equal(BN_bn2binpad(r, back, 32), 32);
	assert_memory_equal(back, raw, 32);
	assert_int_equal(BN_get_word(s), 7);
	ECDSA_SIG_free(es);
	len = sizeof(der);
	assert_int_not_equal(p11_ecdsa_der(raw, 63, der, &len), 0);	/* odd length */
	len = 4;
	assert_int_not_equal(p11_ecdsa_der(raw, 64, der, &len), 0);	/* no room */
}

static void
test_labels(void **state)
{
	assert_true(p11_label_ok("seal"));
	assert_true(p11_label_ok("hkcl"));
	assert_true(p11_label_ok("tsa"));
	assert_true(p11_label_ok("hod-hod.pwd"));
	assert_false(p11_label_ok("hod-"));
	assert_false(p11_label_ok("hod-../x"));
	assert_false(p11_label_ok("HOD-x"));
	assert_false(p11_label_ok("ca"));
	assert_false(p11_label_ok(""));
	assert_false(p11_label_ok(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tsa_granted),
		cmocka_unit_test(test_tsa_rejects),
		cmocka_unit_test(test_ecdsa_der),
		cmocka_unit_test(test_labels),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

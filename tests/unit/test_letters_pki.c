/* The portal PKI: CA creation is idempotent and safe, HoD certificates carry the profile
 * SIGNING.md asks for, files have the right modes, PKCS#12 import round-trips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509v3.h>

#include "letters/pki.h"
#include "util/fsx.h"

static char dir[64];

static int
setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/t_pki.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static mode_t
mode_of(const char *name)
{
	char p[256];
	struct stat st;

	fsx_join(p, sizeof(p), dir, name);
	assert_int_equal(stat(p, &st), 0);
	return st.st_mode & 0777;
}

static void
test_ca_init(void **state)
{
	char keys[128];
	X509 *ca, *ca2;

	snprintf(keys, sizeof(keys), "%s/keys", dir);
	assert_int_equal(pki_ca_init(keys), PKI_OK);
	snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/keys");
	assert_int_equal(mode_of("ca.key"), 0600);
	assert_int_equal(mode_of("ca.pem"), 0644);
	ca = pki_load_ca(keys);
	assert_non_null(ca);
	assert_int_equal(X509_check_ca(ca), 1);
	assert_true(X509_get_key_usage(ca) & KU_KEY_CERT_SIGN);
	assert_true(X509_get_key_usage(ca) & KU_CRL_SIGN);
	assert_int_equal(X509_check_issued(ca, ca), X509_V_OK);
	/* a second init keeps the same CA */
	assert_int_equal(pki_ca_init(keys), PKI_OK);
	ca2 = pki_load_ca(keys);
	assert_int_equal(X509_cmp(ca, ca2), 0);
	X509_free(ca2);
	/* a half CA is refused, never silently replaced */
	{
		char k[160];

		snprintf(k, sizeof(k), "%s/ca.key", keys);
		assert_int_equal(unlink(k), 0);
	}
	assert_int_equal(pki_ca_init(keys), PKI_ERR_NOCA);
	dir[strlen(dir) - strlen("/keys")] = '\0';
	X509_free(ca);
}

static void
test_issue_and_load(void **state)
{
	char keys[128];
	struct pki_signer s;
	X509 *ca;
	X509_STORE *store;
	X509_STORE_CTX *ctx;
	AUTHORITY_INFO_ACCESS *aia;

	snprintf(keys, sizeof(keys), "%s/keys", dir);
	assert_int_equal(pki_ca_init(keys), PKI_OK);
	assert_int_equal(pki_issue_hod(keys, "hod.health", "Dr. A. Kumar", 0), PKI_OK);
	assert_int_equal(pki_issue_hod(keys, "../evil", "X", 0), PKI_ERR_ARG);
	assert_int_equal(pki_load_signer(keys, "nobody", &s), PKI_ERR_NOTFOUND);
	assert_int_equal(pki_load_signer(keys, "hod.health", &s), PKI_OK);
	assert_int_equal(sk_X509_num(s.chain), 1);
	assert_true(X509_get_key_usage(s.cert) & KU_DIGITAL_SIGNATURE);
	assert_true(X509_get_key_usage(s.cert) & KU_NON_REPUDIATION);
	assert_true(X509_get_extended_key_usage(s.cert) & XKU_SMIME);
	assert_int_equal(X509_check_ca(s.cert), 0);
	aia = X509_get_ext_d2i(s.cert, NID_info_access, NULL, NULL);
	assert_null(aia);
	ca = pki_load_ca(keys);
	store = X509_STORE_new();
	X509_STORE_add_cert(store, ca);
	ctx = X509_STORE_CTX_new();
	X509_STORE_CTX_init(ctx, store, s.cert, NULL);
	X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SMIME_SIGN);
	assert_int_equal(X509_verify_cert(ctx), 1);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	X509_free(ca);
	snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/keys");
	assert_int_equal(mode_of("hod-hod.health.key"), 0600);
	dir[strlen(dir) - strlen("/keys")] = '\0';
	pki_signer_free(&s);
	pki_signer_free(NULL);
}

static void
test_import_p12(void **state)
{
	char keys[128], p12path[128];
	EVP_PKEY *cak, *k;
	X509 *cac, *c;
	PKCS12 *p12;
	FILE *f;
	struct pki_signer s;
	STACK_OF(X509) *ca_sk = sk_X509_new_null();

	snprintf(keys, sizeof(keys), "%s/keys", dir);
	snprintf(p12path, sizeof(p12path), "%s/hod.p12", dir);
	assert_int_equal(pki_make_ca("Other CA", 0, 4000000000LL, &cak, &cac), PKI_OK);
	assert_int_equal(pki_make_leaf(cak, cac, "Token HoD", 0, 4000000000LL, &k, &c), PKI_OK);
	sk_X509_push(ca_sk, cac);
	p12 = PKCS12_create("s3cret", "hod", k, c, ca_sk, 0, 0, 0, 0, 0);
	assert_non_null(p12);
	f = fopen(p12path, "wb");
	assert_non_null(f);
	i2d_PKCS12_fp(f, p12);
	fclose(f);
	assert_int_equal(pki_import_p12(keys, "tok", p12path, "wrong"), PKI_ERR_PASSWORD);
	assert_int_equal(pki_import_p12(keys, "tok", p12path, "s3cret"), PKI_OK);
	assert_int_equal(pki_load_signer(keys, "tok", &s), PKI_OK);
	assert_int_equal(X509_cmp(s.cert, c), 0);
	assert_int_equal(sk_X509_num(s.chain), 1);
	pki_signer_free(&s);
	PKCS12_free(p12);
	sk_X509_pop_free(ca_sk, X509_free);
	EVP_PKEY_free(cak);
	EVP_PKEY_free(k);
	X509_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ca_init, setup, teardown),
		cmocka_unit_test_setup_teardown(test_issue_and_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_p12, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

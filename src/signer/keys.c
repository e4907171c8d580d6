#include "signer/keys.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/pkcs12.h>

#include "config.h"
#include "letters/pki.h"
#include "signer/p11.h"
#include "util/buf.h"
#include "util/fsx.h"
#include "util/strict.h"

#define MAX_P12		(256 * 1024)

/* The portal's own keys: label, common name, kind. */
static const struct {
	const char	*label;
	const char	*cn;
	int		 kind;
} own[] = {
	{ "seal", "Suraksha Portal seal, Government of Haryana", PKI_LEAF_SIGNER },
	{ "hkcl", "Suraksha Portal HKCL export", PKI_LEAF_SIGNER },
	{ "tsa", "Suraksha Portal Time-Stamping Authority", PKI_LEAF_TSA },
};

static int
open_token(const struct config *cfg, struct p11 **p)
{
	int e;

	if ((e = p11_token_create(cfg)) != P11_OK || (e = p11_open(cfg, p)) != P11_OK) {
		fprintf(stderr, "suraksha: the key token '%s' (%s): %s\n", cfg->pkcs11_token,
		    cfg->pkcs11_module, p11_strerror(e));
		return -1;
	}
	return 0;
}

static int
issue(const struct config *cfg, struct p11 *p, const char *label, const char *cn, int days,
    int kind)
{
	char keys[PATH_MAX], file[96];
	EVP_PKEY *pub = NULL;
	int e;

	if (fsx_join(keys, sizeof(keys), cfg->data_dir, "keys") != 0 || !p11_label_ok(label))
		return -1;
	/* issue 9: every certificate the portal CA issues names its CRL (<base_url>/crl) */
	pki_set_crl_base_url(cfg->base_url);
	snprintf(file, sizeof(file), "%s.pem", label);
	if ((e = p11_keygen(p, label, &pub)) != P11_OK) {
		fprintf(stderr, "suraksha: key '%s' in the token: %s\n", label, p11_strerror(e));
		return -1;
	}
	e = pki_certify(keys, file, cn, pub, days, kind);
	EVP_PKEY_free(pub);
	if (e != PKI_OK) {
		fprintf(stderr, "suraksha: certificate for '%s': %s\n", label, pki_strerror(e));
		return -1;
	}
	return 0;
}

int
signer_keys_init(const struct config *cfg)
{
	char keys[PATH_MAX], path[PATH_MAX + 100];
	struct p11 *p = NULL;
	size_t i;
	int rc = 0;

	if (fsx_join(keys, sizeof(keys), cfg->data_dir, "keys") != 0 || open_token(cfg, &p) != 0)
		return -1;
	for (i = 0; rc == 0 && i < sizeof(own) / sizeof(own[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s.pem", keys, own[i].label);
		if (access(path, F_OK) == 0 && p11_has_key(p, own[i].label))
			continue;
		rc = issue(cfg, p, own[i].label, own[i].cn, 10 * 365, own[i].kind);
	}
	p11_close(p);
	return rc;
}

int
signer_keys_issue(const struct config *cfg, const char *label, const char *common_name,
    int days)
{
	struct p11 *p = NULL;
	int rc;

	if (!p11_label_ok(label) || common_name == NULL || strict_text(common_name, 128) != 0) {
		fprintf(stderr, "suraksha: bad key label or name\n");
		return -1;
	}
	if (open_token(cfg, &p) != 0)
		return -1;
	rc = issue(cfg, p, label, common_name, days, PKI_LEAF_SIGNER);
	p11_close(p);
	return rc;
}

/* The PKCS#12's certificate and chain into keys/<label>.pem. */
static int
write_chain(const char *keys, const char *label, X509 *cert, STACK_OF(X509) *chain)
{
	char path[PATH_MAX + 100];
	BIO *bio = BIO_new(BIO_s_mem());
	char *data;
	long len;
	int i, rc = -1;

	snprintf(path, sizeof(path), "%s/%s.pem", keys, label);
	if (bio == NULL || !PEM_write_bio_X509(bio, cert))
		goto out;
	for (i = 0; chain != NULL && i < sk_X509_num(chain); i++)
		if (!PEM_write_bio_X509(bio, sk_X509_value(chain, i)))
			goto out;
	if ((len = BIO_get_mem_data(bio, &data)) > 0 &&
	    fsx_write_atomic(path, data, (size_t)len, 0644) == 0)
		rc = 0;
out:
	BIO_free(bio);
	return rc;
}

int
signer_keys_import_p12(const struct config *cfg, const char *username, const char *p12_path,
    const char *password)
{
	char keys[PATH_MAX], label[72];
	struct p11 *p = NULL;
	struct buf b;
	BIO *bio = NULL;
	PKCS12 *p12 = NULL;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	STACK_OF(X509) *chain = NULL;
	int rc = -1, e;

	buf_init(&b, MAX_P12);
	if (username == NULL || strict_username(username) != 0 || p12_path == NULL ||
	    fsx_join(keys, sizeof(keys), cfg->data_dir, "keys") != 0) {
		fprintf(stderr, "suraksha: bad username or file\n");
		goto out;
	}
	snprintf(label, sizeof(label), "hod-%s", username);
	if (fsx_read(p12_path, &b) != 0 || (bio = BIO_new_mem_buf(b.data, (int)b.len)) == NULL ||
	    (p12 = d2i_PKCS12_bio(bio, NULL)) == NULL) {
		fprintf(stderr, "suraksha: cannot read the PKCS#12 %s\n", p12_path);
		goto out;
	}
	if (!PKCS12_parse(p12, password ? password : "", &key, &cert, &chain) || key == NULL ||
	    cert == NULL) {
		fprintf(stderr, "suraksha: the PKCS#12 could not be opened with that password\n");
		rc = 2;
		goto out;
	}
	if (X509_check_private_key(cert, key) != 1) {
		fprintf(stderr, "suraksha: key and certificate do not belong together\n");
		goto out;
	}
	if (open_token(cfg, &p) != 0)
		goto out;
	if ((e = p11_import(p, label, key)) != P11_OK) {
		fprintf(stderr, "suraksha: importing into the token: %s (an EC P-256 key is "
		    "needed)\n", p11_strerror(e));
		goto out;
	}
	if (fsx_mkdirs(keys, 0700) != 0 || write_chain(keys, label, cert, chain) != 0) {
		fprintf(stderr, "suraksha: cannot write %s/%s.pem\n", keys, label);
		goto out;
	}
	rc = 0;
out:
	p11_close(p);
	if (b.data != NULL)
		OPENSSL_cleanse(b.data, b.len);
	buf_free(&b);
	BIO_free(bio);
	PKCS12_free(p12);
	EVP_PKEY_free(key);
	X509_free(cert);
	sk_X509_pop_free(chain, X509_free);
	return rc;
}

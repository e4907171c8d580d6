#include "letters/pki.h"

#include <errno.h>
#include <pthread.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509v3.h>

#include "util/buf.h"
#include "util/crypt.h"
#include "util/fsx.h"
#include "util/strict.h"
#include "util/timeutil.h"

#define CA_CN		"Suraksha Portal CA"
#define CA_YEARS	20
#define HOD_DAYS	(3 * 365 + 1)
#define MAX_PEM		(256 * 1024)
#define MAX_CN		128
#define CRL_DAYS	30

static const char *const err_names[PKI_ERR__MAX] = {
	[PKI_OK] = "ok",
	[PKI_ERR_ARG] = "bad_argument",
	[PKI_ERR_IO] = "io",
	[PKI_ERR_CRYPTO] = "crypto",
	[PKI_ERR_NOCA] = "no_ca",
	[PKI_ERR_NOTFOUND] = "not_found",
	[PKI_ERR_PASSWORD] = "bad_password",
	[PKI_ERR_MISMATCH] = "key_mismatch",
	[PKI_ERR_OFFLINE] = "ca_key_offline",
};

const char *
pki_strerror(int err)
{
	if (err < 0 || err >= PKI_ERR__MAX)
		return "unknown";
	return err_names[err];
}

static EVP_PKEY *
new_key(void)
{
	return EVP_EC_gen("P-256");
}

static int
add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL)
		return -1;
	ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

/* A positive 127-bit random serial: unique without a counter file to keep in step. */
static int
set_serial(X509 *cert)
{
	unsigned char raw[16];
	BIGNUM *bn;
	int ok;

	if (crypt_random(raw, sizeof(raw)) != 0)
		return -1;
	raw[0] &= 0x7f;
	raw[0] |= 0x40;
	if ((bn = BN_bin2bn(raw, sizeof(raw), NULL)) == NULL)
		return -1;
	ok = BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != NULL;
	BN_free(bn);
	return ok ? 0 : -1;
}

static int
set_name(X509_NAME *name, const char *cn)
{
	if (!X509_NAME_add_entry_by_txt(name, "C", MBSTRING_UTF8, (const unsigned char *)"IN",
	    -1, -1, 0))
		return -1;
	if (!X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
	    (const unsigned char *)"Government of Haryana", -1, -1, 0))
		return -1;
	if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn,
	    -1, -1, 0))
		return -1;
	return 0;
}

/* Set in the server (pki_ca_key_offline): the CA key is never read there (issue 9). */
static int ca_key_offline;

void
pki_ca_key_offline(void)
{
	ca_key_offline = 1;
}

/* "URI:<base>/crl" for the CRL distribution point of the leaves this process issues
 * (issue 9); empty: none. */
static char crl_url[300];

/* One certificate, self-signed when issuer/issuer_key are NULL. */
static X509 *
make_cert(EVP_PKEY *key, const char *cn, int64_t nb, int64_t na, X509 *issuer,
    EVP_PKEY *issuer_key, int is_ca)
{
	X509 *cert = NULL;
	X509_NAME *name;

	if ((cert = X509_new()) == NULL || !X509_set_version(cert, 2) || set_serial(cert) != 0)
		goto fail;
	if (ASN1_TIME_set(X509_getm_notBefore(cert), (time_t)nb) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(cert), (time_t)na) == NULL)
		goto fail;
	name = X509_get_subject_name(cert);
	if (set_name(name, cn) != 0 || !X509_set_pubkey(cert, key))
		goto fail;
	if (!X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : name))
		goto fail;
	if (is_ca == 1) {
		if (add_ext(cert, cert, NID_basic_constraints, "critical,CA:TRUE") != 0 ||
		    add_ext(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign") != 0 ||
		    add_ext(cert, cert, NID_subject_key_identifier, "hash") != 0 ||
		    add_ext(cert, cert, NID_authority_key_identifier, "keyid:always") != 0)
			goto fail;
	} else if (is_ca == PKI_LEAF_TSA) {
		if (add_ext(cert, issuer, NID_basic_constraints, "critical,CA:FALSE") != 0 ||
		    add_ext(cert, issuer, NID_key_usage,
		    "critical,digitalSignature,nonRepudiation") != 0 ||
		    add_ext(cert, issuer, NID_ext_key_usage, "critical,timeStamping") != 0 ||
		    add_ext(cert, issuer, NID_subject_key_identifier, "hash") != 0 ||
		    add_ext(cert, issuer, NID_authority_key_identifier, "keyid:always") != 0)
			goto fail;
		if (crl_url[0] != '\0' &&
		    add_ext(cert, issuer, NID_crl_distribution_points, crl_url) != 0)
			goto fail;
	} else {
		if (add_ext(cert, issuer, NID_basic_constraints, "critical,CA:FALSE") != 0 ||
		    add_ext(cert, issuer, NID_key_usage,
		    "critical,digitalSignature,nonRepudiation") != 0 ||
		    add_ext(cert, issuer, NID_ext_key_usage, "emailProtection") != 0 ||
		    add_ext(cert, issuer, NID_subject_key_identifier, "hash") != 0 ||
		    add_ext(cert, issuer, NID_authority_key_identifier, "keyid:always") != 0)
			goto fail;
		if (crl_url[0] != '\0' &&
		    add_ext(cert, issuer, NID_crl_distribution_points, crl_url) != 0)
			goto fail;
	}
	if (!X509_sign(cert, issuer_key ? issuer_key : key, EVP_sha256()))
		goto fail;
	return cert;
fail:
	X509_free(cert);
	return NULL;
}

int
pki_make_ca(const char *common_name, int64_t not_before, int64_t not_after, EVP_PKEY **key,
    X509 **cert)
{
	EVP_PKEY *k;
	X509 *c;

	if (common_name == NULL || strict_text(common_name, MAX_CN) != 0)
		return PKI_ERR_ARG;
	if ((k = new_key()) == NULL)
		return PKI_ERR_CRYPTO;
	if ((c = make_cert(k, common_name, not_before, not_after, NULL, NULL, 1)) == NULL) {
		EVP_PKEY_free(k);
		return PKI_ERR_CRYPTO;
	}
	*key = k;
	*cert = c;
	return PKI_OK;
}

int
pki_make_leaf(EVP_PKEY *ca_key, X509 *ca_cert, const char *common_name, int64_t not_before,
    int64_t not_after, EVP_PKEY **key, X509 **cert)
{
	EVP_PKEY *k;
	X509 *c;

	if (common_name == NULL || strict_text(common_name, MAX_CN) != 0)
		return PKI_ERR_ARG;
	if ((k = new_key()) == NULL)
		return PKI_ERR_CRYPTO;
	if ((c = make_cert(k, common_name, not_before, not_after, ca_cert, ca_key, 0)) == NULL) {
		EVP_PKEY_free(k);
		return PKI_ERR_CRYPTO;
	}
	*key = k;
	*cert = c;
	return PKI_OK;
}

static int
path_in(char *out, size_t len, const char *dir, const char *prefix, const char *user,
    const char *suffix)
{
	int n = snprintf(out, len, "%s/%s%s%s", dir, prefix, user ? user : "", suffix);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static int
write_bio(const char *path, BIO *bio, mode_t mode)
{
	char *data;
	long len = BIO_get_mem_data(bio, &data);

	if (len <= 0)
		return PKI_ERR_CRYPTO;
	return fsx_write_atomic(path, data, (size_t)len, mode) == 0 ? PKI_OK : PKI_ERR_IO;
}

static int
write_key(const char *path, EVP_PKEY *key)
{
	BIO *bio = BIO_new(BIO_s_mem());
	int rc = PKI_ERR_CRYPTO;

	if (bio != NULL && PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL))
		rc = write_bio(path, bio, 0600);
	BIO_free(bio);
	return rc;
}

/* cert then chain (may be NULL) into one PEM file. */
static int
write_certs(const char *path, X509 *cert, STACK_OF(X509) *chain)
{
	BIO *bio = BIO_new(BIO_s_mem());
	int rc = PKI_ERR_CRYPTO, i;

	if (bio == NULL || !PEM_write_bio_X509(bio, cert))
		goto out;
	for (i = 0; chain != NULL && i < sk_X509_num(chain); i++)
		if (!PEM_write_bio_X509(bio, sk_X509_value(chain, i)))
			goto out;
	rc = write_bio(path, bio, 0644);
out:
	BIO_free(bio);
	return rc;
}

static int
exists(const char *path)
{
	return access(path, F_OK) == 0;
}

int
pki_ca_init(const char *keys_dir)
{
	char pem[PATH_MAX], keyp[PATH_MAX];
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	int64_t now = time_now();
	int rc;

	if (keys_dir == NULL || path_in(pem, sizeof(pem), keys_dir, "ca.pem", NULL, "") != 0 ||
	    path_in(keyp, sizeof(keyp), keys_dir, "ca.key", NULL, "") != 0)
		return PKI_ERR_ARG;
	if (fsx_mkdirs(keys_dir, 0700) != 0)
		return PKI_ERR_IO;
	if (exists(pem) && exists(keyp))
		return PKI_OK;
	if (exists(pem) || exists(keyp))
		return PKI_ERR_NOCA;
	/* An hour of back-dating absorbs clock skew between this host and a verifier. */
	rc = pki_make_ca(CA_CN, now - 3600, now + (int64_t)CA_YEARS * 36525 * 864, &key, &cert);
	if (rc != PKI_OK)
		goto out;
	/* Key first: a ca.pem without its key would be unusable and block a retry. */
	if ((rc = write_key(keyp, key)) != PKI_OK)
		goto out;
	if ((rc = write_certs(pem, cert, NULL)) != PKI_OK)
		unlink(keyp);
out:
	EVP_PKEY_free(key);
	X509_free(cert);
	return rc;
}

static EVP_PKEY *
load_key_file(const char *path)
{
	struct buf b;
	BIO *bio;
	EVP_PKEY *key = NULL;

	buf_init(&b, MAX_PEM);
	if (fsx_read(path, &b) == 0 && (bio = BIO_new_mem_buf(b.data, (int)b.len)) != NULL) {
		key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
		BIO_free(bio);
	}
	if (b.data != NULL)
		OPENSSL_cleanse(b.data, b.len);
	buf_free(&b);
	return key;
}

/* All certificates of a PEM file; NULL when none could be read. */
static STACK_OF(X509) *
load_certs_file(const char *path)
{
	struct buf b;
	BIO *bio = NULL;
	STACK_OF(X509) *sk = NULL;
	X509 *c;

	buf_init(&b, MAX_PEM);
	if (fsx_read(path, &b) != 0 || (bio = BIO_new_mem_buf(b.data, (int)b.len)) == NULL)
		goto out;
	if ((sk = sk_X509_new_null()) == NULL)
		goto out;
	while ((c = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
		if (!sk_X509_push(sk, c)) {
			X509_free(c);
			break;
		}
	ERR_clear_error();	/* the read loop ends on a "no start line" error */
	if (sk_X509_num(sk) == 0) {
		sk_X509_free(sk);
		sk = NULL;
	}
out:
	BIO_free(bio);
	buf_free(&b);
	return sk;
}

X509 *
pki_load_cert_file(const char *path)
{
	STACK_OF(X509) *sk = load_certs_file(path);
	X509 *c;

	if (sk == NULL)
		return NULL;
	c = sk_X509_shift(sk);
	sk_X509_pop_free(sk, X509_free);
	return c;
}

X509 *
pki_load_ca(const char *keys_dir)
{
	char pem[PATH_MAX];

	if (path_in(pem, sizeof(pem), keys_dir, "ca.pem", NULL, "") != 0)
		return NULL;
	return pki_load_cert_file(pem);
}

static int
hod_paths(const char *keys_dir, const char *username, char *keyp, char *pem, size_t len)
{
	if (keys_dir == NULL || username == NULL || strict_username(username) != 0)
		return -1;
	if (path_in(keyp, len, keys_dir, "hod-", username, ".key") != 0 ||
	    path_in(pem, len, keys_dir, "hod-", username, ".pem") != 0)
		return -1;
	return 0;
}

/* Writes a HoD's key and certificate (key first, so a certificate never names a key that is
 * not on disk). */
static int
store_hod(const char *keyp, const char *pem, EVP_PKEY *key, X509 *cert,
    STACK_OF(X509) *chain)
{
	int rc;

	if (X509_check_private_key(cert, key) != 1)
		return PKI_ERR_MISMATCH;
	if ((rc = write_key(keyp, key)) != PKI_OK)
		return rc;
	return write_certs(pem, cert, chain);
}

int
pki_issue_hod(const char *keys_dir, const char *username, const char *common_name,
    int validity_days)
{
	char keyp[PATH_MAX], pem[PATH_MAX], cakeyp[PATH_MAX];
	EVP_PKEY *ca_key = NULL, *key = NULL;
	X509 *ca = NULL, *cert = NULL;
	STACK_OF(X509) *chain = NULL;
	int64_t now = time_now();
	int rc;

	if (ca_key_offline)
		return PKI_ERR_OFFLINE;
	if (hod_paths(keys_dir, username, keyp, pem, sizeof(keyp)) != 0 ||
	    path_in(cakeyp, sizeof(cakeyp), keys_dir, "ca.key", NULL, "") != 0 ||
	    validity_days < 0 || validity_days > 20 * 366)
		return PKI_ERR_ARG;
	if (validity_days == 0)
		validity_days = HOD_DAYS;
	if ((ca = pki_load_ca(keys_dir)) == NULL || (ca_key = load_key_file(cakeyp)) == NULL) {
		rc = PKI_ERR_NOCA;
		goto out;
	}
	rc = pki_make_leaf(ca_key, ca, common_name, now - 3600,
	    now + (int64_t)validity_days * 86400, &key, &cert);
	if (rc != PKI_OK)
		goto out;
	if ((chain = sk_X509_new_null()) == NULL || !sk_X509_push(chain, ca)) {
		rc = PKI_ERR_CRYPTO;
		goto out;
	}
	ca = NULL;	/* owned by chain */
	rc = store_hod(keyp, pem, key, cert, chain);
out:
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(key);
	X509_free(ca);
	X509_free(cert);
	sk_X509_pop_free(chain, X509_free);
	return rc;
}

int
pki_import_p12(const char *keys_dir, const char *username, const char *p12_path,
    const char *password)
{
	char keyp[PATH_MAX], pem[PATH_MAX];
	struct buf b;
	BIO *bio = NULL;
	PKCS12 *p12 = NULL;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	STACK_OF(X509) *chain = NULL;
	int rc;

	buf_init(&b, MAX_PEM);
	if (hod_paths(keys_dir, username, keyp, pem, sizeof(keyp)) != 0 || p12_path == NULL) {
		rc = PKI_ERR_ARG;
		goto out;
	}
	if (fsx_read(p12_path, &b) != 0) {
		rc = PKI_ERR_IO;
		goto out;
	}
	if ((bio = BIO_new_mem_buf(b.data, (int)b.len)) == NULL ||
	    (p12 = d2i_PKCS12_bio(bio, NULL)) == NULL) {
		rc = PKI_ERR_CRYPTO;
		goto out;
	}
	if (!PKCS12_parse(p12, password ? password : "", &key, &cert, &chain) ||
	    key == NULL || cert == NULL) {
		rc = PKI_ERR_PASSWORD;
		goto out;
	}
	if (fsx_mkdirs(keys_dir, 0700) != 0) {
		rc = PKI_ERR_IO;
		goto out;
	}
	rc = store_hod(keyp, pem, key, cert, chain);
out:
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

static int load_signer_files(const char *keyp, const char *pem, struct pki_signer *out);

int
pki_load_signer(const char *keys_dir, const char *username, struct pki_signer *out)
{
	char keyp[PATH_MAX], pem[PATH_MAX];

	memset(out, 0, sizeof(*out));
	if (hod_paths(keys_dir, username, keyp, pem, sizeof(keyp)) != 0)
		return PKI_ERR_ARG;
	return load_signer_files(keyp, pem, out);
}

static int
load_signer_files(const char *keyp, const char *pem, struct pki_signer *out)
{
	STACK_OF(X509) *certs;

	if (!exists(keyp) || !exists(pem))
		return PKI_ERR_NOTFOUND;
	if ((out->key = load_key_file(keyp)) == NULL)
		return PKI_ERR_CRYPTO;
	if ((certs = load_certs_file(pem)) == NULL) {
		pki_signer_free(out);
		return PKI_ERR_CRYPTO;
	}
	out->cert = sk_X509_shift(certs);
	out->chain = certs;
	if (X509_check_private_key(out->cert, out->key) != 1) {
		pki_signer_free(out);
		return PKI_ERR_MISMATCH;
	}
	return PKI_OK;
}

void
pki_signer_free(struct pki_signer *s)
{
	if (s == NULL)
		return;
	EVP_PKEY_free(s->key);
	X509_free(s->cert);
	sk_X509_pop_free(s->chain, X509_free);
	memset(s, 0, sizeof(*s));
}

/* ---- issue 9: the portal CA's CRL ---- */

void
pki_set_crl_base_url(const char *base_url)
{
	size_t n = base_url ? strlen(base_url) : 0;

	while (n > 0 && base_url[n - 1] == '/')
		n--;
	crl_url[0] = '\0';
	/* only a plain http(s) address: the value goes into an OpenSSL config string */
	if (n == 0 || n > 200 || strcspn(base_url, ",\"\\ \t\r\n") < n ||
	    (strncmp(base_url, "http://", 7) != 0 && strncmp(base_url, "https://", 8) != 0))
		return;
	snprintf(crl_url, sizeof(crl_url), "URI:%.*s/crl", (int)n, base_url);
}

int
pki_serial_hex(X509 *cert, char *out, size_t outlen)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
	char *hex = bn ? BN_bn2hex(bn) : NULL;
	int rc = -1;

	if (hex != NULL && strlen(hex) < outlen) {
		snprintf(out, outlen, "%s", hex);
		rc = 0;
	}
	OPENSSL_free(hex);
	BN_free(bn);
	return rc;
}

int
pki_crl_write(const char *keys_dir, const struct pki_revoked *rev, size_t n, int64_t now)
{
	char cakeyp[PATH_MAX], out[PATH_MAX];
	EVP_PKEY *ca_key = NULL;
	X509 *ca = NULL;
	X509_CRL *crl = NULL;
	ASN1_TIME *t = NULL;
	unsigned char *der = NULL;
	int len, rc = PKI_ERR_CRYPTO;
	size_t i;

	if (ca_key_offline)
		return PKI_ERR_OFFLINE;
	if (path_in(cakeyp, sizeof(cakeyp), keys_dir, "ca.key", NULL, "") != 0 ||
	    path_in(out, sizeof(out), keys_dir, "crl.der", NULL, "") != 0)
		return PKI_ERR_ARG;
	if ((ca = pki_load_ca(keys_dir)) == NULL || (ca_key = load_key_file(cakeyp)) == NULL) {
		rc = PKI_ERR_NOCA;
		goto out;
	}
	if ((crl = X509_CRL_new()) == NULL || !X509_CRL_set_version(crl, 1) ||
	    !X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca)) ||
	    (t = ASN1_TIME_set(NULL, (time_t)now)) == NULL || !X509_CRL_set1_lastUpdate(crl, t) ||
	    ASN1_TIME_set(t, (time_t)(now + CRL_DAYS * 86400)) == NULL ||
	    !X509_CRL_set1_nextUpdate(crl, t))
		goto out;
	for (i = 0; i < n; i++) {
		X509_REVOKED *r = X509_REVOKED_new();
		ASN1_INTEGER *serial = NULL;
		BIGNUM *bn = NULL;
		int ok;

		ok = r != NULL && BN_hex2bn(&bn, rev[i].serial_hex) > 0 &&
		    (serial = BN_to_ASN1_INTEGER(bn, NULL)) != NULL &&
		    X509_REVOKED_set_serialNumber(r, serial) &&
		    ASN1_TIME_set(t, (time_t)rev[i].revoked_at) != NULL &&
		    X509_REVOKED_set_revocationDate(r, t) && X509_CRL_add0_revoked(crl, r);
		ASN1_INTEGER_free(serial);
		BN_free(bn);
		if (!ok) {
			X509_REVOKED_free(r);
			goto out;
		}
	}
	if (!X509_CRL_sort(crl) || !X509_CRL_sign(crl, ca_key, EVP_sha256()) ||
	    (len = i2d_X509_CRL(crl, &der)) <= 0)
		goto out;
	rc = fsx_write_atomic(out, der, (size_t)len, 0644) == 0 ? PKI_OK : PKI_ERR_IO;
out:
	OPENSSL_free(der);
	ASN1_TIME_free(t);
	X509_CRL_free(crl);
	X509_free(ca);
	EVP_PKEY_free(ca_key);
	return rc;
}

X509_CRL *
pki_crl_load(const char *path, X509 *ca)
{
	struct buf b;
	const unsigned char *p;
	X509_CRL *crl = NULL;
	EVP_PKEY *k = ca ? X509_get0_pubkey(ca) : NULL;

	buf_init(&b, MAX_PEM * 4);
	if (k == NULL || fsx_read(path, &b) != 0)
		goto out;
	p = (const unsigned char *)b.data;
	if ((crl = d2i_X509_CRL(NULL, &p, (long)b.len)) == NULL ||
	    p != (const unsigned char *)b.data + b.len ||
	    X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(ca)) != 0 ||
	    X509_CRL_verify(crl, k) != 1) {
		X509_CRL_free(crl);
		crl = NULL;
	}
out:
	ERR_clear_error();
	buf_free(&b);
	return crl;
}

/* The server's copy of <data>/keys/crl.der, reloaded when the file changes (the CLI
 * rewrites it on each revocation). */
static struct {
	pthread_mutex_t	lock;
	char		path[PATH_MAX];
	struct timespec	mtime;
	off_t		size;
	X509_CRL	*crl;
} crl_cache = { .lock = PTHREAD_MUTEX_INITIALIZER };

X509_CRL *
pki_crl_get(const char *data_dir)
{
	char path[PATH_MAX], keys[PATH_MAX];
	struct stat st;
	X509_CRL *crl = NULL;
	X509 *ca;

	if (fsx_join(keys, sizeof(keys), data_dir, "keys") != 0 ||
	    path_in(path, sizeof(path), keys, "crl.der", NULL, "") != 0 ||
	    stat(path, &st) != 0)
		return NULL;
	pthread_mutex_lock(&crl_cache.lock);
	if (crl_cache.crl == NULL || strcmp(crl_cache.path, path) != 0 ||
	    crl_cache.mtime.tv_sec != st.st_mtim.tv_sec ||
	    crl_cache.mtime.tv_nsec != st.st_mtim.tv_nsec || crl_cache.size != st.st_size) {
		X509_CRL_free(crl_cache.crl);
		crl_cache.crl = NULL;
		if ((ca = pki_load_ca(keys)) != NULL) {
			crl_cache.crl = pki_crl_load(path, ca);
			X509_free(ca);
		}
		snprintf(crl_cache.path, sizeof(crl_cache.path), "%s", path);
		crl_cache.mtime = st.st_mtim;
		crl_cache.size = st.st_size;
	}
	if ((crl = crl_cache.crl) != NULL)
		X509_CRL_up_ref(crl);
	pthread_mutex_unlock(&crl_cache.lock);
	return crl;
}

void
pki_crl_cache_clear(void)
{
	pthread_mutex_lock(&crl_cache.lock);
	X509_CRL_free(crl_cache.crl);
	crl_cache.crl = NULL;
	pthread_mutex_unlock(&crl_cache.lock);
}

/* issue 13: certificates for keys kept in the signer's token */
int
pki_certify(const char *keys_dir, const char *file, const char *common_name, EVP_PKEY *pub,
    int validity_days, int kind)
{
	char path[PATH_MAX], cakeyp[PATH_MAX];
	EVP_PKEY *ca_key = NULL;
	X509 *ca = NULL, *cert = NULL;
	STACK_OF(X509) *chain = NULL;
	int64_t now = time_now();
	int rc = PKI_ERR_CRYPTO;

	if (ca_key_offline)
		return PKI_ERR_OFFLINE;
	if (keys_dir == NULL || file == NULL || strchr(file, '/') != NULL || pub == NULL ||
	    common_name == NULL || strict_text(common_name, MAX_CN) != 0 ||
	    path_in(path, sizeof(path), keys_dir, file, NULL, "") != 0 ||
	    path_in(cakeyp, sizeof(cakeyp), keys_dir, "ca.key", NULL, "") != 0 ||
	    validity_days < 0 || validity_days > 20 * 366)
		return PKI_ERR_ARG;
	if (validity_days == 0)
		validity_days = HOD_DAYS;
	if ((ca = pki_load_ca(keys_dir)) == NULL || (ca_key = load_key_file(cakeyp)) == NULL) {
		rc = PKI_ERR_NOCA;
		goto out;
	}
	if ((cert = make_cert(pub, common_name, now - 3600, now + (int64_t)validity_days * 86400,
	    ca, ca_key, kind == PKI_LEAF_TSA ? PKI_LEAF_TSA : 0)) == NULL)
		goto out;
	if ((chain = sk_X509_new_null()) == NULL || !sk_X509_push(chain, ca))
		goto out;
	ca = NULL;	/* owned by chain */
	rc = write_certs(path, cert, chain);
out:
	EVP_PKEY_free(ca_key);
	X509_free(ca);
	X509_free(cert);
	sk_X509_pop_free(chain, X509_free);
	return rc;
}

int
pki_load_chain(const char *keys_dir, const char *file, X509 **cert, STACK_OF(X509) **chain)
{
	char path[PATH_MAX];
	STACK_OF(X509) *certs;

	*cert = NULL;
	*chain = NULL;
	if (keys_dir == NULL || file == NULL || strchr(file, '/') != NULL ||
	    path_in(path, sizeof(path), keys_dir, file, NULL, "") != 0)
		return PKI_ERR_ARG;
	if (!exists(path))
		return PKI_ERR_NOTFOUND;
	if ((certs = load_certs_file(path)) == NULL)
		return PKI_ERR_CRYPTO;
	*cert = sk_X509_shift(certs);
	*chain = certs;
	return PKI_OK;
}

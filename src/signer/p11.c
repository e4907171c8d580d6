#include "signer/p11.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <p11-kit/pkcs11.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/x509.h>

#include "config.h"
#include "util/buf.h"
#include "util/crypt.h"
#include "util/fsx.h"
#include "util/log.h"
#include "util/strict.h"

#define LABEL_MAX	72
#define KEY_CACHE	16

/* DER of the OID prime256v1, CKA_EC_PARAMS of every key we make. */
static const unsigned char P256_PARAMS[] = {
	0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07
};
/* SubjectPublicKeyInfo of a P-256 key up to the 65-byte uncompressed point. */
static const unsigned char P256_SPKI[] = {
	0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06,
	0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00
};
/* DigestInfo of SHA-256 up to the hash, for RSA PKCS#1 v1.5 (CKM_RSA_PKCS signs it raw). */
static const unsigned char SHA256_DI[] = {
	0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
	0x01, 0x05, 0x00, 0x04, 0x20
};

struct p11 {
	void			*dl;
	CK_FUNCTION_LIST	*f;
	CK_SESSION_HANDLE	 s;
	struct {
		char			label[LABEL_MAX];
		CK_OBJECT_HANDLE	h;
		CK_KEY_TYPE		type;
	} cache[KEY_CACHE];
	unsigned		 next;
};

static const char *const err_names[P11_ERR__MAX] = {
	[P11_OK] = "ok",
	[P11_ERR_ARG] = "bad_argument",
	[P11_ERR_MODULE] = "module",
	[P11_ERR_TOKEN] = "token",
	[P11_ERR_LOGIN] = "login",
	[P11_ERR_NOKEY] = "no_key",
	[P11_ERR_SIGN] = "sign",
	[P11_ERR_CRYPTO] = "crypto",
};

const char *
p11_strerror(int err)
{
	if (err < 0 || err >= P11_ERR__MAX)
		return "unknown";
	return err_names[err];
}

int
p11_label_ok(const char *label)
{
	if (label == NULL)
		return 0;
	if (strcmp(label, "seal") == 0 || strcmp(label, "hkcl") == 0 ||
	    strcmp(label, "tsa") == 0)
		return 1;
	return strncmp(label, "hod-", 4) == 0 && strict_username(label + 4) == 0;
}

int
p11_paths(const struct config *cfg, char *pin_file, size_t len)
{
	char conf[1024];

	if (fsx_join(conf, sizeof(conf), cfg->data_dir, "hsm/softhsm2.conf") != 0)
		return P11_ERR_ARG;
	if (getenv("SOFTHSM2_CONF") == NULL && access(conf, F_OK) == 0)
		setenv("SOFTHSM2_CONF", conf, 0);
	if (cfg->pkcs11_pin_file[0] != '\0') {
		if (snprintf(pin_file, len, "%s", cfg->pkcs11_pin_file) >= (int)len)
			return P11_ERR_ARG;
		return P11_OK;
	}
	return fsx_join(pin_file, len, cfg->data_dir, "hsm/pin") == 0 ? P11_OK : P11_ERR_ARG;
}

/* A blank-padded CK_UTF8CHAR[32] field as a C string. */
static void
padded(const unsigned char *in, size_t n, char *out)
{
	memcpy(out, in, n);
	out[n] = '\0';
	while (n > 0 && out[n - 1] == ' ')
		out[--n] = '\0';
}

static void
pad_label(const char *label, unsigned char out[32])
{
	size_t n = strlen(label);

	memset(out, ' ', 32);
	memcpy(out, label, n > 32 ? 32 : n);
}

static int
load_module(const char *path, struct p11 *p)
{
	CK_C_GetFunctionList get;
	CK_C_INITIALIZE_ARGS args;
	CK_RV rv;

	if ((p->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		log_error("pkcs11: cannot load %s: %s", path, dlerror());
		return P11_ERR_MODULE;
	}
	*(void **)&get = dlsym(p->dl, "C_GetFunctionList");
	if (get == NULL || get(&p->f) != CKR_OK || p->f == NULL)
		return P11_ERR_MODULE;
	memset(&args, 0, sizeof(args));
	args.flags = CKF_OS_LOCKING_OK;
	rv = p->f->C_Initialize(&args);
	if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
		log_error("pkcs11: C_Initialize: 0x%lx", (unsigned long)rv);
		p->f = NULL;
		return P11_ERR_MODULE;
	}
	return P11_OK;
}

/* The slot of the token labelled label; with uninit, an empty slot instead. */
static int
find_slot(struct p11 *p, const char *label, int uninit, CK_SLOT_ID *out)
{
	CK_SLOT_ID slots[64];
	CK_ULONG n = 64, i;
	CK_TOKEN_INFO ti;
	char name[33];

	if (p->f->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK)
		return -1;
	for (i = 0; i < n; i++) {
		if (p->f->C_GetTokenInfo(slots[i], &ti) != CKR_OK)
			continue;
		padded(ti.label, sizeof(ti.label), name);
		if (uninit ? !(ti.flags & CKF_TOKEN_INITIALIZED) :
		    (ti.flags & CKF_TOKEN_INITIALIZED) && strcmp(name, label) == 0) {
			*out = slots[i];
			return 0;
		}
	}
	return -1;
}

static int
read_pin(const char *path, char *pin, size_t len)
{
	struct buf b;
	int rc = -1;

	buf_init(&b, 4096);
	if (fsx_read(path, &b) == 0 && b.len > 0) {
		while (b.len > 0 && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r'))
			b.len--;
		if (b.len > 0 && b.len < len) {
			memcpy(pin, b.data, b.len);
			pin[b.len] = '\0';
			rc = 0;
		}
	}
	if (b.data != NULL)
		OPENSSL_cleanse(b.data, b.cap);
	buf_free(&b);
	return rc;
}

int
p11_open(const struct config *cfg, struct p11 **out)
{
	char pinf[1024], pin[256];
	struct p11 *p;
	CK_SLOT_ID slot;
	CK_RV rv;
	int rc;

	*out = NULL;
	if ((rc = p11_paths(cfg, pinf, sizeof(pinf))) != P11_OK)
		return rc;
	if (read_pin(pinf, pin, sizeof(pin)) != 0) {
		log_error("pkcs11: cannot read the PIN file %s", pinf);
		return P11_ERR_ARG;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return P11_ERR_MODULE;
	if ((rc = load_module(cfg->pkcs11_module, p)) != P11_OK)
		goto fail;
	rc = P11_ERR_TOKEN;
	if (find_slot(p, cfg->pkcs11_token, 0, &slot) != 0) {
		log_error("pkcs11: no token labelled '%s' in %s", cfg->pkcs11_token,
		    cfg->pkcs11_module);
		goto fail;
	}
	if (p->f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL,
	    &p->s) != CKR_OK)
		goto fail;
	rv = p->f->C_Login(p->s, CKU_USER, (CK_UTF8CHAR *)pin, strlen(pin));
	if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
		log_error("pkcs11: login to '%s' refused (0x%lx)", cfg->pkcs11_token,
		    (unsigned long)rv);
		rc = P11_ERR_LOGIN;
		goto fail;
	}
	OPENSSL_cleanse(pin, sizeof(pin));
	*out = p;
	return P11_OK;
fail:
	OPENSSL_cleanse(pin, sizeof(pin));
	p11_close(p);
	return rc;
}

void
p11_close(struct p11 *p)
{
	if (p == NULL)
		return;
	if (p->f != NULL) {
		if (p->s != 0)
			p->f->C_CloseSession(p->s);
		p->f->C_Finalize(NULL);
	}
	if (p->dl != NULL)
		dlclose(p->dl);
	free(p);
}

int
p11_token_create(const struct config *cfg)
{
	char dir[1024], tokens[1100], conf[1100], pinf[1024], pin[33], so[33], text[1400];
	struct p11 p;
	CK_SESSION_HANDLE s = 0;
	CK_SLOT_ID slot;
	unsigned char lab[32];
	int n, rc = P11_ERR_TOKEN;

	memset(&p, 0, sizeof(p));
	if (fsx_join(dir, sizeof(dir), cfg->data_dir, "hsm") != 0 ||
	    fsx_join(tokens, sizeof(tokens), dir, "tokens") != 0 ||
	    fsx_join(conf, sizeof(conf), dir, "softhsm2.conf") != 0)
		return P11_ERR_ARG;
	if (strstr(cfg->pkcs11_module, "softhsm") == NULL)
		return P11_OK;	/* a real HSM's token is its operators' */
	if (fsx_mkdirs(tokens, 0700) != 0 || chmod(dir, 0700) != 0)
		return P11_ERR_ARG;
	if (access(conf, F_OK) != 0) {
		n = snprintf(text, sizeof(text), "# SoftHSM2 token of this data folder (suraksha "
		    "init)\ndirectories.tokendir = %s\nobjectstore.backend = file\n"
		    "log.level = ERROR\nslots.removable = false\n", tokens);
		if (n < 0 || (size_t)n >= sizeof(text) ||
		    fsx_write_atomic(conf, text, (size_t)n, 0600) != 0)
			return P11_ERR_ARG;
	}
	if (p11_paths(cfg, pinf, sizeof(pinf)) != P11_OK)
		return P11_ERR_ARG;
	if (access(pinf, F_OK) != 0) {
		if (crypt_random_hex(16, pin) != 0 ||
		    fsx_write_atomic(pinf, pin, strlen(pin), 0600) != 0)
			return P11_ERR_ARG;
	} else if (read_pin(pinf, pin, sizeof(pin)) != 0)
		return P11_ERR_ARG;
	if ((rc = load_module(cfg->pkcs11_module, &p)) != P11_OK)
		goto out;
	rc = P11_ERR_TOKEN;
	if (find_slot(&p, cfg->pkcs11_token, 0, &slot) == 0) {
		rc = P11_OK;
		goto out;
	}
	/* The SO PIN is not kept: re-initialising the token is never the way back in (a new
	 * data folder is), so nobody needs it. */
	if (find_slot(&p, NULL, 1, &slot) != 0 || crypt_random_hex(16, so) != 0)
		goto out;
	pad_label(cfg->pkcs11_token, lab);
	if (p.f->C_InitToken(slot, (CK_UTF8CHAR *)so, strlen(so), lab) != CKR_OK ||
	    find_slot(&p, cfg->pkcs11_token, 0, &slot) != 0 ||
	    p.f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s) !=
	    CKR_OK ||
	    p.f->C_Login(s, CKU_SO, (CK_UTF8CHAR *)so, strlen(so)) != CKR_OK ||
	    p.f->C_InitPIN(s, (CK_UTF8CHAR *)pin, strlen(pin)) != CKR_OK)
		goto out;
	p.f->C_Logout(s);
	rc = P11_OK;
out:
	if (rc != P11_OK)
		log_error("pkcs11: cannot create the token '%s' in %s", cfg->pkcs11_token, dir);
	OPENSSL_cleanse(pin, sizeof(pin));
	OPENSSL_cleanse(so, sizeof(so));
	if (p.f != NULL) {
		if (s != 0)
			p.f->C_CloseSession(s);
		p.f->C_Finalize(NULL);
	}
	if (p.dl != NULL)
		dlclose(p.dl);
	return rc;
}

/* Every object of class cls labelled label (at most max). */
static CK_ULONG
find_objects(struct p11 *p, CK_OBJECT_CLASS cls, const char *label, CK_OBJECT_HANDLE *out,
    CK_ULONG max)
{
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_LABEL, (void *)label, strlen(label) },
	};
	CK_ULONG n = 0;

	if (p->f->C_FindObjectsInit(p->s, t, 2) != CKR_OK)
		return 0;
	if (p->f->C_FindObjects(p->s, out, max, &n) != CKR_OK)
		n = 0;
	p->f->C_FindObjectsFinal(p->s);
	return n;
}

static void
forget(struct p11 *p, const char *label)
{
	size_t i;

	for (i = 0; i < KEY_CACHE; i++)
		if (strcmp(p->cache[i].label, label) == 0)
			memset(&p->cache[i], 0, sizeof(p->cache[i]));
}

static void
remove_label(struct p11 *p, const char *label)
{
	static const CK_OBJECT_CLASS classes[] = { CKO_PRIVATE_KEY, CKO_PUBLIC_KEY };
	CK_OBJECT_HANDLE h[8];
	CK_ULONG n, i;
	size_t c;

	forget(p, label);
	for (c = 0; c < sizeof(classes) / sizeof(classes[0]); c++) {
		n = find_objects(p, classes[c], label, h, 8);
		for (i = 0; i < n; i++)
			p->f->C_DestroyObject(p->s, h[i]);
	}
}

int
p11_has_key(struct p11 *p, const char *label)
{
	CK_OBJECT_HANDLE h;

	return p11_label_ok(label) && find_objects(p, CKO_PRIVATE_KEY, label, &h, 1) == 1;
}

/* The public key of a CKA_EC_POINT (a DER OCTET STRING around 04||x||y). */
static EVP_PKEY *
p256_pub(const unsigned char *ecpoint, size_t len)
{
	unsigned char spki[sizeof(P256_SPKI) + 65];
	const unsigned char *q = spki;

	if (len == 67 && ecpoint[0] == 0x04 && ecpoint[1] == 65) {
		ecpoint += 2;
		len -= 2;
	}
	if (len != 65 || ecpoint[0] != 0x04)
		return NULL;
	memcpy(spki, P256_SPKI, sizeof(P256_SPKI));
	memcpy(spki + sizeof(P256_SPKI), ecpoint, 65);
	return d2i_PUBKEY(NULL, &q, sizeof(spki));
}

int
p11_keygen(struct p11 *p, const char *label, EVP_PKEY **pub)
{
	CK_MECHANISM mech = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ATTRIBUTE pubt[] = {
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_VERIFY, &yes, sizeof(yes) },
		{ CKA_EC_PARAMS, (void *)P256_PARAMS, sizeof(P256_PARAMS) },
		{ CKA_LABEL, (void *)label, strlen(label) },
	};
	CK_ATTRIBUTE privt[] = {
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_PRIVATE, &yes, sizeof(yes) },
		{ CKA_SENSITIVE, &yes, sizeof(yes) },
		{ CKA_EXTRACTABLE, &no, sizeof(no) },
		{ CKA_SIGN, &yes, sizeof(yes) },
		{ CKA_LABEL, (void *)label, strlen(label) },
	};
	CK_OBJECT_HANDLE hpub, hpriv;
	unsigned char point[128];
	CK_ATTRIBUTE pt = { CKA_EC_POINT, point, sizeof(point) };
	CK_RV rv;

	*pub = NULL;
	if (!p11_label_ok(label))
		return P11_ERR_ARG;
	remove_label(p, label);
	rv = p->f->C_GenerateKeyPair(p->s, &mech, pubt, 4, privt, 6, &hpub, &hpriv);
	if (rv != CKR_OK) {
		log_error("pkcs11: key generation for '%s': 0x%lx", label, (unsigned long)rv);
		return P11_ERR_CRYPTO;
	}
	if (p->f->C_GetAttributeValue(p->s, hpub, &pt, 1) != CKR_OK ||
	    (*pub = p256_pub(point, pt.ulValueLen)) == NULL) {
		remove_label(p, label);
		return P11_ERR_CRYPTO;
	}
	return P11_OK;
}

int
p11_import(struct p11 *p, const char *label, EVP_PKEY *key)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_KEY_TYPE kt = CKK_EC;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	unsigned char d[32];
	char group[32];
	BIGNUM *bn = NULL;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_PRIVATE, &yes, sizeof(yes) },
		{ CKA_SENSITIVE, &yes, sizeof(yes) },
		{ CKA_EXTRACTABLE, &no, sizeof(no) },
		{ CKA_SIGN, &yes, sizeof(yes) },
		{ CKA_EC_PARAMS, (void *)P256_PARAMS, sizeof(P256_PARAMS) },
		{ CKA_VALUE, d, sizeof(d) },
		{ CKA_LABEL, (void *)label, strlen(label) },
	};
	CK_OBJECT_HANDLE h;
	int rc = P11_ERR_CRYPTO;

	if (!p11_label_ok(label) || key == NULL)
		return P11_ERR_ARG;
	if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group,
	    sizeof(group), NULL) != 1 || strcmp(group, "prime256v1") != 0 ||
	    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &bn) != 1 ||
	    BN_bn2binpad(bn, d, sizeof(d)) != (int)sizeof(d))
		goto out;
	remove_label(p, label);
	if (p->f->C_CreateObject(p->s, t, sizeof(t) / sizeof(t[0]), &h) == CKR_OK)
		rc = P11_OK;
out:
	OPENSSL_cleanse(d, sizeof(d));
	BN_clear_free(bn);
	return rc;
}

int
p11_ecdsa_der(const unsigned char *raw, size_t rawlen, unsigned char *der, size_t *derlen)
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = NULL, *s = NULL;
	unsigned char *q = der;
	int n, rc = -1;

	if (es == NULL || rawlen == 0 || rawlen % 2 != 0 || rawlen > 264)
		goto out;
	r = BN_bin2bn(raw, (int)(rawlen / 2), NULL);
	s = BN_bin2bn(raw + rawlen / 2, (int)(rawlen / 2), NULL);
	if (r == NULL || s == NULL || !ECDSA_SIG_set0(es, r, s))
		goto out;
	r = s = NULL;
	if ((n = i2d_ECDSA_SIG(es, NULL)) <= 0 || (size_t)n > *derlen)
		goto out;
	*derlen = (size_t)i2d_ECDSA_SIG(es, &q);
	rc = 0;
out:
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	return rc;
}

static int
key_handle(struct p11 *p, const char *label, CK_OBJECT_HANDLE *h, CK_KEY_TYPE *type)
{
	CK_ATTRIBUTE t = { CKA_KEY_TYPE, type, sizeof(*type) };
	size_t i;

	for (i = 0; i < KEY_CACHE; i++)
		if (p->cache[i].h != 0 && strcmp(p->cache[i].label, label) == 0) {
			*h = p->cache[i].h;
			*type = p->cache[i].type;
			return 0;
		}
	if (find_objects(p, CKO_PRIVATE_KEY, label, h, 1) != 1 ||
	    p->f->C_GetAttributeValue(p->s, *h, &t, 1) != CKR_OK)
		return -1;
	i = p->next++ % KEY_CACHE;
	snprintf(p->cache[i].label, sizeof(p->cache[i].label), "%s", label);
	p->cache[i].h = *h;
	p->cache[i].type = *type;
	return 0;
}

int
p11_sign(struct p11 *p, const char *label, const unsigned char *digest, size_t dlen,
    unsigned char *sig, size_t *siglen)
{
	CK_MECHANISM mech = { CKM_ECDSA, NULL, 0 };
	unsigned char in[sizeof(SHA256_DI) + 32], raw[512];
	CK_ULONG rawlen = sizeof(raw), inlen = dlen;
	CK_OBJECT_HANDLE h;
	CK_KEY_TYPE type;
	const unsigned char *msg = digest;
	CK_RV rv;
	int again;

	if (!p11_label_ok(label) || dlen != 32)
		return P11_ERR_ARG;
	for (again = 0; again < 2; again++) {
		if (key_handle(p, label, &h, &type) != 0)
			return P11_ERR_NOKEY;
		if (type == CKK_RSA) {
			mech.mechanism = CKM_RSA_PKCS;
			memcpy(in, SHA256_DI, sizeof(SHA256_DI));
			memcpy(in + sizeof(SHA256_DI), digest, 32);
			msg = in;
			inlen = sizeof(in);
		}
		rv = p->f->C_SignInit(p->s, &mech, h);
		if (rv == CKR_OK)
			rv = p->f->C_Sign(p->s, (CK_BYTE *)msg, inlen, raw, &rawlen);
		if (rv == CKR_OK)
			break;
		/* a handle gone stale (the key re-issued by a CLI command): look it up again */
		forget(p, label);
		if (rv != CKR_KEY_HANDLE_INVALID && rv != CKR_OBJECT_HANDLE_INVALID) {
			log_error("pkcs11: signing with '%s': 0x%lx", label, (unsigned long)rv);
			return P11_ERR_SIGN;
		}
	}
	if (again == 2)
		return P11_ERR_SIGN;
	if (type == CKK_EC)
		return p11_ecdsa_der(raw, rawlen, sig, siglen) == 0 ? P11_OK : P11_ERR_SIGN;
	if (rawlen > *siglen)
		return P11_ERR_SIGN;
	memcpy(sig, raw, rawlen);
	*siglen = rawlen;
	return P11_OK;
}

#include "auth/password.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "util/crypt.h"
#include "util/strict.h"

#define SALT_LEN	16
#define KEY_LEN		32
#define MAXMEM		(256ULL * 1024 * 1024)

int
password_acceptable(const char *pw)
{
	size_t n = pw ? strlen(pw) : 0;

	return n >= PASSWORD_MIN && n <= PASSWORD_MAX && strict_text(pw, PASSWORD_MAX) == 0 ?
	    0 : -1;
}

static int
derive(const char *pw, const unsigned char *salt, int log2n, unsigned char key[KEY_LEN])
{
	return EVP_PBE_scrypt(pw, strlen(pw), salt, SALT_LEN, (uint64_t)1 << log2n, 8, 1,
	    MAXMEM, key, KEY_LEN) == 1 ? 0 : -1;
}

int
password_hash(const char *pw, int log2n, char out[PASSWORD_HASH_MAX])
{
	unsigned char salt[SALT_LEN], key[KEY_LEN];
	char salthex[2 * SALT_LEN + 1], keyhex[2 * KEY_LEN + 1];

	if (log2n < 10 || log2n > 20 || crypt_random(salt, sizeof(salt)) != 0 ||
	    derive(pw, salt, log2n, key) != 0)
		return -1;
	crypt_hex(salt, sizeof(salt), salthex);
	crypt_hex(key, sizeof(key), keyhex);
	OPENSSL_cleanse(key, sizeof(key));
	snprintf(out, PASSWORD_HASH_MAX, "scrypt$%d$%s$%s", log2n, salthex, keyhex);
	return 0;
}

int
password_verify(const char *pw, const char *stored)
{
	unsigned char salt[SALT_LEN], want[KEY_LEN], got[KEY_LEN];
	char copy[PASSWORD_HASH_MAX], *p, *q;
	int64_t log2n;
	int ok;

	if (stored == NULL || strlen(stored) >= sizeof(copy) || strncmp(stored, "scrypt$", 7))
		return -1;
	memcpy(copy, stored, strlen(stored) + 1);
	p = copy + 7;
	if ((q = strchr(p, '$')) == NULL)
		return -1;
	*q++ = '\0';
	if (strict_int64(p, 10, 20, &log2n) != 0)
		return -1;
	p = q;
	if ((q = strchr(p, '$')) == NULL)
		return -1;
	*q++ = '\0';
	if (crypt_unhex(p, salt, sizeof(salt)) != 0 || crypt_unhex(q, want, sizeof(want)) != 0)
		return -1;
	if (derive(pw, salt, (int)log2n, got) != 0)
		return -1;
	ok = crypt_equal(got, want, KEY_LEN);
	OPENSSL_cleanse(got, sizeof(got));
	return ok ? 1 : 0;
}

void
password_burn(const char *pw, int log2n)
{
	static const unsigned char salt[SALT_LEN];
	unsigned char key[KEY_LEN];

	derive(pw, salt, log2n, key);
}

#include "util/crypt.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

int
crypt_random(void *out, size_t len)
{
	return RAND_bytes(out, (int)len) == 1 ? 0 : -1;
}

void
crypt_sha256(const void *data, size_t len, unsigned char out[SHA256_LEN])
{
	unsigned int n = SHA256_LEN;

	EVP_Digest(data, len, out, &n, EVP_sha256(), NULL);
}

void
crypt_hmac_sha256(const void *key, size_t keylen, const void *data, size_t len,
    unsigned char out[SHA256_LEN])
{
	unsigned int n = SHA256_LEN;

	HMAC(EVP_sha256(), key, (int)keylen, data, len, out, &n);
}

void
crypt_hex(const unsigned char *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

int
crypt_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
crypt_unhex(const char *in, unsigned char *out, size_t outlen)
{
	size_t i;

	for (i = 0; i < outlen; i++) {
		int hi, lo;

		if ((hi = crypt_hexval(in[2 * i])) < 0 || (lo = crypt_hexval(in[2 * i + 1])) < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return in[2 * outlen] == '\0' ? 0 : -1;
}

int
crypt_equal(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

void
crypt_sha256_hex(const void *data, size_t len, char out[SHA256_HEX])
{
	unsigned char md[SHA256_LEN];

	crypt_sha256(data, len, md);
	crypt_hex(md, sizeof(md), out);
}

int
crypt_random_hex(size_t n, char *out)
{
	unsigned char tmp[64];

	if (n > sizeof(tmp) || crypt_random(tmp, n) != 0)
		return -1;
	crypt_hex(tmp, n, out);
	OPENSSL_cleanse(tmp, sizeof(tmp));
	return 0;
}

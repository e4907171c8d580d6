/* Small wrappers over OpenSSL for hashing, randomness and encodings. */
#ifndef UTIL_CRYPT_H
#define UTIL_CRYPT_H

#include <stddef.h>

#define SHA256_LEN 32
#define SHA256_HEX 65

/* 0 on success, -1 when the CSPRNG failed (callers must refuse to go on). */
int	crypt_random(void *out, size_t len);
void	crypt_sha256(const void *data, size_t len, unsigned char out[SHA256_LEN]);
void	crypt_hmac_sha256(const void *key, size_t keylen, const void *data, size_t len,
	    unsigned char out[SHA256_LEN]);
/* Lower-case hex of len bytes into out (2 * len + 1 bytes). */
void	crypt_hex(const unsigned char *in, size_t len, char *out);
/* The value of one hex digit, or -1. */
int	crypt_hexval(char c);
/* Strict lower/upper-case hex of exactly 2 * outlen digits; 0 ok. */
int	crypt_unhex(const char *in, unsigned char *out, size_t outlen);
/* Constant-time equality of two equal-length buffers. */
int	crypt_equal(const void *a, const void *b, size_t len);
/* sha256 hex of a string. */
void	crypt_sha256_hex(const void *data, size_t len, char out[SHA256_HEX]);
/* n random bytes as 2n hex digits (out: 2n+1); 0 ok. */
int	crypt_random_hex(size_t n, char *out);

#endif

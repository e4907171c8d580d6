/* Staff passwords: scrypt (r=8, p=1, N=2^log2n) with a 16-byte random salt per hash.
 * Stored form: "scrypt$<log2n>$<salt hex>$<key hex>". */
#ifndef AUTH_PASSWORD_H
#define AUTH_PASSWORD_H

#include <stddef.h>

#define PASSWORD_HASH_MAX	160
#define PASSWORD_MIN		10
#define PASSWORD_MAX		256

/* A password is acceptable: 10 to 256 bytes, no control characters. 0 ok. */
int	password_acceptable(const char *pw);
/* 0 ok; -1 when the CSPRNG or KDF failed. */
int	password_hash(const char *pw, int log2n, char out[PASSWORD_HASH_MAX]);
/* 1 when pw matches stored, 0 when not, -1 when stored is malformed. Constant time in the
 * comparison. */
int	password_verify(const char *pw, const char *stored);
/* Spend the time of a verification, for unknown users (no timing oracle). */
void	password_burn(const char *pw, int log2n);

#endif

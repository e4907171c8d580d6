/* The PKCS#11 token that holds the portal's keys (SIGNING.md, "Keys and who signs"):
 * SoftHSM2 for the demo and the tests, a network HSM in production. The module is
 * dlopen()ed (its path is a setting), the token found by label, the user logged in with a
 * PIN read from a file. Only the signer process (src/signer/signer.c) and offline CLI
 * commands (init, letter hod, hod import-p12) open it; the HTTP server never does.
 *
 * Keys are found by CKA_LABEL: "seal" (the portal seal), "hod-<username>" (HoDs whose key
 * the portal holds by policy, the demo), "hkcl" (HKCL export manifests), "tsa". Private
 * keys are generated in the token, sensitive and not extractable. */
#ifndef SIGNER_P11_H
#define SIGNER_P11_H

#include <stddef.h>

#include <openssl/evp.h>

struct config;
struct p11;

enum p11_err {
	P11_OK = 0,
	P11_ERR_ARG,		/* bad label, path or PIN file */
	P11_ERR_MODULE,		/* the module could not be loaded or initialised */
	P11_ERR_TOKEN,		/* no token with that label, or it could not be made */
	P11_ERR_LOGIN,		/* the PIN was refused */
	P11_ERR_NOKEY,		/* no private key with that label */
	P11_ERR_SIGN,		/* the token refused to sign */
	P11_ERR_CRYPTO,		/* key generation, import or a public key it returned */
	P11_ERR__MAX
};

const char	*p11_strerror(int err);

/* Paths derived from the settings: the module, the PIN file (pkcs11_pin_file, else
 * <data>/hsm/pin). Sets SOFTHSM2_CONF to <data>/hsm/softhsm2.conf when that file exists
 * and the variable is unset, so the data folder's own token is found. */
int	p11_paths(const struct config *cfg, char *pin_file, size_t len);

/* Opens the module and logs in to the token named in cfg. *out owned by the caller,
 * released with p11_close. */
int	p11_open(const struct config *cfg, struct p11 **out);
void	p11_close(struct p11 *p);	/* NULL is fine */

/* For init: creates <data>/hsm (0700) with softhsm2.conf, tokens/ and a random PIN file
 * (0600), and initialises the token if no token has that label. Does nothing when the
 * token exists already. Only for the SoftHSM2 module (a network HSM is set up by its
 * operators). */
int	p11_token_create(const struct config *cfg);

/* Generates an EC P-256 key pair labelled label in the token (an earlier one of that label
 * is removed first); *pub receives the public key (caller frees). */
int	p11_keygen(struct p11 *p, const char *label, EVP_PKEY **pub);
/* Imports an EC P-256 private key (a HoD's PKCS#12) as label, sensitive. */
int	p11_import(struct p11 *p, const char *label, EVP_PKEY *key);
/* Is there a private key labelled label? */
int	p11_has_key(struct p11 *p, const char *label);

/* Signs a digest (SHA-256, 32 bytes) with the key labelled label: ECDSA answers as DER
 * (the token's raw r||s encoded), RSA as PKCS#1 v1.5 over the DigestInfo. *siglen in:
 * room of sig, out: its length. */
int	p11_sign(struct p11 *p, const char *label, const unsigned char *digest, size_t dlen,
	    unsigned char *sig, size_t *siglen);

/* ECDSA's raw r||s (2n bytes) as a DER Ecdsa-Sig-Value into der (room *derlen). */
int	p11_ecdsa_der(const unsigned char *raw, size_t rawlen, unsigned char *der,
	    size_t *derlen);

/* Is label a key label we accept ("seal", "hkcl", "tsa", "hod-<username>")? */
int	p11_label_ok(const char *label);

#endif

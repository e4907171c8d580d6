/* The portal's small PKI (SIGNING.md, "Keys and who signs"): the portal CA, one key and
 * certificate per Head of Department issued by it (or imported from a PKCS#12), and loading
 * a signer for letters.
 *
 * Keys are ECDSA P-256: an RSA-2048 signature alone costs about 1 ms, which would cap
 * signing below the 1,300 letters a second we want; P-256 signs in ~30 us and pdfsig (NSS),
 * Adobe and OpenSSL all verify it in CMS.
 *
 * Files in keys_dir (created 0700): ca.pem (0644), ca.key (0600), hod-<username>.pem (the
 * HoD's certificate followed by its chain, 0644) and hod-<username>.key (0600). Every file
 * is written durably (temp file, fsync, rename, fsync folder). */
#ifndef LETTERS_PKI_H
#define LETTERS_PKI_H

#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

enum pki_err {
	PKI_OK = 0,
	PKI_ERR_ARG,		/* bad username, common name or path */
	PKI_ERR_IO,		/* a file could not be read or written */
	PKI_ERR_CRYPTO,		/* OpenSSL refused (key generation, signing, parsing) */
	PKI_ERR_NOCA,		/* the CA is missing or only half there */
	PKI_ERR_NOTFOUND,	/* no key or certificate for that HoD */
	PKI_ERR_PASSWORD,	/* the PKCS#12 could not be opened with that password */
	PKI_ERR_MISMATCH,	/* key and certificate do not belong together */
	PKI_ERR_OFFLINE,	/* the CA key is offline in this process (the server) */
	PKI_ERR__MAX
};

/* A stable lower-case code for err ("io", "crypto", ...). */
const char	*pki_strerror(int err);

/* Creates the portal CA in keys_dir if it is absent: P-256, self-signed, CN "Suraksha
 * Portal CA", basicConstraints CA:TRUE critical, keyUsage keyCertSign+cRLSign critical,
 * valid 20 years. PKI_OK when it exists already (it is never replaced); PKI_ERR_NOCA when
 * only one of ca.pem / ca.key is there. */
int	pki_ca_init(const char *keys_dir);

/* Issues a key and certificate for HoD username (strict_username) with the given common
 * name, signed by the portal CA: keyUsage digitalSignature+nonRepudiation, EKU
 * emailProtection, no AIA/OCSP, valid validity_days (0 means 3 years) from now. Replaces
 * an earlier key of the same HoD. */
int	pki_issue_hod(const char *keys_dir, const char *username, const char *common_name,
	    int validity_days);

/* Imports a HoD's PKCS#12 (key, certificate and any chain) as hod-<username>.key/.pem. */
int	pki_import_p12(const char *keys_dir, const char *username, const char *p12_path,
	    const char *password);

/* What signing a letter needs. Owned by the struct; release with pki_signer_free. */
struct pki_signer {
	EVP_PKEY	*key;
	X509		*cert;
	STACK_OF(X509)	*chain;	/* certificates above cert, possibly empty, never NULL */
};

/* Loads hod-<username>.key/.pem; the key must match the certificate. */
int	pki_load_signer(const char *keys_dir, const char *username, struct pki_signer *out);
void	pki_signer_free(struct pki_signer *s);	/* NULL or a zeroed struct is fine */

/* The first certificate of a PEM file; NULL on failure. Caller frees (X509_free). */
X509	*pki_load_cert_file(const char *path);
/* The portal CA certificate of keys_dir; NULL on failure. */
X509	*pki_load_ca(const char *keys_dir);

/* In-memory issuing, for tests (foreign CAs, expired or not-yet-valid signers) and for
 * the functions above. Times are Unix seconds. pki_make_ca makes a self-signed CA;
 * pki_make_leaf a HoD-style signer certificate under (ca_key, ca_cert). On PKI_OK the
 * caller owns *key and *cert. */
int	pki_make_ca(const char *common_name, int64_t not_before, int64_t not_after,
	    EVP_PKEY **key, X509 **cert);
int	pki_make_leaf(EVP_PKEY *ca_key, X509 *ca_cert, const char *common_name,
	    int64_t not_before, int64_t not_after, EVP_PKEY **key, X509 **cert);

/* ---- issue 9: revoking HoD certificates ----
 * The CRL is <data>/keys/crl.der (DER, 0644), signed by the portal CA key, so it is made
 * only by CLI commands (`suraksha ca revoke-cert`, `suraksha ca crl`), valid 30 days;
 * the server serves it (GET /crl) and checks signers against it. */

/* From now on this process never reads the CA key: issuing (pki_certify,
 * pki_issue_hod) and CRL signing answer PKI_ERR_OFFLINE. The server calls it at start;
 * those are CLI commands. */
void	pki_ca_key_offline(void);

/* Leaves issued from now on by this process carry the CRL distribution point
 * <base_url>/crl (an http(s) address; anything else leaves it out). */
void	pki_set_crl_base_url(const char *base_url);

/* The certificate's serial number in upper-case hex; 0 ok. */
int	pki_serial_hex(X509 *cert, char *out, size_t outlen);

struct pki_revoked {
	const char	*serial_hex;
	int64_t		 revoked_at;
};
/* Signs a CRL of the n revoked serials with the CA key and writes keys_dir/crl.der. */
int	pki_crl_write(const char *keys_dir, const struct pki_revoked *rev, size_t n,
	    int64_t now);
/* A DER CRL file issued and signed by ca; NULL otherwise. Caller frees. */
X509_CRL *pki_crl_load(const char *path, X509 *ca);
/* <data_dir>/keys/crl.der checked against <data_dir>/keys/ca.pem, cached per process and
 * reloaded when the file changes: a new reference (X509_CRL_free), NULL when there is
 * none or it does not verify. Thread-safe. */
X509_CRL *pki_crl_get(const char *data_dir);
void	pki_crl_cache_clear(void);

/* issue 13: keys kept in the signer's PKCS#11 token, their certificates in keys_dir.
 * pki_certify issues a certificate for the public key pub with the portal CA (offline:
 * CLI commands only) and writes it with the CA above it to keys_dir/file (0644): kind
 * PKI_LEAF_SIGNER as for HoDs (the seal, HKCL manifests), PKI_LEAF_TSA with the critical
 * EKU timeStamping RFC 3161 wants. pki_load_chain reads such a file back: the first
 * certificate into *cert, the rest into *chain (both the caller's). Every leaf carries
 * the CRL distribution point set by pki_set_crl_base_url (issue 9). */
#define PKI_LEAF_SIGNER	0
#define PKI_LEAF_TSA	2
int	pki_certify(const char *keys_dir, const char *file, const char *common_name,
	    EVP_PKEY *pub, int validity_days, int kind);
int	pki_load_chain(const char *keys_dir, const char *file, X509 **cert,
	    STACK_OF(X509) **chain);

#endif

/* PAdES signing of a rendered letter (SIGNING.md, "Recipe"): an incremental update after
 * libharu's output carrying the signature dictionary, a visible signature widget, the page
 * and catalog re-emitted with /Annots and /AcroForm, and a classic xref section with
 * /Prev. The CMS is a detached CAdES SignedData (SHA-256) over the two byte ranges.
 *
 * Split in three phases so an external signer (a HoD's token or an eSign service) can be
 * slotted in later: prepare (placeholder, ByteRange, digest of the ranges out), sign (here
 * with a key the server holds), embed (CMS in, checked to fit). sig_sign runs all three. */
#ifndef LETTERS_SIGN_H
#define LETTERS_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include "letters/letter.h"
#include "letters/pki.h"
#include "util/buf.h"

#include <openssl/x509.h>

/* DER bytes reserved for the CMS; /Contents holds twice as many hex digits. */
#define SIG_RESERVED_DER 8192

enum sig_err {
	SIG_OK = 0,
	SIG_ERR_ARG,		/* missing or unprintable request fields */
	SIG_ERR_LAYOUT,		/* the unsigned PDF is not what letter_render wrote */
	SIG_ERR_CRYPTO,		/* OpenSSL could not build the CMS */
	SIG_ERR_TOO_BIG,	/* the CMS does not fit the reserved /Contents: never truncated */
	SIG_ERR_NOMEM,
	SIG_ERR_TSA,		/* B-T asked and the TSA gave no good token: not signed */
	SIG_ERR__MAX
};

const char	*sig_strerror(int err);

struct sig_request {
	const char	*signer_name;	/* /Name and the visible block (UTF-8, WinAnsi-printable) */
	const char	*reason;	/* /Reason */
	const char	*letter_ref;	/* /SurakshaRef: the reference, inside the signed bytes */
	int64_t		 signing_time;	/* /M (IST): the CMS has no signingTime (strict B-B) */
};

struct sig_prepared {
	size_t		contents_at;	/* offset of the '<' of /Contents */
	size_t		contents_end;	/* offset just past its '>' */
	unsigned char	digest[32];	/* SHA-256 of [0, contents_at) + [contents_end, len) */
};

/* Phase 1: appends the update to pdf (an unsigned letter with its layout) with a zeroed
 * /Contents and the final /ByteRange, and hashes the ranges. */
int	sig_prepare(struct buf *pdf, const struct letter_layout *lay,
	    const struct sig_request *req, struct sig_prepared *prep);
/* Phase 2 with a server-held key: CMS SignedData (detached, CAdES signing-certificate-v2,
 * signingTime = signing_time, signer chain included) over the ranges, DER into der. */
int	sig_cms_sign(const struct buf *pdf, const struct sig_prepared *prep,
	    const struct pki_signer *signer, int64_t signing_time, struct buf *der);
/* Phase 3: hex-encodes der into the placeholder. SIG_ERR_TOO_BIG when it does not fit. */
int	sig_embed(struct buf *pdf, const struct sig_prepared *prep, const unsigned char *der,
	    size_t len);

int	sig_sign(struct buf *pdf, const struct letter_layout *lay, const struct sig_request *req,
	    const struct pki_signer *signer);

/* Who signs a digest: the signer process (a key in the token), a key in memory (tests, the
 * bench), or a HoD's token through sign-agent. fn signs the 32-byte SHA-256 digest of the
 * DER signed attributes: DER ECDSA or RSA PKCS#1 v1.5 into sig (room *siglen; out: its
 * length); 0 ok. */
typedef int (*sig_sign_fn)(void *ctx, const unsigned char digest[32], unsigned char *sig,
	    size_t *siglen);
struct sig_key {
	X509		*cert;
	STACK_OF(X509)	*chain;		/* certificates above cert; may be NULL */
	sig_sign_fn	 fn;
	void		*ctx;
	/* B-T: when tsa_url is set, an RFC 3161 token over the signature value from that TSA
	 * (its signature checked against tsa_ca when not NULL) goes in as the unsigned
	 * attribute id-aa-signatureTimeStampToken; no token, no signature. */
	const char	*tsa_url;
	X509		*tsa_ca;
	long		 tsa_timeout_ms;
};

/* The sig_sign_fn of a key in memory (ctx: an EVP_PKEY). */
int	sig_fn_evp(void *ctx, const unsigned char digest[32], unsigned char *sig,
	    size_t *siglen);

/* Strict PAdES B-B in one call: prepare, signed attributes built here (contentType,
 * messageDigest, ESS signing-certificate-v2, no signingTime: the time is /M), their digest
 * signed by key->fn, embed. pdf is left as it was on failure. */
int	sig_sign_key(struct buf *pdf, const struct letter_layout *lay,
	    const struct sig_request *req, const struct sig_key *key);

/* SHA-256 of the DER SET OF the signed attributes of si (a CMS_SignerInfo): what a
 * signature covers. */
int	sig_attrs_digest(void *si, unsigned char out[32]);

/* A detached CMS SignedData over content whose SHA-256 is digest, signed by key the same
 * strict way (HKCL export manifests): DER into der. */
int	sig_cms_digest(const unsigned char digest[32], const struct sig_key *key,
	    struct buf *der);

/* Phase 2 with an external signer (a HoD's token, an eSign service): begin builds the
 * SignerInfo for cert (signed attributes contentType, signingTime, messageDigest of the
 * ranges, ESS signing-certificate-v2) and gives out the SHA-256 of the DER of the signed
 * attributes, which the signer signs (ECDSA or RSA PKCS#1 v1.5 over that digest); finish
 * puts the signature value in and gives the CMS DER for sig_embed. Verify the result
 * (verify_pdf) before issuing it. signing_time 0 leaves signingTime out, as strict PAdES
 * B-B wants (OpenSSL's one-phase CMS_sign always adds it); the time is then /M's. */
struct sig_external {
	void	*cms;	/* CMS_ContentInfo, owned */
	void	*si;	/* its SignerInfo */
};

int	sig_external_begin(const struct sig_prepared *prep, X509 *cert, STACK_OF(X509) *chain,
	    int64_t signing_time, struct sig_external *x, unsigned char tbs_digest[32]);
int	sig_external_finish(struct sig_external *x, const unsigned char *sig, size_t siglen,
	    struct buf *der);
void	sig_external_free(struct sig_external *x);

#endif

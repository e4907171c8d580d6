/* Verifying a signed letter (SECURITY.md, "Signed letters"). qpdf finds the signature; the
 * checks that matter run on the raw bytes, so that nothing outside the signed ranges can
 * carry content: exactly one signature, ByteRange [0 a b c] with the gap [a, b) exactly the
 * /Contents hex string, b + c the file's length, the CMS digest over the two ranges, the
 * signer chaining to the portal CA at signing time, SubFilter ETSI.CAdES.detached.
 * Defeats the universal signature forgery, incremental saving and signature wrapping
 * attacks of the CCS 2019 paper. */
#ifndef LETTERS_VERIFY_H
#define LETTERS_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/x509.h>

enum verify_reason {
	VR_NO_SIGNATURE,		/* no signature field with a value */
	VR_MULTIPLE_SIGNATURES,
	VR_UNPARSEABLE,			/* not a PDF qpdf can read */
	VR_NOT_PADES,			/* SubFilter is not ETSI.CAdES.detached */
	VR_BYTERANGE_INVALID,		/* missing, malformed, or not framing /Contents */
	VR_TRUNCATED,			/* the file ends before the signed ranges do */
	VR_MODIFIED_AFTER_SIGNING,	/* bytes follow the signed revision */
	VR_CONTENTS_INVALID,		/* /Contents is not one CMS SignedData */
	VR_DIGEST_MISMATCH,		/* the signed ranges were changed */
	VR_SIGNATURE_INVALID,		/* the CMS signature itself does not verify */
	VR_UNTRUSTED_SIGNER,		/* does not chain to the portal CA */
	VR_CERT_EXPIRED,		/* signer certificate expired at signing time */
	VR_CERT_NOT_YET_VALID,		/* signer certificate not yet valid at signing time */
	VR_NOT_ISSUED_BY_PORTAL,	/* lookup: the portal has no such letter */
	VR_REVOKED,			/* lookup: the letter was revoked */
	VR__MAX
};

/* Stable code ("digest_mismatch") and an English sentence for a reason. */
const char	*verify_reason_code(enum verify_reason r);
const char	*verify_reason_message(enum verify_reason r);

struct verify_report {
	int		valid;			/* every check passed */
	char		signer[256];		/* signer certificate CN, "" unknown */
	int64_t		signed_at;		/* CMS signingTime, else /M; 0 unknown */
	int		modified_after_signing;	/* signed bytes changed or bytes appended */
	int		chain_trusted;
	char		letter_ref[128];	/* /SurakshaRef, only from intact signed bytes */
	int		issued_by_portal;	/* 1, 0, or -1 unknown (no lookup) */
	int		revoked;		/* 1, 0, or -1 unknown */
	unsigned	nreasons;
	enum verify_reason reasons[VR__MAX];	/* each at most once, in order found */
};

/* The database answer for a reference: *issued and *revoked set to 0 or 1; return 0, or
 * -1 when the lookup failed (both stay unknown). */
typedef int	(*verify_lookup_fn)(const char *ref, int *issued, int *revoked, void *arg);

/* Verifies data (the whole file) against the trusted CA. lookup may be NULL. Always fills
 * r; returns 0, or -1 only on an internal failure (out of memory), when r says invalid. */
int	verify_pdf(const unsigned char *data, size_t len, X509 *ca, verify_lookup_fn lookup,
	    void *lookup_arg, struct verify_report *r);

/* Drops the process-wide cache of parsed signer certificates (tests, shutdown). */
void	verify_cache_clear(void);

/* The report as the JSON of POST /api/v1/verify: valid, signer, signed_at (ISO 8601 UTC),
 * modified_after_signing, chain_trusted, letter_ref, issued_by_portal, revoked (null when
 * unknown), reasons (stable codes) and messages (the sentences, same order). New
 * reference; NULL when out of memory. */
json_t	*verify_report_json(const struct verify_report *r);

#endif

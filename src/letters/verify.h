/* Verifying a signed letter (SECURITY.md, "Signed letters"; docs/api.md has the report).
 *
 * Two stages. The PDF parse (qpdf: the signature field, its dictionary) reads hostile
 * bytes with a parser whose memory is not bounded, so it runs in a limited worker process
 * (verify_worker.c) whenever one is started; what comes back is plain data (struct
 * verify_parsed). Everything that decides runs here on the raw bytes: exactly one
 * signature, ByteRange [0 a b c] with the gap [a, b) exactly the /Contents hex string and
 * b + c the file's length, the CMS digest over exactly those two ranges, the signer's
 * certificate profile (ESS signing-certificate-v2, key usage, EKU, not a CA, key size),
 * the chain to the portal CA at a proven time (a B-T letter's RFC 3161 timestamp, checked
 * against the portal's TSA; else the portal's issue record; else now), the
 * certificate not revoked (the portal CA's CRL), the reference well-formed and, with the
 * portal's database, the issued record matching the signed revision and the enrolled
 * signer certificate. Defeats the universal signature forgery, incremental saving,
 * signature wrapping and shadow attacks (CCS 2019, NDSS 2021) and the insider forgery (a
 * genuine certificate over a letter the portal never issued). */
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
	VR_CERT_EXPIRED,		/* signer certificate expired at the validation time */
	VR_CERT_NOT_YET_VALID,		/* signer certificate not yet valid at that time */
	VR_NOT_ISSUED_BY_PORTAL,	/* lookup: no such letter, or not this signed revision */
	VR_REVOKED,			/* lookup: the letter was revoked */
	/* issue 9: strict verification */
	VR_REF_MISSING,			/* no /SurakshaRef string in the signature dictionary */
	VR_REF_MALFORMED,		/* /SurakshaRef not a string of the portal's form */
	VR_SIGNER_NOT_ENROLLED,		/* lookup: not the HoD certificate of the issue record */
	VR_CERT_REVOKED,		/* the signer certificate is on the portal CA's CRL */
	VR_ESS_MISMATCH,		/* signing-certificate-v2 missing or naming another cert */
	VR_KEY_USAGE,			/* no keyUsage, or without digitalSignature/nonRepudiation */
	VR_SIGNER_IS_CA,		/* the signer certificate is a CA certificate */
	VR_EKU_NOT_ALLOWED,		/* EKU without document signing/email, or server/TSA */
	VR_WEAK_KEY,			/* RSA under 2048 bits, EC under P-256, other key types */
	VR_SIGNING_TIME_FUTURE,		/* the claimed signing time is later than now */
	VR_TOO_COMPLEX,			/* the parser hit its memory or time limit */
	/* issue 13: PAdES B-T */
	VR_TIMESTAMP_INVALID,		/* the signature timestamp token does not verify */
	VR__MAX
};

/* Stable code ("digest_mismatch") and an English sentence for a reason. */
const char	*verify_reason_code(enum verify_reason r);
const char	*verify_reason_message(enum verify_reason r);

/* How the chain was validated: at the time of the letter's RFC 3161 timestamp (B-T), at
 * the portal's issue time, or at the present time. */
enum verify_time_source {
	VT_PRESENT,
	VT_ISSUE_RECORD,
	VT_TIMESTAMP,
};

struct verify_report {
	int		valid;			/* every check passed */
	char		signer[256];		/* signer certificate CN, "" unknown */
	int64_t		signed_at;		/* claimed: CMS signingTime, else /M; 0 unknown */
	int64_t		validated_at;		/* the time the chain was validated at */
	enum verify_time_source time_source;
	int		modified_after_signing;	/* signed bytes changed or bytes appended */
	int		chain_trusted;
	char		letter_ref[128];	/* /SurakshaRef, only from intact signed bytes */
	int		issuance_checked;	/* a database was asked */
	int		revocation_checked;	/* a CRL of the portal CA was at hand */
	int		issued_by_portal;	/* 1, 0, or -1 unknown (no lookup) */
	int		revoked;		/* 1, 0, or -1 unknown */
	/* issue 13: the PAdES level the signature proves ("B-B", "B-T"; "" when the
	 * signature did not verify), the timestamp's genTime and its TSA's common name, and
	 * whether the signer is the portal's seal (1, 0, -1 unknown: no seal certificate in
	 * the context) */
	char		level[8];
	int64_t		timestamp_at;
	char		tsa[256];
	int		portal_seal;
	/* hex SHA-256 of the two signed ranges and of the signer certificate's DER, when
	 * the digest matched: what the portal records at issue (not in the JSON) */
	char		signed_sha256[65];
	char		cert_sha256[65];
	unsigned	nreasons;
	enum verify_reason reasons[VR__MAX];	/* each at most once, in order found */
};

/* What the portal recorded when it issued a reference (hex SHA-256 digests). */
struct verify_issued {
	int64_t	issued_at;
	int64_t	revoked_at;		/* 0 when the letter stands */
	char	file_sha256[65];	/* of the whole file as stored */
	char	signed_sha256[65];	/* of the two signed ranges; "" on rows from before */
	char	cert_sha256[65];	/* of the signer certificate's DER; "" likewise */
};

/* The database answer for a reference: 1 found (*out filled), 0 no such reference, -1
 * the lookup failed (issuance then stays unknown and the letter is not valid). */
typedef int	(*verify_lookup_fn)(const char *ref, struct verify_issued *out, void *arg);

/* What a verification is checked against. ca is required; crl (already checked to be
 * signed by ca, pki_load_crl) and lookup may be NULL, and the report then says that
 * certificate revocation, or issuance and letter revocation, were not checked. */
struct verify_ctx {
	X509		*ca;
	X509_CRL	*crl;
	verify_lookup_fn lookup;
	void		*lookup_arg;
	X509		*seal;		/* the portal seal's certificate (keys/seal.pem), or NULL */
};

/* Verifies data (the whole file). Always fills r; returns 0, or -1 only on an internal
 * failure (out of memory), when r says invalid. The parse runs in the limited worker when
 * verify_worker_start() ran in this process, else in-process. */
int	verify_pdf(const unsigned char *data, size_t len, const struct verify_ctx *vc,
	    struct verify_report *r);

/* Drops the process-wide cache of parsed signer certificates (tests, shutdown). */
void	verify_cache_clear(void);

/* The report as the JSON of POST /api/v1/verify (docs/api.md): valid, signer,
 * portal_seal, level, timestamp_at, tsa, signed_at, validated_at, time_source, modified_after_signing, chain_trusted, letter_ref,
 * issuance_checked, revocation_checked, issued_by_portal, revoked (null when unknown),
 * reasons (stable codes), messages (the sentences, same order) and notes (what was not
 * checked). New reference; NULL when out of memory. */
json_t	*verify_report_json(const struct verify_report *r);

/* ---- the parse stage (verify_parse.c), also run by the worker and the fuzz harness ---- */

#define VERIFY_MAX_SIG_DER	65536
#define VERIFY_REF_MAX		128

enum verify_ref_state {
	VREF_ABSENT,
	VREF_STRING,		/* ref holds it */
	VREF_BAD,		/* a name, a number, over-long, not text */
};

/* Plain data: it crosses the worker's socket as is. */
struct verify_parsed {
	int		status;		/* -1 ok, else the enum verify_reason that ended it */
	int		nfields;	/* signature fields with a value */
	int		br_ok;
	long long	br[4];
	int		pades;
	int64_t		m;		/* /M, Unix seconds; 0 absent */
	int		ref_state;	/* enum verify_ref_state */
	char		ref[VERIFY_REF_MAX];
	int		contents_ok;	/* /Contents a string of at most VERIFY_MAX_SIG_DER */
	uint32_t	contents_len;
	unsigned char	contents[VERIFY_MAX_SIG_DER];
};

/* Parses data with qpdf in the calling process. Always fills p. */
void	verify_parse(const unsigned char *data, size_t len, struct verify_parsed *p);

/* ---- the limited worker (verify_worker.c) ---- */

/* Starts the helper that forks verification workers: call while the process has one
 * thread (server start, a CLI command). nworkers persistent workers at most run at once;
 * each may use mem_bytes of memory over what it inherited and seconds of wall-clock time
 * per file, then it is stopped and the file refused as too complex (VR_TOO_COMPLEX). 0 ok,
 * -1 when the helper cannot start. */
int	verify_worker_start(unsigned nworkers, uint64_t mem_bytes, unsigned seconds);
void	verify_worker_stop(void);
/* The parse through a worker: 0 with p filled (status VR_TOO_COMPLEX when the worker was
 * stopped by a limit or died), -1 when verify_worker_start() did not run here, -2 when no
 * worker could be started (the spawner is gone). */
int	verify_worker_parse(const unsigned char *data, size_t len, struct verify_parsed *p);

/* Counters for the bench and tests: files parsed, workers started. */
void	verify_worker_stats(uint64_t *jobs, uint64_t *spawned);

#endif

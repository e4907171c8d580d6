/* RFC 3161 time-stamping (SIGNING.md, "Levels", B-T): the portal's own small TSA, whose key
 * is in the token (label "tsa", certificate keys/tsa.pem with the critical EKU
 * timeStamping), and the client that gets a token over a letter's signature value.
 *
 * The server side builds the TSTInfo with OpenSSL's TS API and wraps it in a CMS
 * SignedData whose signed attributes (contentType id-ct-TSTInfo, messageDigest, ESS
 * signing-certificate-v2) are signed through the signer process: the key never leaves the
 * token, so OpenSSL's TS_RESP_CTX (which wants the private key in memory) is not used. */
#ifndef SIGNER_TSA_H
#define SIGNER_TSA_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "util/buf.h"

struct sig_key;

/* TSA_POLICY: the demo TSA's policy (an OID under the portal's test arc, not a registered
 * policy of a licensed TSA). */
#define TSA_POLICY	"1.3.6.1.4.1.59999.13.1"
#define TSA_QUERY_MAX	8192

enum tsa_err {
	TSA_OK = 0,
	TSA_ERR_REQUEST,	/* not a TimeStampReq we serve (syntax, hash, extensions) */
	TSA_ERR_SIGN,		/* the signer did not sign */
	TSA_ERR_TRANSPORT,	/* client: the TSA could not be reached or answered badly */
	TSA_ERR_REFUSED,	/* client: the TSA refused, or its token does not match */
	TSA_ERR__MAX
};

const char	*tsa_strerror(int err);

/* Server: a DER TimeStampReq in, a DER TimeStampResp out (granted with a token, or
 * rejection with a failure code for a bad request: TSA_OK either way, the reply says).
 * key signs (cert: the TSA certificate); now is genTime. */
int	tsa_respond(const unsigned char *query, size_t len, const struct sig_key *key,
	    int64_t now, struct buf *out);

/* Client: the DER TimeStampToken (a ContentInfo) over SHA-256(data) from the TSA at url,
 * checked against the request (imprint, nonce) and its signature verified against ca (the
 * portal CA, or NULL to skip: tests of foreign TSAs). timeout_ms bounds the request. */
int	tsa_fetch(const char *url, const unsigned char *data, size_t len, X509 *ca,
	    long timeout_ms, struct buf *token);

#endif

/* The signer process (DESIGN.md, src/signer/; SIGNING.md, "Keys and who signs"): the only
 * process that reaches the portal's private keys. signer_start() forks it before any thread
 * exists (serve calls it next to intake_init(); CLI commands that sign call it too); the
 * child loads the PKCS#11 module, logs in to the token and answers requests on a
 * SOCK_SEQPACKET socket: a key label and a SHA-256 digest in, a signature out. The caller
 * never opens a key file or the token, and waits at most signer_timeout_ms per request.
 *
 * Requests carry a sequence number so an answer that comes after its request timed out is
 * recognised and dropped, never taken for the next one. */
#ifndef SIGNER_SIGNER_H
#define SIGNER_SIGNER_H

#include <stddef.h>

struct config;

enum signer_err {
	SIGNER_OK = 0,
	SIGNER_ERR_ARG,		/* bad label or digest */
	SIGNER_ERR_DOWN,	/* no signer process, or it died */
	SIGNER_ERR_TIMEOUT,	/* no answer in signer_timeout_ms */
	SIGNER_ERR_NOKEY,	/* the token has no key with that label */
	SIGNER_ERR_SIGN,	/* the token refused */
	SIGNER_ERR__MAX
};

const char	*signer_strerror(int err);

/* Starts the signer (fork+exec of this program as `suraksha signer`, a fresh image that
 * shares nothing with the caller's memory) and waits until it has logged in to the token:
 * SIGNER_OK, or SIGNER_ERR_DOWN with the reason logged (module, token, PIN). Call once.
 * A signer that dies is started again by the next request (one retry); one that hangs is
 * not (the request fails after signer_timeout_ms and its late answer is dropped). */
int	signer_start(const struct config *cfg);
/* The program to exec (default /proc/self/exe): for tools that are not suraksha. */
void	signer_set_program(const char *path);
/* Closes the socket; the signer exits when it sees that. */
void	signer_stop(void);

/* Signs a 32-byte digest with the key labelled label (p11_label_ok): DER ECDSA or RSA
 * PKCS#1 v1.5 into sig (room *siglen; out: its length). Thread-safe. */
int	signer_sign(const char *label, const unsigned char digest[32], unsigned char *sig,
	    size_t *siglen);

/* The signer's process id (-1 when none), for tests and the status page. */
int	signer_pid(void);

#endif

/* The one hand-written DER walk of verification: cutting the certificates out of a CMS
 * ContentInfo, so that each is parsed once per process (verify.c's cache) while OpenSSL
 * parses the rest. Fuzzed by tests/fuzz/fuzz_verify_der.c. */
#ifndef LETTERS_VERIFY_DER_H
#define LETTERS_VERIFY_DER_H

#include <stddef.h>

#include "util/buf.h"

#define VERIFY_DER_MAX_CERTS	8

struct verify_der_split {
	struct buf	stripped;		/* the ContentInfo without certificates */
	size_t		der_len;		/* length of the whole DER at the start of der */
	const unsigned char *cert[VERIFY_DER_MAX_CERTS];	/* each certificate's TLV */
	size_t		cert_len[VERIFY_DER_MAX_CERTS];
	unsigned	ncerts;
};

/* ContentInfo { OID, [0] { SignedData { version, digestAlgorithms, encapContentInfo,
 * [0] certificates, [1] crls?, signerInfos } } }: copies it into cs->stripped (which the
 * caller has buf_init'ed and frees) without the certificates field and points at each
 * certificate inside der. Definite lengths of up to 3 bytes only. 0, or -1 on any other
 * shape; nothing is read outside [der, der + len). */
int	verify_der_split(const unsigned char *der, size_t len, struct verify_der_split *cs);

#endif

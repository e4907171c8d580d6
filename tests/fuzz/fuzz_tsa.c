/* libFuzzer harness for the TSA's query parser (signer/tsa.c, tsa_respond): DER from any
 * client on the network. Every input must get a TimeStampResp that parses, granted only
 * with a token. The key is made in memory once. Run: make fuzz-tsa [FUZZ_SECONDS=60]. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <openssl/ts.h>

#include "letters/pki.h"
#include "letters/sign.h"
#include "signer/tsa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sig_key key;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static EVP_PKEY *cak, *k;
	static X509 *ca, *cert;
	const unsigned char *p;
	struct buf out;
	TS_RESP *rs;

	if (cert == NULL) {
		if (pki_make_ca("Fuzz CA", 0, 4102444800LL, &cak, &ca) != PKI_OK ||
		    pki_make_leaf(cak, ca, "Fuzz TSA", 0, 4102444800LL, &k, &cert) != PKI_OK)
			abort();
		key.cert = cert;
		key.fn = sig_fn_evp;
		key.ctx = k;
	}
	buf_init(&out, 1 << 16);
	if (tsa_respond(data, size, &key, 1795425000, &out) != TSA_OK)
		abort();
	p = (const unsigned char *)out.data;
	if ((rs = d2i_TS_RESP(NULL, &p, (long)out.len)) == NULL)
		abort();
	if (ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(rs))) == 0 &&
	    TS_RESP_get_token(rs) == NULL)
		abort();
	TS_RESP_free(rs);
	buf_free(&out);
	return 0;
}

/* The portal's keys in the token, made by CLI commands (init, letter hod, hod import-p12),
 * which also hold the offline portal CA that certifies them. Labels as in signer/p11.h;
 * each key's certificate and chain go to <data>/keys/<label>.pem. The HTTP server calls
 * none of these. */
#ifndef SIGNER_KEYS_H
#define SIGNER_KEYS_H

struct config;

/* Creates the token if needed, then the portal's own keys that are missing: "seal" (the
 * portal seal), "hkcl" (export manifests) and "tsa" (the time-stamping key, certificate
 * with the critical EKU timeStamping). 0 ok; -1 with the reason on stderr. */
int	signer_keys_init(const struct config *cfg);

/* Generates the key label in the token (replacing one of that label) and certifies it
 * with the portal CA as common_name, valid days (0: three years). 0 ok; -1 with the reason
 * on stderr. */
int	signer_keys_issue(const struct config *cfg, const char *label, const char *common_name,
	    int days);

/* Imports a HoD's PKCS#12 (an EC P-256 key) into the token as hod-<username>, its
 * certificate and chain to keys/hod-<username>.pem. 0 ok; -1 with the reason on stderr,
 * 2 for a wrong password. */
int	signer_keys_import_p12(const struct config *cfg, const char *username,
	    const char *p12_path, const char *password);

#endif

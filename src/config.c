#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/strict.h"

enum setting_type { T_INT, T_STR, T_BOOL };

struct setting {
	const char		*name;
	enum setting_type	 type;
	size_t			 off;
	size_t			 size;		/* T_STR: buffer size */
	int64_t			 min, max;	/* T_INT: bounds; T_STR: min length */
	const char		*def;
	const char		*help;
	int			(*check)(const char *);
};

#define INT(n, lo, hi, d, h) { #n, T_INT, offsetof(struct config, n), 0, lo, hi, d, h, NULL }
#define BOOL(n, d, h) { #n, T_BOOL, offsetof(struct config, n), 0, 0, 1, d, h, NULL }
#define STR(n, d, h, chk) { #n, T_STR, offsetof(struct config, n), \
	sizeof(((struct config *)0)->n), 0, 0, d, h, chk }

static int
check_listen(const char *v)
{
	const char *colon = strrchr(v, ':');
	int64_t port;

	return colon == NULL || colon == v ||
	    strict_int64(colon + 1, 1, 65535, &port) != 0 ? -1 : 0;
}

static int
check_level(const char *v)
{
	return strcmp(v, "debug") && strcmp(v, "info") && strcmp(v, "warn") &&
	    strcmp(v, "error") ? -1 : 0;
}

static int
check_sink(const char *v)
{
	return *v == '\0' || strncmp(v, "file:", 5) == 0 || strncmp(v, "http://", 7) == 0 ||
	    strncmp(v, "https://", 8) == 0 ? 0 : -1;
}

static int
check_url(const char *v)
{
	return strncmp(v, "http://", 7) == 0 || strncmp(v, "https://", 8) == 0 ? 0 : -1;
}

static int
check_path(const char *v)
{
	return *v == '\0' ? -1 : 0;
}

static int
check_proxy(const char *v)
{
	unsigned char a[16];

	return *v == '\0' || inet_pton(AF_INET, v, a) == 1 || inet_pton(AF_INET6, v, a) == 1 ?
	    0 : -1;
}

/* issue 12: a DLT template id is the number the operator registered (1 to 30 digits); its
 * text is the registered wording, each variable written {#var#}. */
static int
check_dlt_id(const char *v)
{
	size_t n = strlen(v);

	return n == 0 || n > 30 || strspn(v, "0123456789") != n ? -1 : 0;
}

static int
check_dlt_text(const char *v)
{
	return *v == '\0' || strict_text(v, 399) != 0 ? -1 : 0;
}

#define MB (1000 * 1000)

static const struct setting settings[] = {
	STR(listen, "127.0.0.1:8080", "address and port to serve on (ADDR:PORT)", check_listen),
	INT(threads, 0, 64, "0", "worker threads; 0 means one per core"),
	INT(max_connections, 1, 100000, "1024", "open connections at most"),
	INT(per_ip_connections, 0, 100000, "256", "open connections per client address (0: no limit)"),
	INT(connection_timeout, 1, 3600, "30", "seconds an idle connection is kept"),
	INT(connection_memory_limit, 8192, 16777216, "131072", "bytes of buffer per connection"),
	INT(max_json_body, 1024, 16777216, "1048576", "bytes at most in a JSON request body"),
	INT(max_url, 64, 8192, "2048", "bytes at most in a request URL (414 past it)"),
	INT(shutdown_grace, 0, 300, "10", "seconds to let in-flight requests finish on SIGTERM"),
	STR(log_level, "info", "debug, info, warn or error", check_level),
	STR(base_url, "http://127.0.0.1:8080", "public address of the portal (in letters' QR codes)",
	    check_url),
	BOOL(secure_cookies, "0", "served over TLS: Secure cookies with the __Host- prefix"),
	STR(templates_dir, "templates", "folder of the letter and page templates", check_path),
	STR(fonts_dir, "fonts", "folder of the fonts letters embed", check_path),
	INT(verify_max_body, 1024, 100 * MB, "4000000", "bytes at most of a PDF sent to /api/v1/verify"),
	INT(session_idle, 60, 86400, "1800", "seconds a session lives without use"),
	INT(session_absolute, 600, 604800, "43200", "seconds a session lives at most"),
	INT(login_max_failures, 1, 100, "5", "wrong staff passwords before the account locks"),
	INT(login_lockout, 1, 86400, "60", "first lockout in seconds; doubles each time, at most a day"),
	INT(scrypt_log2n, 10, 20, "15", "scrypt cost (log2 N, r=8, p=1) for new password hashes"),
	STR(otp_sink, "", "file:PATH, http://URL or https://URL; default file:<data>/outbox/sms.jsonl",
	    check_sink),
	INT(otp_ttl, 60, 600, "600", "seconds an OTP is valid"),
	INT(otp_max_tries, 1, 10, "5", "wrong OTPs before the code dies"),
	INT(otp_resend_interval, 0, 3600, "30", "seconds between two OTPs for one employee"),
	INT(otp_max_per_hour, 1, 100, "5", "OTPs per employee per hour"),
	INT(otp_ip_max_per_hour, 1, 100000, "60", "OTP requests per client address per hour"),
	INT(otp_http_timeout, 1, 60, "10", "seconds to wait for the SMS gateway"),
	INT(upload_max_file, 1024, 1000 * MB, "20971520", "bytes at most in one uploaded file (20 MiB)"),
	INT(quota_bytes, 1024, 10000LL * MB, "104857600", "bytes of documents per employee (100 MiB)"),
	INT(quota_files, 1, 10000, "60", "documents per employee"),
	INT(image_max_pixels, 1, 1000000000, "40000000", "pixels at most in an uploaded image"),
	INT(zip_max_entries, 1, 100000, "100", "entries at most in a ZIP bundle"),
	INT(zip_max_entry, 1024, 1000 * MB, "20971520", "decompressed bytes at most per ZIP entry"),
	INT(zip_max_total, 1024, 10000LL * MB, "104857600", "decompressed bytes at most per bundle"),
	INT(zip_max_ratio, 1, 10000, "100", "decompressed to compressed ratio at most in a bundle"),
	INT(pdf_max_objects, 100, 10000000, "200000", "objects at most in an uploaded PDF"),
	INT(pdf_memory_max, 64LL * 1000 * 1000, 8000LL * MB, "536870912",
	    "bytes of memory for the child process that parses one PDF"),
	INT(image_memory_max, 64LL * 1000 * 1000, 8000LL * MB, "402653184",
	    "bytes of memory for the child process that decodes one large image"),
	INT(parser_cpu_seconds, 1, 600, "10", "CPU seconds for the child that checks one file"),
	/* issue 9 */
	INT(verify_workers, 1, 16, "2", "limited worker processes that parse letters to verify "
	    "(each limited by pdf_memory_max and parser_cpu_seconds of wall clock per file)"),
	/* issue 10 */
	INT(upload_memory_max, 64LL * 1000 * 1000, 8000LL * MB, "268435456",
	    "bytes of memory for the child that checks one upload (libmagic, libarchive)"),
	INT(upload_wall_seconds, 5, 3600, "120",
	    "seconds of wall clock for the child that checks one upload, ZIP entries included"),
	STR(clamd_socket, "", "clamd's local socket; when set every upload and ZIP entry is "
	    "scanned before it is stored (empty: no malware scan)", NULL),
	INT(clamd_timeout_ms, 100, 600000, "30000",
	    "milliseconds one clamd scan may take before the upload is refused with 503"),
	INT(sweep_interval, 1, 86400, "300",
	    "seconds between sweeps of leftover temp files and unreferenced blobs and letters"),
	INT(sweep_min_age, 1, 604800, "900",
	    "seconds a leftover file must be untouched before a sweep removes it"),
	/* issue 11: floods, slow clients, lockouts, audit checkpoints */
	INT(auth_ip_per_minute, 1, 100000, "20",
	    "login and OTP requests per client address per minute (429 past it, before any work)"),
	INT(auth_ip_burst, 1, 100000, "10", "login and OTP requests one address may make at once"),
	INT(auth_global_per_second, 1, 100000, "20",
	    "login and OTP requests per second from all addresses together"),
	INT(login_kdf_concurrency, 1, 64, "1",
	    "threads that compute staff password hashes, apart from the connection threads"),
	INT(login_kdf_queue, 1, 100000, "8",
	    "staff logins waiting for a password hash; past it 429 with Retry-After"),
	INT(verify_ip_per_minute, 1, 100000, "60", "letter verifications per client address per minute"),
	INT(verify_ip_burst, 1, 100000, "20", "letter verifications one address may make at once"),
	INT(verify_global_per_second, 1, 100000, "50",
	    "letter verifications per second from all addresses together"),
	INT(otp_sms_max_per_hour, 1, 1000, "20",
	    "OTP messages sent to one employee's mobile per hour, from all addresses"),
	INT(header_timeout, 1, 3600, "15",
	    "seconds a client has to send a request's headers (and to start the next one)"),
	INT(body_timeout, 1, 86400, "600", "seconds a client has to send a request's body"),
	INT(busy_connections_percent, 1, 100, "75",
	    "past this share of max_connections, addresses holding many connections are refused"),
	INT(busy_per_ip_connections, 1, 100000, "16",
	    "connections an address may hold once the server is busy"),
	INT(audit_checkpoint_interval, 1, 86400, "30",
	    "seconds between checkpoints of the audit chain head written outside the database"),
	STR(trusted_proxy, "", "address of the reverse proxy in front (e.g. 127.0.0.1): its "
	    "X-Forwarded-For names the client that limits and lockouts count; empty: none",
	    check_proxy),
	/* issue 12: notifications (src/notify/) */
	STR(notify_sink, "", "file:PATH, http://URL or https://URL for notification SMS; "
	    "default file:<data>/outbox/notify.jsonl", check_sink),
	INT(notify_poll, 1, 3600, "5", "seconds between two looks at the notification outbox"),
	INT(notify_retry_base, 1, 86400, "30", "seconds before the first retry of an SMS the "
	    "gateway refused; doubles each time"),
	INT(notify_retry_max, 1, 604800, "3600", "seconds at most between two tries of one SMS"),
	INT(notify_http_timeout, 1, 60, "10", "seconds to wait for the SMS gateway (notifications)"),
	STR(sms_tpl_returned, "1007000000000000001", "DLT template id: case returned for "
	    "correction", check_dlt_id),
	STR(sms_text_returned, "Suraksha portal: case {#var#} was returned by your DDO for "
	    "correction. Sign in to read the remarks and correct it before the deadline. -HRYGOV",
	    "DLT text: case returned (vars: employee id)", check_dlt_text),
	STR(sms_tpl_verified, "1007000000000000002", "DLT template id: case verified",
	    check_dlt_id),
	STR(sms_text_verified, "Suraksha portal: the documents and service of case {#var#} "
	    "were verified by your DDO. -HRYGOV", "DLT text: case verified (vars: employee id)",
	    check_dlt_text),
	STR(sms_tpl_discrepancy, "1007000000000000003", "DLT template id: discrepancy in "
	    "particulars", check_dlt_id),
	STR(sms_text_discrepancy, "Suraksha portal: your DDO found a discrepancy in the "
	    "particulars of case {#var#}; it goes for certification. Sign in to see which. "
	    "-HRYGOV", "DLT text: discrepancy (vars: employee id)", check_dlt_text),
	STR(sms_tpl_approved, "1007000000000000004", "DLT template id: case approved, letter "
	    "issued", check_dlt_id),
	STR(sms_text_approved, "Suraksha portal: case {#var#} is approved. Offer letter "
	    "{#var#} is ready; sign in to download it. -HRYGOV",
	    "DLT text: approved (vars: employee id, letter reference)", check_dlt_text),
	STR(sms_tpl_rejected, "1007000000000000005", "DLT template id: case rejected",
	    check_dlt_id),
	STR(sms_text_rejected, "Suraksha portal: case {#var#} was not approved. Sign in to "
	    "read the reasons. -HRYGOV", "DLT text: rejected (vars: employee id)",
	    check_dlt_text),
	STR(sms_tpl_revoked, "1007000000000000006", "DLT template id: offer letter revoked",
	    check_dlt_id),
	STR(sms_text_revoked, "Suraksha portal: offer letter {#var#} has been revoked and is no "
	    "longer valid. Sign in to read the reason. -HRYGOV",
	    "DLT text: letter revoked (vars: letter reference)", check_dlt_text),
	/* issue 14 */
	INT(stuck_overdue_days, 1, 365, "15", "days an employee who cannot log in may wait for "
	    "the office's certification before counting as overdue (dashboard, HKCL export)"),
	INT(stuck_list_max, 10, 1000000, "100000", "employees at most in the who-is-stuck "
	    "listing and its CSV export"),
	/* issue 13: the signer process and its PKCS#11 token */
	STR(pkcs11_module, "/usr/lib/softhsm/libsofthsm2.so",
	    "PKCS#11 module the signer process loads (SoftHSM2 here, the HSM's in production)",
	    NULL),
	STR(pkcs11_token, "suraksha", "label of the token holding the portal's keys", NULL),
	STR(pkcs11_pin_file, "", "file holding the token's user PIN (empty: <data>/hsm/pin)",
	    NULL),
	INT(signer_timeout_ms, 100, 600000, "5000",
	    "milliseconds the server waits for the signer process to answer one request"),
	STR(tsa_url, "", "RFC 3161 time-stamping authority for PAdES B-T letters (empty: B-B, no "
	    "timestamp); 'suraksha tsa' is one", NULL),
	INT(tsa_timeout_ms, 100, 60000, "5000",
	    "milliseconds a letter waits for its timestamp; without one it is not issued"),
};

#define NSETTINGS (sizeof(settings) / sizeof(settings[0]))

static const struct setting *
find(const char *name)
{
	size_t i;

	for (i = 0; i < NSETTINGS; i++)
		if (strcmp(settings[i].name, name) == 0)
			return &settings[i];
	return NULL;
}

int
config_known(const char *name)
{
	return find(name) != NULL;
}

static int
apply(struct config *c, const struct setting *s, const char *v, char *err, size_t errlen)
{
	char *field = (char *)c + s->off;
	int64_t n;

	switch (s->type) {
	case T_INT:
		if (strict_int64(v, s->min, s->max, &n) != 0) {
			snprintf(err, errlen, "setting %s: '%s' is not a whole number from %lld "
			    "to %lld", s->name, v, (long long)s->min, (long long)s->max);
			return -1;
		}
		memcpy(field, &n, sizeof(n));
		return 0;
	case T_BOOL:
		if (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "yes"))
			n = 1;
		else if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "no"))
			n = 0;
		else {
			snprintf(err, errlen, "setting %s: '%s' is not one of true, false, 1, 0",
			    s->name, v);
			return -1;
		}
		memcpy(field, &n, sizeof(n));
		return 0;
	case T_STR:
		if (strlen(v) >= s->size || (s->check && s->check(v) != 0)) {
			snprintf(err, errlen, "setting %s: '%s' is not allowed (%s; at most %zu "
			    "characters)", s->name, v, s->help, s->size - 1);
			return -1;
		}
		memcpy(field, v, strlen(v) + 1);
		return 0;
	}
	return -1;
}

int
config_set(struct config *c, const char *name, const char *value, char *err, size_t errlen)
{
	const struct setting *s = find(name);

	if (s == NULL) {
		snprintf(err, errlen, "unknown setting '%s' (see 'suraksha serve --help')", name);
		return -1;
	}
	return apply(c, s, value, err, errlen);
}

void
config_defaults(struct config *c, const char *dir)
{
	char err[256];
	size_t i;

	memset(c, 0, sizeof(*c));
	snprintf(c->data_dir, sizeof(c->data_dir), "%s", dir);
	for (i = 0; i < NSETTINGS; i++)
		if (apply(c, &settings[i], settings[i].def, err, sizeof(err)) != 0)
			abort();	/* a default outside its own bounds is a bug */
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int
config_load_file(struct config *c, const char *path, int required, char *err, size_t errlen)
{
	char line[1024], msg[512];
	unsigned lineno = 0;
	FILE *f;
	int rc = 0;

	if ((f = fopen(path, "r")) == NULL) {
		if (!required)
			return 0;
		snprintf(err, errlen, "%s: cannot open", path);
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p, *eq, *name, *value;

		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			snprintf(err, errlen, "%s:%u: line too long", path, lineno);
			rc = -1;
			break;
		}
		p = trim(line);
		if (*p == '\0' || *p == '#')
			continue;
		if ((eq = strchr(p, '=')) == NULL) {
			snprintf(err, errlen, "%s:%u: expected 'name = value'", path, lineno);
			rc = -1;
			break;
		}
		*eq = '\0';
		name = trim(p);
		value = trim(eq + 1);
		if (config_set(c, name, value, msg, sizeof(msg)) != 0) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno, msg);
			rc = -1;
			break;
		}
	}
	fclose(f);
	return rc;
}

int
config_load_env(struct config *c, char *err, size_t errlen)
{
	char env[96];
	size_t i, j;

	for (i = 0; i < NSETTINGS; i++) {
		const char *v;
		int n = snprintf(env, sizeof(env), "SURAKSHA_%s", settings[i].name);

		if (n < 0 || (size_t)n >= sizeof(env))
			continue;
		for (j = 9; env[j]; j++)
			env[j] = (char)toupper((unsigned char)env[j]);
		if ((v = getenv(env)) == NULL)
			continue;
		if (apply(c, &settings[i], v, err, errlen) != 0)
			return -1;
	}
	return 0;
}

void
config_help(FILE *f)
{
	size_t i;

	fprintf(f, "settings (config file 'name = value', environment SURAKSHA_NAME, "
	    "or --name VALUE):\n");
	for (i = 0; i < NSETTINGS; i++) {
		const struct setting *s = &settings[i];

		if (s->type == T_INT)
			fprintf(f, "  --%-24s %s\n  %-26s integer %lld..%lld, default %s\n",
			    s->name, s->help, "", (long long)s->min, (long long)s->max, s->def);
		else
			fprintf(f, "  --%-24s %s\n  %-26s %s, default '%s'\n", s->name, s->help,
			    "", s->type == T_BOOL ? "boolean" : "text", s->def);
	}
}

void
config_write(const struct config *c, FILE *f)
{
	size_t i;

	fprintf(f, "# suraksha settings: 'name = value'; 'suraksha serve --help' explains each.\n");
	for (i = 0; i < NSETTINGS; i++) {
		const struct setting *s = &settings[i];
		const char *field = (const char *)c + s->off;
		int64_t n;

		fprintf(f, "# %s\n", s->help);
		if (s->type == T_STR)
			fprintf(f, "%s = %s\n", s->name, field);
		else {
			memcpy(&n, field, sizeof(n));
			fprintf(f, "%s = %lld\n", s->name, (long long)n);
		}
	}
}

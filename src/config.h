/* Settings: one declarative table (name, type, bounds, default, help), read from a file,
 * then the environment (SURAKSHA_<NAME>), then flags (--name VALUE or --name=VALUE).
 * A bad value stops start-up with a message naming the setting and the allowed range. */
#ifndef CONFIG_H
#define CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct config {
	char	 data_dir[512];		/* --data; not in the table */
	char	 listen[64];
	int64_t	 threads;
	int64_t	 max_connections;
	int64_t	 per_ip_connections;
	int64_t	 connection_timeout;
	int64_t	 connection_memory_limit;
	int64_t	 max_json_body;
	int64_t	 max_url;
	int64_t	 shutdown_grace;
	char	 log_level[8];
	char	 base_url[256];
	int64_t	 secure_cookies;
	char	 templates_dir[512];
	char	 fonts_dir[512];
	int64_t	 verify_max_body;
	/* login and sessions */
	int64_t	 session_idle;
	int64_t	 session_absolute;
	int64_t	 login_max_failures;
	int64_t	 login_lockout;
	int64_t	 scrypt_log2n;
	/* OTP */
	char	 otp_sink[512];
	int64_t	 otp_ttl;
	int64_t	 otp_max_tries;
	int64_t	 otp_resend_interval;
	int64_t	 otp_max_per_hour;
	int64_t	 otp_ip_max_per_hour;
	int64_t	 otp_http_timeout;
	/* uploads (document intake) */
	int64_t	 upload_max_file;
	int64_t	 quota_bytes;
	int64_t	 quota_files;
	int64_t	 image_max_pixels;
	int64_t	 zip_max_entries;
	int64_t	 zip_max_entry;
	int64_t	 zip_max_total;
	int64_t	 zip_max_ratio;
	int64_t	 pdf_max_objects;
	int64_t	 pdf_memory_max;
	int64_t	 image_memory_max;
	int64_t	 parser_cpu_seconds;
	/* issue 9: verification */
	int64_t	 verify_workers;
	/* issue 10: malware scanning and the sweeper of leftovers */
	int64_t	 upload_memory_max;
	int64_t	 upload_wall_seconds;
	char	 clamd_socket[108];
	int64_t	 clamd_timeout_ms;
	int64_t	 sweep_interval;
	int64_t	 sweep_min_age;
	/* issue 11: floods, slow clients, lockouts, audit checkpoints */
	int64_t	 auth_ip_per_minute;
	int64_t	 auth_ip_burst;
	int64_t	 auth_global_per_second;
	int64_t	 login_kdf_concurrency;
	int64_t	 login_kdf_queue;
	int64_t	 verify_ip_per_minute;
	int64_t	 verify_ip_burst;
	int64_t	 verify_global_per_second;
	int64_t	 otp_sms_max_per_hour;
	int64_t	 header_timeout;
	int64_t	 body_timeout;
	int64_t	 busy_connections_percent;
	int64_t	 busy_per_ip_connections;
	int64_t	 audit_checkpoint_interval;
	char	 trusted_proxy[64];
	/* issue 12: notifications by SMS (src/notify/), each kind a DLT template id and its
	 * registered text, one {#var#} per variable */
	char	 notify_sink[512];
	int64_t	 notify_poll;
	int64_t	 notify_retry_base;
	int64_t	 notify_retry_max;
	int64_t	 notify_http_timeout;
	char	 sms_tpl_returned[32];
	char	 sms_text_returned[400];
	char	 sms_tpl_verified[32];
	char	 sms_text_verified[400];
	char	 sms_tpl_discrepancy[32];
	char	 sms_text_discrepancy[400];
	char	 sms_tpl_approved[32];
	char	 sms_text_approved[400];
	char	 sms_tpl_rejected[32];
	char	 sms_text_rejected[400];
	char	 sms_tpl_revoked[32];
	char	 sms_text_revoked[400];
	/* issue 14 */
	int64_t	 stuck_overdue_days;
	int64_t	 stuck_list_max;
	/* issue 13: the signer process and its PKCS#11 token */
	char	 pkcs11_module[512];
	char	 pkcs11_token[33];
	char	 pkcs11_pin_file[512];
	int64_t	 signer_timeout_ms;
	char	 tsa_url[512];
	int64_t	 tsa_timeout_ms;
};

/* Fills c with the defaults; data_dir is set to dir. */
void	config_defaults(struct config *c, const char *dir);
/* Applies a file of "name = value" lines ('#' comments). 0 ok; -1 with a message in err
 * naming the file, line and setting. A missing file is an error only when required. */
int	config_load_file(struct config *c, const char *path, int required, char *err,
	    size_t errlen);
/* Applies SURAKSHA_<NAME> environment variables. */
int	config_load_env(struct config *c, char *err, size_t errlen);
/* Sets one setting from text; -1 with a message naming the setting and its range. */
int	config_set(struct config *c, const char *name, const char *value, char *err,
	    size_t errlen);
/* Is name a setting of the table? */
int	config_known(const char *name);
/* Prints every setting with its type, range, default and help. */
void	config_help(FILE *f);
/* Writes the current values as a config file. */
void	config_write(const struct config *c, FILE *f);

#endif

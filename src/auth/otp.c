#include "auth/otp.h"

#include <ctype.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "auth/limits.h"
#include "config.h"
#include "db/db.h"
#include "import/particulars.h"
#include "util/buf.h"
#include "util/crypt.h"
#include "util/fsx.h"
#include "util/log.h"
#include "util/strict.h"
#include "util/timeutil.h"

static const char SQL_EMPLOYEE[] =
    "SELECT mobile, family_id FROM employees WHERE id = ?1";
static const char SQL_OTP_PUT[] =
    "INSERT INTO otps (employee_id, code_mac, created_at, expires_at, tries)"
    " VALUES (?1, ?2, ?3, ?4, 0) ON CONFLICT (employee_id) DO UPDATE SET"
    " code_mac = excluded.code_mac, created_at = excluded.created_at,"
    " expires_at = excluded.expires_at, tries = 0";
static const char SQL_OTP_GET[] =
    "SELECT code_mac, expires_at, tries FROM otps WHERE employee_id = ?1";
static const char SQL_OTP_TRY[] = "UPDATE otps SET tries = tries + 1 WHERE employee_id = ?1";
static const char SQL_OTP_DELETE[] = "DELETE FROM otps WHERE employee_id = ?1";

int
otp_key_create(const char *data_dir)
{
	unsigned char key[OTP_KEY_LEN];
	char path[1024], hex[2 * OTP_KEY_LEN + 1];
	int rc;

	if (fsx_join(path, sizeof(path), data_dir, "keys/otp.key") != 0)
		return -1;
	if (access(path, F_OK) == 0)
		return 0;
	if (crypt_random(key, sizeof(key)) != 0)
		return -1;
	crypt_hex(key, sizeof(key), hex);
	rc = fsx_write_atomic(path, hex, strlen(hex), 0600);
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(hex, sizeof(hex));
	return rc;
}

int
otp_key_load(const char *data_dir, unsigned char key[OTP_KEY_LEN])
{
	char path[1024];
	struct buf b;
	int rc = -1;

	if (fsx_join(path, sizeof(path), data_dir, "keys/otp.key") != 0)
		return -1;
	buf_init(&b, 256);
	if (fsx_read(path, &b) == 0 && b.len >= 2 * OTP_KEY_LEN) {
		b.data[2 * OTP_KEY_LEN] = '\0';
		rc = crypt_unhex(b.data, key, OTP_KEY_LEN);
	}
	if (b.data)
		OPENSSL_cleanse(b.data, b.len);
	buf_free(&b);
	return rc;
}

static void
code_mac(const unsigned char key[OTP_KEY_LEN], const char *employee_id, const char *code,
    char out[SHA256_HEX])
{
	unsigned char mac[SHA256_LEN];
	char msg[96];
	int n = snprintf(msg, sizeof(msg), "otp:%s:%s", employee_id, code);

	crypt_hmac_sha256(key, OTP_KEY_LEN, msg, (size_t)n, mac);
	crypt_hex(mac, sizeof(mac), out);
}

/* A six-digit code, uniform over 000000-999999 (rejection sampling). */
static int
make_code(char out[7])
{
	uint32_t v;

	do {
		if (crypt_random(&v, sizeof(v)) != 0)
			return -1;
	} while (v >= 4294000000u);	/* largest multiple of 10^6 below 2^32 */
	snprintf(out, 7, "%06u", v % 1000000u);
	return 0;
}

/* For an unknown pair: four digits derived from the key and the id, so asking twice gives
 * the same answer and nothing tells a made-up number from a real one. */
static void
fake_mask(const unsigned char key[OTP_KEY_LEN], const char *employee_id, char masked[16])
{
	unsigned char mac[SHA256_LEN];
	char msg[64];
	int n = snprintf(msg, sizeof(msg), "mask:%s", employee_id);

	crypt_hmac_sha256(key, OTP_KEY_LEN, msg, (size_t)n, mac);
	snprintf(masked, 16, "******%04u", (unsigned)((mac[0] << 8 | mac[1]) % 10000));
}

/* The key OTP requests count under: the employee id, the Family ID given (as a keyed hash,
 * so the table holds no Family ID) and the client address. A wrong Family ID therefore
 * uses up only its own allowance, never the real employee's (issue 11). */
static void
request_key(const unsigned char key[OTP_KEY_LEN], const char *employee_id,
    const char *family_id, const char *ip, char *out, size_t outlen)
{
	unsigned char mac[SHA256_LEN];
	char msg[64], hex[SHA256_HEX];
	int n = snprintf(msg, sizeof(msg), "family:%s", family_id ? family_id : "");

	crypt_hmac_sha256(key, OTP_KEY_LEN, msg, (size_t)n, mac);
	crypt_hex(mac, sizeof(mac), hex);
	snprintf(out, outlen, "otp-req:%s|%.16s|%s", employee_id, hex, ip);
}

static int
simple(struct db *db, const char *sql, const char *id)
{
	sqlite3_stmt *st = db_prepare(db, sql);
	int rc;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, id);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	db_done(st);
	return rc;
}

static char *
message_json(const char *mobile, const char *employee_id, const char *code, int64_t ttl)
{
	char at[21], text[160];
	json_t *o;
	char *s;

	time_iso_utc(time_now(), at);
	snprintf(text, sizeof(text), "%s is your Suraksha portal login code. It is valid for "
	    "%lld minutes. Do not share it with anyone.", code, (long long)(ttl / 60));
	o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "at", at, "mobile", mobile, "employee_id",
	    employee_id, "otp", code, "message", text);
	if (o == NULL)
		return NULL;
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

enum err
otp_request(struct db *db, const struct config *cfg, const unsigned char key[OTP_KEY_LEN],
    const char *employee_id, const char *family_id, const char *ip, char masked[16],
    int64_t *retry_after)
{
	char ipkey[96], empkey[192], smskey[96], mobile[16] = "", fam[16] = "", code[7] = "",
	    mac[SHA256_HEX], *line = NULL;
	int64_t now = time_now(), n, last;
	sqlite3_stmt *st;
	enum err e = ERR_INTERNAL;
	int known = 0;

	*retry_after = 0;
	fake_mask(key, employee_id, masked);
	snprintf(ipkey, sizeof(ipkey), "otp-ip:%s", ip);
	request_key(key, employee_id, family_id, ip, empkey, sizeof(empkey));
	snprintf(smskey, sizeof(smskey), "otp-sms:%s", employee_id);
	if (db_begin(db) != 0)
		return ERR_UNAVAILABLE;
	/* Limits are counted by the id asked for, known or not: no enumeration by 429. */
	if (limit_events_count(db, ipkey, now - 3600, &n, &last) != 0)
		goto fail;
	if (n >= cfg->otp_ip_max_per_hour) {
		*retry_after = 3600 - (now - last);
		e = ERR_RATE_LIMITED;
		goto fail;
	}
	if (limit_events_add(db, ipkey, now) != 0 ||
	    limit_events_count(db, empkey, now - 3600, &n, &last) != 0)
		goto fail;
	if (n > 0 && now - last < cfg->otp_resend_interval) {
		*retry_after = cfg->otp_resend_interval - (now - last);
		e = ERR_RATE_LIMITED;
		goto limited;
	}
	if (n >= cfg->otp_max_per_hour) {
		*retry_after = 3600 - (now - last);
		e = ERR_RATE_LIMITED;
		goto limited;
	}
	if ((st = db_prepare(db, SQL_EMPLOYEE)) == NULL)
		goto fail;
	db_bind_text(st, 1, employee_id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(mobile, sizeof(mobile), "%s", db_col_text(st, 0));
		snprintf(fam, sizeof(fam), "%s", db_col_text(st, 1));
	}
	db_done(st);
	/* issue 14: a known pair the office must certify first gets told so, and no code. */
	if (particulars_login_blocked(db, employee_id, family_id) == 1) {
		e = ERR_CERTIFY_FIRST;
		goto limited;
	}
	known = mobile[0] != '\0' && family_id != NULL && strcmp(fam, family_id) == 0;
	/* Messages to one mobile from every address together: only someone holding the right
	 * Family ID reaches this cap, and the answer tells them nothing they did not know. */
	if (known && (limit_events_count(db, smskey, now - 3600, &n, &last) != 0))
		goto fail;
	if (known && n >= cfg->otp_sms_max_per_hour) {
		*retry_after = 3600 - (now - last);
		e = ERR_RATE_LIMITED;
		goto limited;
	}
	if (known) {
		struct audit_rec r = { "system", "system", "otp.issue", employee_id, NULL, ip,
		    NULL, NULL };
		char object[64];

		snprintf(object, sizeof(object), "employee:%s", employee_id);
		r.object = object;
		if (make_code(code) != 0)
			goto fail;
		code_mac(key, employee_id, code, mac);
		if ((st = db_prepare(db, SQL_OTP_PUT)) == NULL)
			goto fail;
		db_bind_text(st, 1, employee_id);
		db_bind_text(st, 2, mac);
		sqlite3_bind_int64(st, 3, now);
		sqlite3_bind_int64(st, 4, now + cfg->otp_ttl);
		if (sqlite3_step(st) != SQLITE_DONE) {
			db_done(st);
			goto fail;
		}
		db_done(st);
		if (audit_append(db, &r) != 0)
			goto fail;
		snprintf(masked, 16, "******%s", mobile + strlen(mobile) - 4);
	}
	if (limit_events_add(db, empkey, now) != 0 ||
	    (known && limit_events_add(db, smskey, now) != 0)) {
		e = ERR_INTERNAL;
		goto fail;
	}
	if (db_commit(db) != 0)
		return ERR_INTERNAL;
	if (!known) {
		log_info("otp: request for an unknown employee id / family id pair");
		return ERR_OK;
	}
	/* Sent outside the transaction: a slow gateway must not hold the write lock. */
	line = message_json(mobile, employee_id, code, cfg->otp_ttl);
	OPENSSL_cleanse(code, sizeof(code));
	if (line != NULL && otp_sink_send(cfg, line) == 0) {
		OPENSSL_cleanse(line, strlen(line));
		free(line);
		return ERR_OK;
	}
	if (line) {
		OPENSSL_cleanse(line, strlen(line));
		free(line);
	}
	/* Not sent: the code is withdrawn and the send does not count against the employee,
	 * so the next request tries again. */
	log_warn("otp: could not send to the SMS sink");
	if (db_begin(db) == 0) {
		if (simple(db, SQL_OTP_DELETE, employee_id) == 0 &&
		    limit_events_forget(db, empkey, now) == 0 &&
		    limit_events_forget(db, smskey, now) == 0)
			db_commit(db);
		else
			db_rollback(db);
	}
	return ERR_NOT_SENT;
limited:
	/* The refused request still counts against the address (committed above). */
	db_commit(db);
	return e;
fail:
	db_rollback(db);
	return e;
}

enum err
otp_verify(struct db *db, const struct config *cfg, const unsigned char key[OTP_KEY_LEN],
    const char *employee_id, const char *code, const char *ip, struct session_new *out)
{
	char mac[SHA256_HEX], stored[SHA256_HEX] = "";
	int64_t now = time_now(), expires = 0, tries = 0;
	sqlite3_stmt *st;
	int found = 0, i;

	if (code == NULL || strlen(code) != 6)
		return ERR_OTP_INVALID;
	for (i = 0; i < 6; i++)
		if (!isdigit((unsigned char)code[i]))
			return ERR_OTP_INVALID;
	if (db_begin(db) != 0)
		return ERR_UNAVAILABLE;
	if ((st = db_prepare(db, SQL_OTP_GET)) == NULL)
		goto fail;
	db_bind_text(st, 1, employee_id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		found = 1;
		snprintf(stored, sizeof(stored), "%s", db_col_text(st, 0));
		expires = sqlite3_column_int64(st, 1);
		tries = sqlite3_column_int64(st, 2);
	}
	db_done(st);
	if (!found || expires <= now) {
		if (found && simple(db, SQL_OTP_DELETE, employee_id) != 0)
			goto fail;
		db_commit(db);
		return ERR_OTP_INVALID;
	}
	if (tries >= cfg->otp_max_tries) {
		db_rollback(db);
		return ERR_OTP_DEAD;
	}
	code_mac(key, employee_id, code, mac);
	if (!crypt_equal(mac, stored, SHA256_HEX - 1)) {
		if (simple(db, SQL_OTP_TRY, employee_id) != 0 || db_commit(db) != 0)
			goto fail;
		return tries + 1 >= cfg->otp_max_tries ? ERR_OTP_DEAD : ERR_OTP_INVALID;
	}
	{
		struct audit_rec r = { NULL, "employee", "login.otp", employee_id, NULL, ip, NULL,
		    NULL };
		char actor[64], object[64];

		snprintf(actor, sizeof(actor), "employee:%s", employee_id);
		snprintf(object, sizeof(object), "employee:%s", employee_id);
		r.actor = actor;
		r.object = object;
		if (simple(db, SQL_OTP_DELETE, employee_id) != 0 ||
		    session_create(db, cfg, 0, employee_id, ip, out) != 0 ||
		    audit_append(db, &r) != 0 || db_commit(db) != 0)
			goto fail;
	}
	return ERR_OK;
fail:
	db_rollback(db);
	return ERR_INTERNAL;
}

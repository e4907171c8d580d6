#include "http/handlers.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "db/db.h"
#include "util/buf.h"
#include "util/fsx.h"

enum MHD_Result
h_healthz(struct req *r)
{
	struct db *db = db_thread();
	int db_ok = 0, storage_ok;
	sqlite3_stmt *st;

	if (db != NULL && (st = db_prepare(db, "SELECT count(*) FROM meta")) != NULL) {
		db_ok = sqlite3_step(st) == SQLITE_ROW;
		db_done(st);
	}
	storage_ok = access(r->app->cfg.data_dir, W_OK) == 0;
	return reply_json(r, db_ok && storage_ok ? 200 : 503,
	    json_pack("{s:s, s:s, s:s}", "status", db_ok && storage_ok ? "ok" : "unavailable",
	    "database", db_ok ? "ok" : "unavailable", "storage", storage_ok ? "ok" :
	    "unavailable"));
}

enum MHD_Result
h_ca_pem(struct req *r)
{
	struct buf b;
	enum MHD_Result res;

	buf_init(&b, 64 * 1024);
	if (fsx_read(r->app->ca_pem_path, &b) != 0) {
		buf_free(&b);
		return reply_error(r, ERR_NOT_FOUND, "The portal CA certificate is not set up.");
	}
	res = reply_bytes(r, 200, "application/x-pem-file", b.data, b.len,
	    "attachment; filename=\"suraksha-ca.pem\"");
	buf_free(&b);
	return res;
}

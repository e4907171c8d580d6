/* The schema, as numbered migrations applied in order at start (PRAGMA user_version holds
 * the number applied). Never edit a migration that has shipped: add the next one. */
#include "db/schema.h"

#include <stddef.h>

static const char *const migrations[] = {
	/* 1: master data, accounts, sessions, OTP, audit */
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;"
	"CREATE TABLE imports ("
	"  id INTEGER PRIMARY KEY, source TEXT NOT NULL, file_name TEXT NOT NULL,"
	"  file_sha256 TEXT NOT NULL, at INTEGER NOT NULL, actor TEXT NOT NULL,"
	"  rows_total INTEGER NOT NULL, rows_inserted INTEGER NOT NULL,"
	"  rows_updated INTEGER NOT NULL, rows_unchanged INTEGER NOT NULL,"
	"  rows_rejected INTEGER NOT NULL) STRICT;"
	"CREATE TABLE departments (code TEXT PRIMARY KEY, name TEXT NOT NULL,"
	"  import_id INTEGER REFERENCES imports(id)) STRICT;"
	"CREATE TABLE offices (code TEXT PRIMARY KEY, name TEXT NOT NULL,"
	"  department_code TEXT NOT NULL REFERENCES departments(code),"
	"  ddo_code TEXT NOT NULL, district TEXT NOT NULL,"
	"  import_id INTEGER REFERENCES imports(id)) STRICT;"
	"CREATE INDEX offices_department ON offices(department_code);"
	"CREATE TABLE employees ("
	"  id TEXT PRIMARY KEY, name TEXT NOT NULL, father_name TEXT NOT NULL,"
	"  dob TEXT NOT NULL, gender TEXT NOT NULL, mobile TEXT NOT NULL,"
	"  family_id TEXT NOT NULL,"
	"  department_code TEXT NOT NULL REFERENCES departments(code),"
	"  office_code TEXT NOT NULL REFERENCES offices(code),"
	"  designation TEXT NOT NULL, pay_level INTEGER NOT NULL,"
	"  engagement_mode TEXT NOT NULL CHECK (engagement_mode IN ('direct', 'hkrnl')),"
	"  head_of_account TEXT NOT NULL, monthly_remuneration INTEGER NOT NULL,"
	"  joining_date TEXT NOT NULL, source TEXT NOT NULL,"
	"  import_id INTEGER NOT NULL REFERENCES imports(id), updated_at INTEGER NOT NULL) STRICT;"
	"CREATE INDEX employees_office ON employees(office_code);"
	"CREATE INDEX employees_department ON employees(department_code);"
	"CREATE TABLE users ("
	"  id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE,"
	"  role TEXT NOT NULL CHECK (role IN ('ddo', 'hod', 'admin_secretary', 'finance',"
	"    'auditor', 'admin')),"
	"  display_name TEXT NOT NULL, password_hash TEXT NOT NULL,"
	"  disabled INTEGER NOT NULL DEFAULT 0, failed_logins INTEGER NOT NULL DEFAULT 0,"
	"  lockouts INTEGER NOT NULL DEFAULT 0, locked_until INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL) STRICT;"
	"CREATE TABLE user_scopes ("
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  kind TEXT NOT NULL CHECK (kind IN ('office', 'department')),"
	"  code TEXT NOT NULL, PRIMARY KEY (user_id, kind, code)) STRICT;"
	"CREATE TABLE sessions ("
	"  token_hash TEXT PRIMARY KEY,"
	"  user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,"
	"  employee_id TEXT REFERENCES employees(id),"
	"  csrf TEXT NOT NULL, created_at INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL, ip TEXT NOT NULL,"
	"  CHECK ((user_id IS NULL) <> (employee_id IS NULL))) STRICT;"
	"CREATE INDEX sessions_user ON sessions(user_id);"
	"CREATE INDEX sessions_employee ON sessions(employee_id);"
	"CREATE TABLE otps ("
	"  employee_id TEXT PRIMARY KEY REFERENCES employees(id),"
	"  code_mac TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,"
	"  tries INTEGER NOT NULL DEFAULT 0) STRICT;"
	"CREATE TABLE rate_events (key TEXT NOT NULL, at INTEGER NOT NULL) STRICT;"
	"CREATE INDEX rate_events_key ON rate_events(key, at);"
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor TEXT NOT NULL,"
	"  role TEXT NOT NULL, action TEXT NOT NULL, case_id TEXT, object TEXT NOT NULL,"
	"  ip TEXT NOT NULL, before TEXT, after TEXT,"
	"  prev_hash TEXT NOT NULL, hash TEXT NOT NULL) STRICT;"
	"CREATE INDEX audit_case ON audit(case_id);"
	"CREATE INDEX audit_actor ON audit(actor);",
	/* 2: documents an employee uploaded (the bytes are blobs named by their SHA-256) */
	"CREATE TABLE documents ("
	"  id INTEGER PRIMARY KEY,"
	"  employee_id TEXT NOT NULL REFERENCES employees(id),"
	"  kind TEXT NOT NULL CHECK (kind IN ('engagement_order', 'hkrnl_deployment_letter',"
	"    'salary_proof', 'service_certificate', 'dob_proof', 'aadhaar', 'family_id',"
	"    'marital_declaration', 'hssc_appointment_order', 'hssc_termination_order',"
	"    'discrepancy_certificate', 'other')),"
	"  name TEXT NOT NULL, bundle TEXT, mime TEXT NOT NULL, size INTEGER NOT NULL,"
	"  sha256 TEXT NOT NULL CHECK (length(sha256) = 64),"
	"  uploaded_at INTEGER NOT NULL, uploaded_by TEXT NOT NULL) STRICT;"
	"CREATE INDEX documents_employee ON documents(employee_id);"
	"CREATE INDEX documents_sha256 ON documents(sha256);",
};

size_t
schema_count(void)
{
	return sizeof(migrations) / sizeof(migrations[0]);
}

const char *
schema_migration(size_t i)
{
	return i < schema_count() ? migrations[i] : NULL;
}

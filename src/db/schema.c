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
	/* 3: cases (one per employee, made by trigger when the employee is imported), their
	 * history, certifications, supernumerary posts, deadline extensions. department_code
	 * and office_code are copied from the employee (kept in step by trigger) so listings
	 * and dashboard counts need no join; stage and due_at (the first second the window of
	 * the stage waiting on someone is closed) make the overdue listing one index range. */
	"CREATE TABLE cases ("
	"  employee_id TEXT PRIMARY KEY REFERENCES employees(id),"
	"  department_code TEXT NOT NULL, office_code TEXT NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'returned', 'discrepancy',"
	"    'certified', 'verified', 'waiting_equivalent_post', 'post_created', 'approved',"
	"    'rejected')),"
	"  stage TEXT CHECK (stage IN ('registration', 'verification', 'posts', 'approval')),"
	"  due_at INTEGER,"
	"  declared TEXT, declared_at INTEGER,"
	"  verified TEXT, verified_at INTEGER, verified_by TEXT,"
	"  outcome TEXT, verdict TEXT CHECK (verdict IN ('eligible', 'ineligible', 'incomplete')),"
	"  outcome_basis TEXT CHECK (outcome_basis IN ('declared', 'verified')),"
	"  remarks TEXT, discrepancy_fields TEXT,"
	"  decision_remarks TEXT, decided_by TEXT, decided_at INTEGER, letter_ref TEXT,"
	"  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL) STRICT;"
	"CREATE INDEX cases_state ON cases(state, department_code, office_code);"
	"CREATE INDEX cases_department ON cases(department_code, office_code, state, due_at);"
	"CREATE INDEX cases_office ON cases(office_code, state);"
	"CREATE INDEX cases_stage ON cases(stage, department_code);"
	"CREATE INDEX cases_stage_due ON cases(stage, due_at) WHERE due_at IS NOT NULL;"
	"CREATE INDEX cases_due ON cases(due_at, employee_id) WHERE due_at IS NOT NULL;"
	"CREATE TABLE case_history ("
	"  id INTEGER PRIMARY KEY, employee_id TEXT NOT NULL REFERENCES cases(employee_id),"
	"  at INTEGER NOT NULL, actor TEXT NOT NULL, role TEXT NOT NULL, action TEXT NOT NULL,"
	"  from_state TEXT, to_state TEXT NOT NULL, remarks TEXT) STRICT;"
	"CREATE INDEX case_history_case ON case_history(employee_id, id);"
	"CREATE TABLE certifications ("
	"  id INTEGER PRIMARY KEY, employee_id TEXT NOT NULL REFERENCES cases(employee_id),"
	"  issuer TEXT NOT NULL, role TEXT NOT NULL, fields TEXT NOT NULL, remarks TEXT NOT NULL,"
	"  document_id INTEGER NOT NULL REFERENCES documents(id), at INTEGER NOT NULL) STRICT;"
	"CREATE INDEX certifications_case ON certifications(employee_id);"
	"CREATE TABLE posts ("
	"  id INTEGER PRIMARY KEY,"
	"  employee_id TEXT NOT NULL UNIQUE REFERENCES cases(employee_id),"
	"  department_code TEXT NOT NULL, designation TEXT NOT NULL,"
	"  pay_level INTEGER NOT NULL CHECK (pay_level BETWEEN 1 AND 10),"
	"  effective_date TEXT NOT NULL, created_by TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL) STRICT;"
	"CREATE TABLE deadline_extensions ("
	"  id INTEGER PRIMARY KEY,"
	"  stage TEXT NOT NULL CHECK (stage IN ('registration', 'verification', 'posts',"
	"    'approval')),"
	"  department_code TEXT REFERENCES departments(code),"
	"  closes_at INTEGER NOT NULL, reason TEXT NOT NULL, by TEXT NOT NULL,"
	"  at INTEGER NOT NULL) STRICT;"
	"CREATE INDEX deadline_extensions_stage ON deadline_extensions(stage, department_code);"
	"INSERT INTO cases (employee_id, department_code, office_code, state, stage,"
	"  created_at, updated_at)"
	"  SELECT id, department_code, office_code, 'draft', 'registration', updated_at,"
	"  updated_at FROM employees;"
	"CREATE TRIGGER employees_case AFTER INSERT ON employees BEGIN"
	"  INSERT INTO cases (employee_id, department_code, office_code, state, stage, due_at,"
	"    created_at, updated_at)"
	"  VALUES (NEW.id, NEW.department_code, NEW.office_code, 'draft', 'registration',"
	"    (SELECT due_at FROM cases WHERE stage = 'registration'"
	"      AND department_code = NEW.department_code LIMIT 1),"
	"    NEW.updated_at, NEW.updated_at);"
	"END;"
	"CREATE TRIGGER employees_case_move AFTER UPDATE OF department_code, office_code"
	"  ON employees BEGIN"
	"  UPDATE cases SET department_code = NEW.department_code,"
	"    office_code = NEW.office_code WHERE employee_id = NEW.id;"
	"END;",
	/* 4: offer letters (the PDFs are files named by their SHA-256 under letters/) */
	"CREATE TABLE letter_seq (department_code TEXT NOT NULL, year INTEGER NOT NULL,"
	"  last INTEGER NOT NULL, PRIMARY KEY (department_code, year)) STRICT;"
	"CREATE TABLE letters ("
	"  ref TEXT PRIMARY KEY, employee_id TEXT NOT NULL REFERENCES employees(id),"
	"  department_code TEXT NOT NULL,"
	"  sha256 TEXT NOT NULL CHECK (length(sha256) = 64), size INTEGER NOT NULL,"
	"  issued_at INTEGER NOT NULL, issued_by TEXT NOT NULL,"
	"  revoked_at INTEGER, revoked_by TEXT, revoke_reason TEXT) STRICT;"
	"CREATE INDEX letters_employee ON letters(employee_id);"
	"CREATE INDEX letters_sha256 ON letters(sha256);",
	/* issue 9: what verification matches a letter on (the SHA-256 of its two signed
	 * ranges and of the signer certificate the HoD had enrolled at issue; NULL on rows
	 * from before, which match on the whole file), and the HoD certificates the portal CA
	 * revoked (the CRL is made from them) */
	"ALTER TABLE letters ADD COLUMN signed_sha256 TEXT"
	"  CHECK (signed_sha256 IS NULL OR length(signed_sha256) = 64);"
	"ALTER TABLE letters ADD COLUMN cert_sha256 TEXT"
	"  CHECK (cert_sha256 IS NULL OR length(cert_sha256) = 64);"
	"CREATE INDEX letters_signed_sha256 ON letters(signed_sha256);"
	"CREATE TABLE revoked_certs ("
	"  serial TEXT PRIMARY KEY, subject TEXT NOT NULL, cert_sha256 TEXT NOT NULL,"
	"  revoked_at INTEGER NOT NULL, revoked_by TEXT NOT NULL, reason TEXT NOT NULL) STRICT;",
	/* issue 12: the notification outbox. A row is written in the transaction of the
	 * change it tells of (event is unique: one message per event, never two); the sender
	 * fills in the DLT template and text when it sends, and marks it sent only after the
	 * gateway took it. Rows are never deleted. */
	"CREATE TABLE notifications ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  event TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,"
	"  employee_id TEXT NOT NULL, mobile TEXT NOT NULL, vars TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_at INTEGER NOT NULL, sent_at INTEGER,"
	"  template_id TEXT, text TEXT, last_error TEXT) STRICT;"
	"CREATE INDEX notifications_due ON notifications(next_at) WHERE sent_at IS NULL;"
	"CREATE INDEX notifications_employee ON notifications(employee_id);",
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

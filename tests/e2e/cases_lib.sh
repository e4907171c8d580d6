# Shared by the t_cases*.sh tests: times inside and past the windows of RULES.md §4, the
# documents a case needs (inserted as rows: uploads are tested by the intake tests), and
# logins for every role of the demo. Source after lib.sh.
# 2026-01-15 12:00 IST: every window open.
T_OPEN=$(date -u -d '2026-01-15 06:30:00' +%s)
# One minute past each close (registration 01-31, verification 02-28, posts 03-31,
# approval 04-30, each 23:59 IST, that minute still open).
T_AFTER_REG=$(date -u -d '2026-01-31 18:30:00' +%s)
T_AFTER_VER=$(date -u -d '2026-02-28 18:30:00' +%s)
T_AFTER_POSTS=$(date -u -d '2026-03-31 18:30:00' +%s)
T_AFTER_APPR=$(date -u -d '2026-04-30 18:30:00' +%s)
T_LAST_REG=$(date -u -d '2026-01-31 18:29:30' +%s)

# a busy timeout: the server (its notification sender too) may be writing at that moment
db() { sqlite3 -cmd ".timeout 5000" "$DATA/suraksha.db" "$@"; }

add_doc() { # add_doc EMPLOYEE KIND -> prints the document id
	db "INSERT INTO documents (employee_id, kind, name, mime, size, sha256, uploaded_at, uploaded_by)
	    VALUES ('$1', '$2', '$2.pdf', 'application/pdf', 1000,
	    '$(printf '%s' "$1$2$RANDOM" | sha256sum | cut -c1-64)', 1768458600, 'employee:$1');
	    SELECT last_insert_rowid();"
}
add_docs() { # add_docs EMPLOYEE [extra kinds...]: the five every case needs, and extras
	local e=$1; shift
	for k in engagement_order salary_proof dob_proof family_id marital_declaration "$@"; do
		add_doc "$e" "$k" >/dev/null
	done
}

svc() { # svc FROM [KIND]: one open contract spell from FROM
	printf '{"spells":[{"from":"%s","to":null,"kind":"%s","organisation":"Govt"}],"unpaid":[],"centrally_sponsored":false,"part_time":false,"marriage_clause":false}' "$1" "${2:-contract}"
}

state_of() { db "SELECT state FROM cases WHERE employee_id = '$1'"; }
expect_state() { # expect_state EMPLOYEE STATE [what]
	local s; s=$(state_of "$1")
	if [ "$s" = "$2" ]; then ok; else fail "${3:-state} of $1: $s, want $2"; fi
}
# The notification sender marks rows sent in the background: the outbox is compared by its
# rows (one per event), not by their delivery state.
dump_db() {
	db .dump | grep -v '^INSERT INTO sessions\|^INSERT INTO rate_events\|^INSERT INTO otps\|^INSERT INTO "\?notifications"\?'
	echo "notifications: $(db "SELECT group_concat(id || ':' || event, ' ') FROM notifications")"
}

login_staff() {
	DDO=$(login ddo.pwd.amb); DDOH=$(login ddo.hlt.kkr); HOD=$(login hod.pwd)
	HODH=$(login hod.hlt); SECY=$(login secy.pwd); FIN=$(login finance)
	AUD=$(login auditor); ADMIN=$(login admin)
}

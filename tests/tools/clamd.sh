# A clamd of the tests' own, sourced by tests and benchmarks: this machine cannot download
# ClamAV's databases, so it loads one signature made here, matching the EICAR test string
# wherever it sits in a file (inside a valid PDF, inside a ZIP entry). Foreground, as the
# calling user, its socket and files in the folder given.
#   clamd_start DIR   sets CLAMD_SOCKET and CLAMD_PID; returns 1 when it does not start
#   clamd_stop
EICAR='X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'
CLAMD_PID=
clamd_start() {
	local dir=$1
	mkdir -p "$dir/db"
	# .ndb: name:target type (0 = any file):offset (* = anywhere):hex pattern
	printf 'Suraksha.Test.EICAR-in-document:0:*:%s\n' \
	    "$(printf '%s' "$EICAR" | od -An -tx1 -v | tr -d ' \n')" >"$dir/db/suraksha-test.ndb"
	cat >"$dir/clamd.conf" <<CONF
LocalSocket $dir/clamd.sock
DatabaseDirectory $dir/db
TemporaryDirectory $dir
Foreground yes
LogFile $dir/clamd.log
StreamMaxLength 64M
MaxFileSize 64M
MaxScanSize 256M
SelfCheck 3600
CONF
	CLAMD_SOCKET=$dir/clamd.sock
	/usr/sbin/clamd -c "$dir/clamd.conf" >"$dir/clamd.out" 2>&1 &
	CLAMD_PID=$!
	for _ in $(seq 1 300); do
		[ -S "$CLAMD_SOCKET" ] && return 0
		kill -0 "$CLAMD_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "clamd did not start:"; cat "$dir/clamd.out" "$dir/clamd.log" 2>/dev/null | tail -20
	return 1
}
clamd_stop() {
	[ -n "$CLAMD_PID" ] || return 0
	kill -TERM "$CLAMD_PID" 2>/dev/null
	wait "$CLAMD_PID" 2>/dev/null
	CLAMD_PID=
}

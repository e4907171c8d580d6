# Sourced by tests that need a DDO with many cases: many_cases N writes N employees of
# office PWD-AMB-01 (ddo.pwd.amb) to $T/many.csv and imports them: ids UCP-5xxxx, names
# "Test Person NNN" with every 50th "Rajesh Test NNN" and one Devanagari name.
many_cases() {
	local n=$1
	{
		echo "employee_id,name,father_name,dob,gender,mobile,family_id,department_code,office_code,designation,pay_level,engagement_mode,head_of_account,monthly_remuneration,joining_date"
		awk -v n="$n" 'BEGIN {
			for (i = 1; i <= n; i++) {
				name = (i % 50 == 0) ? sprintf("Rajesh Test %03d", i) : sprintf("Test Person %03d", i)
				if (i == 7) name = "राजेश कुमार शर्मा"
				printf "UCP-5%04d,%s,Father %d,1980-01-01,M,98%08d,MNY%05dA,PWD,PWD-AMB-01,Clerk,2,direct,2059-80-001-97-51-69,20000,2012-04-01\n", i, name, i, 70000000 + i, i
			}
		}'
	} >"$T/many.csv"
	"$BIN" import --data "$DATA" --source treasury "$T/many.csv" >"$T/many.log" 2>&1 ||
		{ echo "many_cases: import failed"; tail -5 "$T/many.log"; exit 1; }
}

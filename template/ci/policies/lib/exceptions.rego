# The exception registry (ci/policies/exceptions.yaml, loaded as data.exceptions).
#
# Every area policy builds a set of violations {rule, target, msg} and reports only
# those no active exception waives. An exception is active until the end of its
# `expires` day; after that it waives nothing and is itself a violation (EXC-001),
# so a waiver cannot quietly outlive the reason it was granted for.
package lib.exceptions

# Today's date, YYYY-MM-DD. ops check policy passes it as data.today (tests pin
# it); plain conftest runs fall back to the clock, in UTC.
today := data.today if {
	is_string(data.today)
} else := substring(time.format(time.now_ns()), 0, 10)

# The registry, or nothing when it was not passed (e.g. a bare `conftest test`).
registry := entries if {
	entries := data.exceptions
	is_array(entries)
} else := []

required_fields := {"rule", "target", "owner", "reason", "expires"}

# An ISO date. Checked with a regular expression rather than time.parse_ns because a
# malformed date must become a finding (EXC-002), not an evaluation error.
date_pattern := `^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$`

well_formed(entry) if {
	is_object(entry)
	every field in required_fields {
		is_string(entry[field])
		trim_space(entry[field]) != ""
	}
	regex.match(date_pattern, entry.expires)
}

active(entry) if {
	well_formed(entry)
	entry.expires >= today
}

# waived(rule, target) holds when an active exception names the rule and its target
# glob matches. `*` matches within a `/`-separated segment, `**` across segments, so
# `Deployment/*` waives every Deployment and `module.storage.*` a whole module.
waived(rule, target) if {
	some entry in registry
	active(entry)
	entry.rule == rule
	glob.match(entry.target, ["/"], target)
}

describe(entry) := sprintf("%v", [entry]) if {
	not is_object(entry)
}

describe(entry) := sprintf("%s on %s", [object.get(entry, "rule", "?"), object.get(entry, "target", "?")]) if {
	is_object(entry)
}

deny contains msg if {
	some entry in registry
	well_formed(entry)
	entry.expires < today
	msg := sprintf(
		"EXC-001: exception for %s on %s expired on %s (owner %s): fix the finding or renew the exception with a new reason",
		[entry.rule, entry.target, entry.expires, entry.owner],
	)
}

deny contains msg if {
	some entry in registry
	not well_formed(entry)
	msg := sprintf(
		"EXC-002: exception %s is malformed: it needs rule, target, owner, reason and expires (YYYY-MM-DD, quoted)",
		[describe(entry)],
	)
}

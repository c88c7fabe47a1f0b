# Unit tests for the exception registry: expiry, validation and matching.
package lib.exceptions_test

import data.lib.exceptions

entry := {
	"rule": "K8S-001",
	"target": "Deployment/catalog",
	"owner": "team-platform",
	"reason": "the upstream image publishes no tags",
	"expires": "2025-01-31",
}

findings(registry, today) := found if {
	found := exceptions.deny with data.exceptions as registry with data.today as today
}

test_empty_or_missing_registry_passes if {
	count(findings([], "2025-01-01")) == 0
	count(exceptions.deny) == 0 with data.exceptions as null with data.today as "2025-01-01"
}

test_exception_is_active_through_its_expiry_day if {
	count(findings([entry], "2025-01-31")) == 0
	exceptions.waived("K8S-001", "Deployment/catalog") with data.exceptions as [entry]
		with data.today as "2025-01-31"
}

test_exc_001_expired_exception_fails_and_waives_nothing if {
	findings([entry], "2025-02-01") == {"EXC-001: exception for K8S-001 on Deployment/catalog expired on 2025-01-31 (owner team-platform): fix the finding or renew the exception with a new reason"}
	not exceptions.waived("K8S-001", "Deployment/catalog") with data.exceptions as [entry]
		with data.today as "2025-02-01"
}

test_exc_002_malformed_exceptions_fail if {
	every broken in [
		object.remove(entry, ["owner"]),
		object.union(entry, {"reason": "  "}),
		object.union(entry, {"expires": "31/01/2025"}),
		object.union(entry, {"expires": "2025-13-01"}),
		"K8S-001",
	] {
		some msg in findings([broken], "2025-01-01")
		startswith(msg, "EXC-002: ")
	}
}

test_malformed_exception_waives_nothing if {
	not exceptions.waived("K8S-001", "Deployment/catalog") with data.exceptions as [object.remove(entry, ["reason"])]
		with data.today as "2025-01-01"
}

test_target_globs if {
	wide := object.union(entry, {"target": "Deployment/*"})
	exceptions.waived("K8S-001", "Deployment/orders") with data.exceptions as [wide]
		with data.today as "2025-01-01"
	not exceptions.waived("K8S-001", "StatefulSet/orders") with data.exceptions as [wide]
		with data.today as "2025-01-01"
	not exceptions.waived("K8S-002", "Deployment/orders") with data.exceptions as [wide]
		with data.today as "2025-01-01"
}

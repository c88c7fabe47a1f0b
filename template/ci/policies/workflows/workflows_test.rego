# Unit tests for workflows.rego: one passing and one failing workflow per rule.
package workflows_test

import data.workflows

checkout := "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683"

workflow(on, steps) := {
	"name": "CI",
	"on": on,
	"permissions": {"contents": "read"},
	"jobs": {"build": {"runs-on": "ubuntu-24.04", "steps": steps}},
}

ids(file) := {split(msg, ":")[0] | some msg in found} if {
	found := workflows.deny with input as file
		with data.exceptions as []
		with data.today as "2025-01-01"
}

test_wf_001_pinned_and_local_actions_pass if {
	steps := [
		{"uses": checkout},
		{"uses": "./ci/templates/setup-workspace"},
		{"uses": "docker://alpine@sha256:0000000000000000000000000000000000000000000000000000000000000000"},
		{"run": "make test"},
	]
	count(ids(workflow(["pull_request"], steps))) == 0
}

test_wf_001_tag_branch_and_short_sha_fail if {
	every ref in ["actions/checkout@v4", "actions/checkout@main", "actions/checkout@11bd719", "docker://alpine:3.20"] {
		ids(workflow(["pull_request"], [{"uses": ref}])) == {"WF-001"}
	}
}

test_wf_001_reusable_workflow_jobs_are_checked if {
	file := {
		"name": "Release",
		"on": "push",
		"permissions": {},
		"jobs": {
			"pinned": {"uses": "acme/workflows/.github/workflows/release.yml@0123456789abcdef0123456789abcdef01234567"},
			"floating": {"uses": "acme/workflows/.github/workflows/release.yml@v1"},
		},
	}
	found := workflows.deny with input as file with data.exceptions as []
	count(found) == 1
	some msg in found
	startswith(msg, "WF-001: Release/floating:")
}

test_wf_002_missing_permissions_fails if {
	ids(object.remove(workflow("push", []), ["permissions"])) == {"WF-002"}
}

test_wf_002_empty_permissions_pass if {
	count(ids(object.union(workflow("push", []), {"permissions": {}}))) == 0
}

test_wf_003_pull_request_target_with_head_checkout_fails if {
	step := {"uses": checkout, "with": {"ref": "${{ github.event.pull_request.head.sha }}"}}
	ids(workflow({"pull_request_target": {"types": ["opened"]}}, [step])) == {"WF-003"}
}

test_wf_003_run_step_checking_out_the_head_fails if {
	step := {"run": "gh pr checkout ${{ github.event.number }}"}
	ids(workflow(["pull_request_target"], [step])) == {"WF-003"}
}

test_wf_003_yaml_1_1_on_key_is_understood if {
	file := object.remove(workflow({}, [{"uses": checkout, "with": {"ref": "${{ github.head_ref }}"}}]), ["on"])
	ids(object.union(file, {"true": "pull_request_target"})) == {"WF-003"}
}

test_wf_003_pull_request_target_on_base_passes if {
	# Labelling or commenting on the base branch's own code is the safe use.
	count(ids(workflow(["pull_request_target"], [{"uses": checkout}]))) == 0
}

test_wf_003_head_checkout_on_pull_request_passes if {
	step := {"uses": checkout, "with": {"ref": "${{ github.event.pull_request.head.sha }}"}}
	count(ids(workflow(["pull_request"], [step]))) == 0
}

test_exception_waives_by_workflow_and_job if {
	exception := {
		"rule": "WF-001", "target": "CI/build", "owner": "team-platform",
		"reason": "vendor publishes no SHA", "expires": "2025-03-01",
	}
	count(workflows.deny) == 0 with input as workflow("push", [{"uses": "vendor/action@v1"}])
		with data.exceptions as [exception]
		with data.today as "2025-01-01"
}

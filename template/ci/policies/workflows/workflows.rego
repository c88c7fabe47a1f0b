# GitHub Actions workflow hygiene, run against each file in .github/workflows/.
#
# A tag or branch of a third-party action can be moved to different code at any time;
# only a full commit SHA pins what runs with the workflow's token. Explicit top-level
# permissions keep the token minimal even when the repository default is broad. And a
# pull_request_target workflow runs with secrets, so it must never check out and run
# the pull request's own code. Findings are waivable per `<workflow name>/<job id>`.
package workflows

import data.lib.exceptions

deny contains sprintf("%s: %s", [v.rule, v.msg]) if {
	some v in violations
	not exceptions.waived(v.rule, v.target)
}

workflow_name := object.get(input, "name", "workflow")

# YAML 1.1 parsers (conftest's among them) read the `on:` key as the boolean true.
triggers := input.on if {
	input.on
} else := input["true"] if {
	input["true"]
} else := {}

trigger_names contains triggers if is_string(triggers)

trigger_names contains name if {
	is_array(triggers)
	some name in triggers
}

trigger_names contains name if {
	is_object(triggers)
	some name, _ in triggers
}

jobs[id] := job if {
	some id, job in object.get(input, "jobs", {})
	is_object(job)
}

# Every `uses:` in the file: job-level (reusable workflows) and step-level.
uses contains {"job": id, "ref": job.uses} if {
	some id, job in jobs
	is_string(job.uses)
}

uses contains {"job": id, "ref": step.uses} if {
	some id, job in jobs
	some step in object.get(job, "steps", [])
	is_string(step.uses)
}

pinned(ref) if startswith(ref, "./")

pinned(ref) if regex.match(`^docker://[^@]+@sha256:[0-9a-f]{64}$`, ref)

pinned(ref) if regex.match(`^[^./][^@]*@[0-9a-f]{40}$`, ref)

violations contains {"rule": "WF-001", "target": target, "msg": msg} if {
	some use in uses
	not pinned(use.ref)
	target := sprintf("%s/%s", [workflow_name, use.job])
	msg := sprintf(
		"%s: %q must be pinned to a full 40-character commit SHA (keep the version in a comment: `@<sha> # v1.2.3`)",
		[target, use.ref],
	)
}

violations contains {"rule": "WF-002", "target": workflow_name, "msg": msg} if {
	not "permissions" in object.keys(input)
	msg := sprintf(
		"%s: declare top-level permissions (e.g. `permissions: {contents: read}`) and widen them per job",
		[workflow_name],
	)
}

# Expressions that name the pull request's head: its ref, SHA, repository or merge ref.
head_expressions := [
	"github.event.pull_request.head",
	"github.head_ref",
	"refs/pull/",
]

names_head(text) if {
	some expression in head_expressions
	contains(text, expression)
}

checks_out_head(step) if {
	startswith(step.uses, "actions/checkout@")
	some value in object.get(step, "with", {})
	is_string(value)
	names_head(value)
}

checks_out_head(step) if {
	is_string(step.run)
	regex.match(`git (fetch|checkout|switch)`, step.run)
	names_head(step.run)
}

checks_out_head(step) if {
	is_string(step.run)
	contains(step.run, "gh pr checkout")
}

violations contains {"rule": "WF-003", "target": target, "msg": msg} if {
	"pull_request_target" in trigger_names
	some id, job in jobs
	some step in object.get(job, "steps", [])
	checks_out_head(step)
	target := sprintf("%s/%s", [workflow_name, id])
	msg := sprintf(
		"%s: checks out the pull request's code in a pull_request_target workflow, which runs with secrets; use pull_request instead",
		[target],
	)
}

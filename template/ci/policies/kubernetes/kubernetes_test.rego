# Unit tests for kubernetes.rego: one passing and one failing input per rule.
# Run with `uv run ops check policy --tests-only` (or `opa test ci/policies`).
package kubernetes_test

import data.kubernetes

# A container that satisfies every rule; each failing test breaks exactly one thing.
good_container := {
	"name": "app",
	"image": "ghcr.io/acme/catalog@sha256:0000000000000000000000000000000000000000000000000000000000000000",
	"resources": {
		"requests": {"cpu": "100m", "memory": "128Mi"},
		"limits": {"cpu": "500m", "memory": "256Mi"},
	},
	"securityContext": {
		"runAsNonRoot": true,
		"allowPrivilegeEscalation": false,
		"readOnlyRootFilesystem": true,
	},
	"livenessProbe": {"httpGet": {"path": "/livez", "port": 8000}},
	"readinessProbe": {"httpGet": {"path": "/readyz", "port": 8000}},
}

deployment(container) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "catalog"},
	"spec": {"template": {"spec": {"containers": [container]}}},
}

deployment_with_pod(pod_fields) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "catalog"},
	"spec": {"template": {"spec": object.union({"containers": [good_container]}, pod_fields)}},
}

# Rule ids found for an input, with no exceptions registered.
ids(resource) := {split(msg, ":")[0] | some msg in found} if {
	found := kubernetes.deny with input as resource
		with data.exceptions as []
		with data.today as "2025-01-01"
}

test_good_deployment_passes if {
	count(kubernetes.deny) == 0 with input as deployment(good_container)
		with data.exceptions as []
}

test_every_workload_kind_is_checked if {
	bad := object.remove(good_container, ["livenessProbe"])
	pod := {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [bad]}}
	statefulset := {"kind": "StatefulSet", "metadata": {"name": "s"}, "spec": {"template": {"spec": {"containers": [bad]}}}}
	daemonset := {"kind": "DaemonSet", "metadata": {"name": "d"}, "spec": {"template": {"spec": {"containers": [bad]}}}}
	rollout := {
		"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "r"},
		"spec": {"template": {"spec": {"containers": [bad]}}},
	}
	every resource in [pod, statefulset, daemonset, rollout] {
		"K8S-006" in ids(resource)
	}
}

test_jobs_and_cronjobs_are_checked_without_probes if {
	container := object.remove(good_container, ["livenessProbe", "readinessProbe", "image"])
	job := {"kind": "Job", "metadata": {"name": "j"}, "spec": {"template": {"spec": {"containers": [container]}}}}
	cronjob := {
		"kind": "CronJob", "metadata": {"name": "c"},
		"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [container]}}}}},
	}
	ids(job) == {"K8S-001"}
	ids(cronjob) == {"K8S-001"}
}

test_multi_document_array_input if {
	bad := deployment(object.union(good_container, {"image": "nginx"}))
	ids([deployment(good_container), bad]) == {"K8S-001"}
}

test_other_kinds_are_ignored if {
	count(ids({"kind": "Service", "metadata": {"name": "catalog"}, "spec": {"ports": []}})) == 0
}

test_k8s_001_pinned_images_pass if {
	every image in ["ghcr.io/acme/catalog:1.2.3", "registry:5000/team/app:v1", "app@sha256:abc"] {
		count(ids(deployment(object.union(good_container, {"image": image})))) == 0
	}
}

test_k8s_001_latest_or_untagged_images_fail if {
	every image in ["nginx", "nginx:latest", "registry:5000/team/app", "ghcr.io/acme/app:"] {
		ids(deployment(object.union(good_container, {"image": image}))) == {"K8S-001"}
	}
}

test_k8s_002_missing_limits_fail if {
	container := json.patch(good_container, [{"op": "remove", "path": "/resources/limits"}])
	ids(deployment(container)) == {"K8S-002"}
}

test_k8s_002_missing_memory_request_fails if {
	container := json.patch(good_container, [{"op": "remove", "path": "/resources/requests/memory"}])
	ids(deployment(container)) == {"K8S-002"}
}

test_k8s_003_pod_level_run_as_non_root_passes if {
	container := json.patch(good_container, [{"op": "remove", "path": "/securityContext/runAsNonRoot"}])
	resource := deployment_with_pod({"containers": [container], "securityContext": {"runAsNonRoot": true}})
	count(ids(resource)) == 0
}

test_k8s_003_missing_run_as_non_root_fails if {
	container := json.patch(good_container, [{"op": "remove", "path": "/securityContext/runAsNonRoot"}])
	ids(deployment(container)) == {"K8S-003"}
}

test_k8s_003_container_overriding_the_pod_fails if {
	container := json.patch(good_container, [{"op": "replace", "path": "/securityContext/runAsNonRoot", "value": false}])
	resource := deployment_with_pod({"containers": [container], "securityContext": {"runAsNonRoot": true}})
	ids(resource) == {"K8S-003"}
}

test_k8s_004_privilege_escalation_fails if {
	container := json.patch(good_container, [{"op": "replace", "path": "/securityContext/allowPrivilegeEscalation", "value": true}])
	ids(deployment(container)) == {"K8S-004"}
}

test_k8s_005_writable_root_filesystem_fails if {
	container := json.patch(good_container, [{"op": "remove", "path": "/securityContext/readOnlyRootFilesystem"}])
	ids(deployment(container)) == {"K8S-005"}
}

test_k8s_003_to_005_apply_to_init_containers if {
	init := object.remove(object.union(good_container, {"name": "migrate"}), ["securityContext"])
	resource := deployment_with_pod({"initContainers": [init]})
	ids(resource) == {"K8S-003", "K8S-004", "K8S-005"}
}

test_k8s_006_missing_readiness_probe_fails if {
	ids(deployment(object.remove(good_container, ["readinessProbe"]))) == {"K8S-006"}
}

test_k8s_006_init_containers_need_no_probes if {
	init := object.remove(object.union(good_container, {"name": "migrate"}), ["livenessProbe", "readinessProbe"])
	count(ids(deployment_with_pod({"initContainers": [init]}))) == 0
}

test_k8s_007_host_namespaces_fail if {
	every field in ["hostNetwork", "hostPID", "hostIPC"] {
		ids(deployment_with_pod({field: true})) == {"K8S-007"}
	}
}

test_k8s_007_host_namespaces_false_pass if {
	count(ids(deployment_with_pod({"hostNetwork": false, "hostPID": false, "hostIPC": false}))) == 0
}

test_active_exception_waives_the_finding if {
	resource := deployment(object.union(good_container, {"image": "nginx"}))
	exception := {
		"rule": "K8S-001", "target": "Deployment/*", "owner": "team-platform",
		"reason": "upstream image has no tags", "expires": "2025-01-31",
	}
	count(kubernetes.deny) == 0 with input as resource
		with data.exceptions as [exception]
		with data.today as "2025-01-31"
}

test_expired_or_mismatched_exception_does_not_waive if {
	resource := deployment(object.union(good_container, {"image": "nginx"}))
	expired := {
		"rule": "K8S-001", "target": "Deployment/catalog", "owner": "team-platform",
		"reason": "upstream image has no tags", "expires": "2024-12-31",
	}
	other_rule := object.union(expired, {"rule": "K8S-002", "expires": "2030-01-01"})
	other_target := object.union(expired, {"target": "StatefulSet/*", "expires": "2030-01-01"})
	every exception in [expired, other_rule, other_target] {
		count(kubernetes.deny) == 1 with input as resource
			with data.exceptions as [exception]
			with data.today as "2025-01-01"
	}
}

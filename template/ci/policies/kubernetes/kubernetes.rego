# Kubernetes workload baseline, run against rendered manifests (`kubectl kustomize
# infra/kustomize/overlays/<env>` or `helm template`), one document or a list at a time.
#
# Every container of every pod template must: run a pinned image, declare requests and
# limits, run as non-root without privilege escalation on a read-only root filesystem,
# and (for long-running workloads) have liveness and readiness probes. No pod shares the
# node's network, PID or IPC namespace. Findings are waivable per `Kind/name` target
# through ci/policies/exceptions.yaml.
package kubernetes

import data.lib.exceptions

deny contains sprintf("%s: %s", [v.rule, v.msg]) if {
	some v in violations
	not exceptions.waived(v.rule, v.target)
}

# The input is one manifest, a `kind: List`, or an array of manifests (conftest's
# multi-document form); all three are checked the same way.
resources := input if {
	is_array(input)
} else := input.items if {
	input.kind == "List"
} else := [input]

# Where each workload kind keeps its pod spec. Argo Rollouts that point at a Deployment
# through workloadRef have no template of their own: the Deployment is checked instead.
pod_spec(resource) := resource.spec if resource.kind == "Pod"

pod_spec(resource) := resource.spec.template.spec if {
	resource.kind in {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "Rollout"}
}

pod_spec(resource) := resource.spec.jobTemplate.spec.template.spec if resource.kind == "CronJob"

# Batch pods run to completion and never receive Service traffic: probes do not apply.
long_running(resource) if {
	not resource.kind in {"Job", "CronJob"}
}

workloads contains {"resource": resource, "spec": pod_spec(resource)} if {
	some resource in resources
}

# Init containers are held to the same image, resource and security rules; probes are
# only for the containers that serve.
containers(spec) := array.concat(object.get(spec, "initContainers", []), object.get(spec, "containers", []))

target(resource) := sprintf("%s/%s", [resource.kind, object.get(resource, ["metadata", "name"], "unnamed")])

# An image is pinned by digest (`name@sha256:...`) or by an explicit tag other than
# `latest`. The tag is looked for after the last `/`, so a registry port
# (`registry:5000/app`) is not mistaken for one.
pinned_image(image) if contains(image, "@sha256:")

pinned_image(image) if {
	not contains(image, "@")
	parts := split(image, "/")
	name := parts[count(parts) - 1]
	contains(name, ":")
	tag := split(name, ":")[1]
	tag != ""
	tag != "latest"
}

violations contains {"rule": "K8S-001", "target": target(resource), "msg": msg} if {
	some workload in workloads
	resource := workload.resource
	some container in containers(workload.spec)
	name := object.get(container, "name", "unnamed")
	image := object.get(container, "image", "")
	not pinned_image(image)
	msg := sprintf(
		"%s container %q: image %q must be pinned to a digest or an explicit tag other than latest",
		[target(resource), name, image],
	)
}

violations contains {"rule": "K8S-002", "target": target(resource), "msg": msg} if {
	some workload in workloads
	resource := workload.resource
	some container in containers(workload.spec)
	name := object.get(container, "name", "unnamed")
	some kind in ["requests", "limits"]
	some quantity in ["cpu", "memory"]
	not container.resources[kind][quantity]
	msg := sprintf(
		"%s container %q: resources.%s.%s is missing; declare cpu and memory requests and limits",
		[target(resource), name, kind, quantity],
	)
}

# runAsNonRoot may be set on the pod and inherited; a container can only override it.
runs_as_non_root(_, container) if container.securityContext.runAsNonRoot == true

runs_as_non_root(spec, container) if {
	spec.securityContext.runAsNonRoot == true
	not container.securityContext.runAsNonRoot == false
}

violations contains {"rule": "K8S-003", "target": target(resource), "msg": msg} if {
	some workload in workloads
	resource := workload.resource
	some container in containers(workload.spec)
	name := object.get(container, "name", "unnamed")
	not runs_as_non_root(workload.spec, container)
	msg := sprintf(
		"%s container %q: set securityContext.runAsNonRoot: true (on the container or the pod)",
		[target(resource), name],
	)
}

violations contains {"rule": "K8S-004", "target": target(resource), "msg": msg} if {
	some workload in workloads
	resource := workload.resource
	some container in containers(workload.spec)
	name := object.get(container, "name", "unnamed")
	not container.securityContext.allowPrivilegeEscalation == false
	msg := sprintf(
		"%s container %q: set securityContext.allowPrivilegeEscalation: false",
		[target(resource), name],
	)
}

violations contains {"rule": "K8S-005", "target": target(resource), "msg": msg} if {
	some workload in workloads
	resource := workload.resource
	some container in containers(workload.spec)
	name := object.get(container, "name", "unnamed")
	not container.securityContext.readOnlyRootFilesystem == true
	msg := sprintf(
		"%s container %q: set securityContext.readOnlyRootFilesystem: true (mount an emptyDir for scratch space)",
		[target(resource), name],
	)
}

violations contains {"rule": "K8S-006", "target": target(resource), "msg": msg} if {
	some workload in workloads
	resource := workload.resource
	long_running(resource)
	some container in object.get(workload.spec, "containers", [])
	name := object.get(container, "name", "unnamed")
	some probe in ["livenessProbe", "readinessProbe"]
	not container[probe]
	msg := sprintf(
		"%s container %q: %s is missing (the service kit serves /livez and /readyz)",
		[target(resource), name, probe],
	)
}

violations contains {"rule": "K8S-007", "target": target(resource), "msg": msg} if {
	some workload in workloads
	resource := workload.resource
	some field in ["hostNetwork", "hostPID", "hostIPC"]
	workload.spec[field] == true
	msg := sprintf("%s: %s: true shares the node's namespace with the pod; remove it", [target(resource), field])
}

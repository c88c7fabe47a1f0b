# Terraform data-protection baseline, run against a plan in JSON:
#
#   terraform -chdir=infra/terraform/envs/<env> plan -out=tfplan
#   terraform -chdir=infra/terraform/envs/<env> show -json tfplan > plan.json
#
# The plan, not the HCL, is the input because it is what will be applied: module
# inputs, variables and defaults are resolved, and `resource_changes[].change.after`
# holds each resource's final attributes. Resources being deleted are skipped.
# Findings are waivable per resource address (e.g. `module.storage.aws_s3_bucket.logs`).
package terraform

import data.lib.exceptions

deny contains sprintf("%s: %s", [v.rule, v.msg]) if {
	some v in violations
	not exceptions.waived(v.rule, v.target)
}

# Managed resources that exist after the apply, with their planned attributes.
resources contains rc if {
	some rc in object.get(input, "resource_changes", [])
	object.get(rc, "mode", "managed") == "managed"
	is_object(rc.change.after)
}

of_type(type) := {rc | some rc in resources; rc.type == type}

# Provider versions differ on whether some flags are booleans or strings.
enabled(value) if value == true

enabled(value) if value == "true"

# TF-001: no public canned ACL and no grant to all (or all authenticated) AWS users.
public_acls := {"public-read", "public-read-write", "authenticated-read"}

public_groups := {
	"http://acs.amazonaws.com/groups/global/AllUsers",
	"http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
}

violations contains {"rule": "TF-001", "target": rc.address, "msg": msg} if {
	some rc in resources
	rc.type in {"aws_s3_bucket", "aws_s3_bucket_acl"}
	rc.change.after.acl in public_acls
	msg := sprintf("%s: canned ACL %q makes the bucket public; use private and grant access through policies", [rc.address, rc.change.after.acl])
}

violations contains {"rule": "TF-001", "target": rc.address, "msg": msg} if {
	some rc in of_type("aws_s3_bucket_acl")
	some policy in object.get(rc.change.after, "access_control_policy", [])
	some grant in object.get(policy, "grant", [])
	some grantee in object.get(grant, "grantee", [])
	grantee.uri in public_groups
	msg := sprintf("%s: grants %s to %s; remove the grant", [rc.address, grant.permission, grantee.uri])
}

# TF-002: every bucket is covered by a public access block with all four settings on,
# either account-wide or its own. A bucket's own block is matched by bucket name when
# the name is known at plan time, else through the configuration's reference to the
# bucket resource (`bucket = aws_s3_bucket.logs.id`) in the same module.
blocks_everything(after) if {
	every setting in ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"] {
		after[setting] == true
	}
}

account_blocked if {
	some rc in of_type("aws_s3_account_public_access_block")
	blocks_everything(rc.change.after)
}

bucket_blocks contains rc if {
	some rc in of_type("aws_s3_bucket_public_access_block")
	blocks_everything(rc.change.after)
}

blocked(_) if account_blocked

blocked(bucket) if {
	some block in bucket_blocks
	is_string(bucket.change.after.bucket)
	block.change.after.bucket == bucket.change.after.bucket
}

blocked(bucket) if {
	some block in bucket_blocks
	object.get(block, "module_address", "") == object.get(bucket, "module_address", "")
	some reference in references(block, "bucket")
	refers_to(reference, sprintf("%s.%s", [bucket.type, bucket.name]))
}

refers_to(reference, resource) if reference == resource

refers_to(reference, resource) if startswith(reference, concat("", [resource, "."]))

refers_to(reference, resource) if startswith(reference, concat("", [resource, "["]))

# The configuration block of a module: `module.a[0].module.b` lives at
# configuration.root_module.module_calls.a.module.module_calls.b.module.
module_config(rc) := object.get(input, ["configuration", "root_module"], {}) if {
	not rc.module_address
}

module_config(rc) := object.get(input, array.concat(["configuration", "root_module"], path), {}) if {
	matches := regex.find_all_string_submatch_n(`module\.([^.\[]+)`, rc.module_address, -1)
	path := [segment | some match in matches; some segment in ["module_calls", match[1], "module"]]
}

references(rc, attribute) := [reference |
	some resource in object.get(module_config(rc), "resources", [])
	resource.address == sprintf("%s.%s", [rc.type, rc.name])
	some reference in object.get(resource, ["expressions", attribute, "references"], [])
]

violations contains {"rule": "TF-002", "target": rc.address, "msg": msg} if {
	some rc in of_type("aws_s3_bucket")
	not blocked(rc)
	msg := sprintf(
		"%s: no aws_s3_bucket_public_access_block with all four settings true covers this bucket",
		[rc.address],
	)
}

# TF-003: database storage is encrypted. A read replica inherits its source's
# encryption, which is checked on the source.
violations contains {"rule": "TF-003", "target": rc.address, "msg": msg} if {
	some rc in resources
	rc.type in {"aws_db_instance", "aws_rds_cluster"}
	not rc.change.after.replicate_source_db
	not enabled(rc.change.after.storage_encrypted)
	msg := sprintf("%s: storage_encrypted must be true", [rc.address])
}

# TF-004: databases are reachable only from inside the VPC.
violations contains {"rule": "TF-004", "target": rc.address, "msg": msg} if {
	some rc in resources
	rc.type in {"aws_db_instance", "aws_rds_cluster_instance"}
	enabled(rc.change.after.publicly_accessible)
	msg := sprintf("%s: publicly_accessible must be false; reach the database from inside the VPC", [rc.address])
}

# TF-005: cache data is encrypted at rest and in transit.
violations contains {"rule": "TF-005", "target": rc.address, "msg": msg} if {
	some rc in of_type("aws_elasticache_replication_group")
	some setting in ["at_rest_encryption_enabled", "transit_encryption_enabled"]
	not enabled(rc.change.after[setting])
	msg := sprintf("%s: %s must be true", [rc.address, setting])
}

# TF-006: EBS volumes are encrypted, explicitly or by the account-wide default the
# same plan turns on.
ebs_default_encryption if {
	some rc in of_type("aws_ebs_encryption_by_default")
	object.get(rc.change.after, "enabled", true) == true
}

violations contains {"rule": "TF-006", "target": rc.address, "msg": msg} if {
	some rc in of_type("aws_ebs_volume")
	not enabled(rc.change.after.encrypted)
	not ebs_default_encryption
	msg := sprintf("%s: encrypted must be true (or enable aws_ebs_encryption_by_default)", [rc.address])
}

# TF-007: symmetric KMS keys rotate yearly. Asymmetric and HMAC keys cannot rotate
# automatically, so the rule does not apply to them.
violations contains {"rule": "TF-007", "target": rc.address, "msg": msg} if {
	some rc in of_type("aws_kms_key")
	object.get(rc.change.after, "customer_master_key_spec", "SYMMETRIC_DEFAULT") in {"SYMMETRIC_DEFAULT", null}
	not enabled(rc.change.after.enable_key_rotation)
	msg := sprintf("%s: enable_key_rotation must be true", [rc.address])
}

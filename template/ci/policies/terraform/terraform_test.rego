# Unit tests for terraform.rego: one passing and one failing plan per rule.
package terraform_test

import data.terraform

change(type, name, after) := {
	"address": sprintf("%s.%s", [type, name]),
	"mode": "managed",
	"type": type,
	"name": name,
	"change": {"actions": ["create"], "after": after},
}

blocks_all := {
	"block_public_acls": true,
	"block_public_policy": true,
	"ignore_public_acls": true,
	"restrict_public_buckets": true,
}

plan(changes) := {"format_version": "1.2", "resource_changes": changes}

ids(input_plan) := {split(msg, ":")[0] | some msg in found} if {
	found := terraform.deny with input as input_plan
		with data.exceptions as []
		with data.today as "2025-01-01"
}

private_bucket := [
	change("aws_s3_bucket", "logs", {"bucket": "acme-logs"}),
	change("aws_s3_bucket_public_access_block", "logs", object.union(blocks_all, {"bucket": "acme-logs"})),
]

test_empty_and_hcl_inputs_pass if {
	count(ids(plan([]))) == 0
	count(ids({"resource": {"aws_s3_bucket": {}}})) == 0
}

test_deleted_resources_are_skipped if {
	deleted := {
		"address": "aws_ebs_volume.old", "mode": "managed", "type": "aws_ebs_volume", "name": "old",
		"change": {"actions": ["delete"], "before": {"encrypted": false}, "after": null},
	}
	count(ids(plan([deleted]))) == 0
}

test_tf_001_private_bucket_passes if {
	acl := change("aws_s3_bucket_acl", "logs", {"bucket": "acme-logs", "acl": "private"})
	count(ids(plan(array.concat(private_bucket, [acl])))) == 0
}

test_tf_001_public_canned_acl_fails if {
	acl := change("aws_s3_bucket_acl", "logs", {"bucket": "acme-logs", "acl": "public-read"})
	ids(plan(array.concat(private_bucket, [acl]))) == {"TF-001"}
}

test_tf_001_grant_to_all_users_fails if {
	grant := {
		"permission": "READ",
		"grantee": [{"type": "Group", "uri": "http://acs.amazonaws.com/groups/global/AllUsers"}],
	}
	acl := change("aws_s3_bucket_acl", "logs", {"bucket": "acme-logs", "access_control_policy": [{"grant": [grant]}]})
	ids(plan(array.concat(private_bucket, [acl]))) == {"TF-001"}
}

test_tf_002_bucket_without_access_block_fails if {
	ids(plan([change("aws_s3_bucket", "logs", {"bucket": "acme-logs"})])) == {"TF-002"}
}

test_tf_002_partial_access_block_fails if {
	block := change("aws_s3_bucket_public_access_block", "logs", object.union(blocks_all, {"bucket": "acme-logs", "block_public_policy": false}))
	ids(plan([change("aws_s3_bucket", "logs", {"bucket": "acme-logs"}), block])) == {"TF-002"}
}

test_tf_002_account_wide_block_passes if {
	account := change("aws_s3_account_public_access_block", "this", blocks_all)
	count(ids(plan([change("aws_s3_bucket", "logs", {"bucket": "acme-logs"}), account]))) == 0
}

test_tf_002_block_matched_through_configuration_references if {
	# The bucket name is generated (bucket_prefix), so it is unknown at plan time.
	bucket := object.union(change("aws_s3_bucket", "this", {}), {
		"address": "module.storage.aws_s3_bucket.this",
		"module_address": "module.storage",
	})
	block := object.union(change("aws_s3_bucket_public_access_block", "this", blocks_all), {
		"address": "module.storage.aws_s3_bucket_public_access_block.this",
		"module_address": "module.storage",
	})
	configuration := {"root_module": {"module_calls": {"storage": {"module": {"resources": [{
		"address": "aws_s3_bucket_public_access_block.this",
		"mode": "managed",
		"expressions": {"bucket": {"references": ["aws_s3_bucket.this.id", "aws_s3_bucket.this"]}},
	}]}}}}}
	count(ids(object.union(plan([bucket, block]), {"configuration": configuration}))) == 0
	ids(plan([bucket, block])) == {"TF-002"}
}

test_tf_003_encrypted_database_passes if {
	count(ids(plan([change("aws_db_instance", "main", {"storage_encrypted": true, "publicly_accessible": false})]))) == 0
	count(ids(plan([change("aws_rds_cluster", "main", {"storage_encrypted": true})]))) == 0
}

test_tf_003_unencrypted_database_fails if {
	ids(plan([change("aws_db_instance", "main", {"storage_encrypted": false})])) == {"TF-003"}
	ids(plan([change("aws_rds_cluster", "main", {})])) == {"TF-003"}
}

test_tf_003_read_replica_inherits_encryption if {
	replica := change("aws_db_instance", "replica", {"replicate_source_db": "main", "storage_encrypted": false})
	count(ids(plan([replica]))) == 0
}

test_tf_004_public_database_fails if {
	ids(plan([change("aws_db_instance", "main", {"storage_encrypted": true, "publicly_accessible": true})])) == {"TF-004"}
	ids(plan([change("aws_rds_cluster_instance", "main", {"publicly_accessible": true})])) == {"TF-004"}
}

test_tf_004_private_cluster_instance_passes if {
	count(ids(plan([change("aws_rds_cluster_instance", "main", {"publicly_accessible": false})]))) == 0
}

test_tf_005_encrypted_cache_passes if {
	after := {"at_rest_encryption_enabled": "true", "transit_encryption_enabled": true}
	count(ids(plan([change("aws_elasticache_replication_group", "cache", after)]))) == 0
}

test_tf_005_unencrypted_cache_fails if {
	every after in [{"at_rest_encryption_enabled": true}, {"transit_encryption_enabled": true}] {
		ids(plan([change("aws_elasticache_replication_group", "cache", after)])) == {"TF-005"}
	}
}

test_tf_006_encrypted_volume_passes if {
	count(ids(plan([change("aws_ebs_volume", "data", {"encrypted": true})]))) == 0
	default_on := change("aws_ebs_encryption_by_default", "this", {"enabled": true})
	count(ids(plan([change("aws_ebs_volume", "data", {}), default_on]))) == 0
}

test_tf_006_unencrypted_volume_fails if {
	ids(plan([change("aws_ebs_volume", "data", {"encrypted": false})])) == {"TF-006"}
}

test_tf_007_rotating_key_passes if {
	count(ids(plan([change("aws_kms_key", "main", {"enable_key_rotation": true})]))) == 0
	asymmetric := {"customer_master_key_spec": "RSA_2048", "enable_key_rotation": false}
	count(ids(plan([change("aws_kms_key", "signing", asymmetric)]))) == 0
}

test_tf_007_key_without_rotation_fails if {
	ids(plan([change("aws_kms_key", "main", {"enable_key_rotation": false})])) == {"TF-007"}
}

test_exception_waives_by_address if {
	exception := {
		"rule": "TF-007", "target": "aws_kms_key.*", "owner": "team-data",
		"reason": "key is imported from an HSM", "expires": "2025-06-30",
	}
	count(terraform.deny) == 0 with input as plan([change("aws_kms_key", "main", {})])
		with data.exceptions as [exception]
		with data.today as "2025-01-01"
}

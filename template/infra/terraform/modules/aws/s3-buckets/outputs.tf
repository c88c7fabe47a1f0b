output "bucket_ids" {
  description = "Name of each bucket, by short name."
  value       = { for name, bucket in aws_s3_bucket.this : name => bucket.id }
}

output "bucket_arns" {
  description = "ARN of each bucket, by short name (for IAM policies and AWS Backup selections)."
  value       = { for name, bucket in aws_s3_bucket.this : name => bucket.arn }
}

output "access_log_bucket_id" {
  description = "Name of the bucket holding the server access logs (null when access_logging is off)."
  value       = var.access_logging ? aws_s3_bucket.access_logs[0].id : null
}

output "replication_role_arn" {
  description = "IAM role S3 replicates with (null when nothing is replicated)."
  value       = length(local.replicated) > 0 ? aws_iam_role.replication[0].arn : null
}

output "replication_group_id" {
  description = "ID of the replication group."
  value       = aws_elasticache_replication_group.this.id
}

output "replication_group_arn" {
  description = "ARN of the replication group, the resource of elasticache:Connect policies."
  value       = aws_elasticache_replication_group.this.arn
}

output "primary_endpoint_address" {
  description = "Host name for writes (TLS only)."
  value       = aws_elasticache_replication_group.this.primary_endpoint_address
}

output "reader_endpoint_address" {
  description = "Host name that spreads reads over the replicas (TLS only)."
  value       = aws_elasticache_replication_group.this.reader_endpoint_address
}

output "port" {
  description = "Port Redis listens on."
  value       = aws_elasticache_replication_group.this.port
}

output "app_user_id" {
  description = "User the application connects as (its IAM token is signed for this user)."
  value       = aws_elasticache_user.app.user_id
}

output "app_user_arn" {
  description = "ARN of the application user, the other resource of elasticache:Connect policies."
  value       = aws_elasticache_user.app.arn
}

output "security_group_id" {
  description = "Security group of the cache."
  value       = aws_security_group.this.id
}

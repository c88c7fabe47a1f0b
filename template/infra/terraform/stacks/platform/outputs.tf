output "name" {
  description = "Prefix of the environment's resource names (<project>-<environment>)."
  value       = local.name
}

output "vpc_id" {
  description = "ID of the environment's VPC."
  value       = module.network.vpc_id
}

output "cluster_name" {
  description = "Name of the EKS cluster (aws eks update-kubeconfig --name <this>)."
  value       = module.eks.cluster_name
}

output "cluster_endpoint" {
  description = "Kubernetes API endpoint (reachable from inside the VPC)."
  value       = module.eks.cluster_endpoint
}

output "oidc_provider_arn" {
  description = "IRSA OIDC provider of the cluster, for service account roles."
  value       = module.eks.oidc_provider_arn
}

output "database_address" {
  description = "Host name of the PostgreSQL endpoint."
  value       = module.database.address
}

output "database_master_user_secret_arn" {
  description = "Secrets Manager secret with the rotated master password."
  value       = module.database.master_user_secret_arn
}

output "cache_primary_endpoint" {
  description = "Host name of the Redis primary (TLS, IAM-authenticated user)."
  value       = module.cache.primary_endpoint_address
}

output "bucket_ids" {
  description = "Buckets of the environment, by short name."
  value       = module.buckets.bucket_ids
}

output "backup_vault_name" {
  description = "AWS Backup vault holding the database and bucket recovery points."
  value       = module.backup.vault_name
}

output "budget_alert_topic_arn" {
  description = "SNS topic budget alerts go to; subscribe chat or paging integrations here."
  value       = aws_sns_topic.budget_alerts.arn
}

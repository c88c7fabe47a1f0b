# prod: one NAT gateway per zone, Multi-AZ database and cache with deletion
# protection, larger nodes, 35 days of backups plus monthly ones kept for a year in a
# locked vault, and copies in dr_region once it is set.

module "platform" {
  source = "../../stacks/platform"

  providers = {
    aws    = aws
    aws.dr = aws.dr
  }

  project                 = var.project
  environment             = "prod"
  region                  = var.region
  dr_region               = var.dr_region
  tags                    = local.tags
  cluster_admin_role_arns = var.cluster_admin_role_arns
  monthly_budget_usd      = var.monthly_budget_usd
  budget_alert_thresholds = var.budget_alert_thresholds
  budget_alert_emails     = var.budget_alert_emails

  vpc_cidr           = var.vpc_cidr
  single_nat_gateway = false
  node_group = {
    instance_types = ["m7i.xlarge"]
    min_size       = 3
    max_size       = 9
    desired_size   = 3
  }
  database = {
    instance_class                      = "db.m7g.large"
    multi_az                            = true
    deletion_protection                 = true
    backup_retention_days               = 35
    performance_insights_retention_days = 31
  }
  cache = {
    node_type          = "cache.m7g.large"
    num_cache_clusters = 3
  }
  # No recovery point can be deleted within its first seven days unless someone
  # first removes the lock (governance mode).
  backups = {
    daily_retention_days   = 35
    monthly_retention_days = 365
    vault_lock = {
      min_retention_days = 7
      max_retention_days = 400
    }
  }
}

# A warning, not an error: prod without a second region still plans and applies.
check "disaster_recovery_region" {
  assert {
    condition     = var.dr_region != null
    error_message = "prod has no dr_region: backups and bucket replicas stay in ${var.region}. Set dr_region to copy them to a second region."
  }
}

output "platform" {
  description = "The composition's outputs (cluster_name, database_address, bucket_ids, ...); read one with terraform output -json platform | jq -r .cluster_name."
  value       = module.platform
}

# stage: production's topology at a smaller size, to rehearse releases, failovers and
# restores. Multi-AZ database and cache, deletion protection; one NAT gateway to save
# cost, since a zone outage in stage only delays testing.

module "platform" {
  source = "../../stacks/platform"

  providers = {
    aws    = aws
    aws.dr = aws.dr
  }

  project                 = var.project
  environment             = "stage"
  region                  = var.region
  dr_region               = var.dr_region
  tags                    = local.tags
  cluster_admin_role_arns = var.cluster_admin_role_arns
  monthly_budget_usd      = var.monthly_budget_usd
  budget_alert_thresholds = var.budget_alert_thresholds
  budget_alert_emails     = var.budget_alert_emails

  vpc_cidr           = var.vpc_cidr
  single_nat_gateway = true
  node_group = {
    instance_types = ["m7i.large"]
    min_size       = 2
    max_size       = 4
    desired_size   = 2
  }
  database = {
    instance_class        = "db.t4g.medium"
    multi_az              = true
    deletion_protection   = true
    backup_retention_days = 14
  }
  cache = {
    node_type          = "cache.t4g.small"
    num_cache_clusters = 2
  }
  backups = {
    daily_retention_days = 14
  }
}

output "platform" {
  description = "The composition's outputs (cluster_name, database_address, bucket_ids, ...); read one with terraform output -json platform | jq -r .cluster_name."
  value       = module.platform
}

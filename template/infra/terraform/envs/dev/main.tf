# dev: the smallest environment that still looks like production. One NAT gateway,
# a single-AZ database and cache, small nodes; the same composition, the same
# encryption as stage and prod.

module "platform" {
  #checkov:skip=CKV_AWS_157:dev runs a single-AZ database to halve its cost; stage and prod are Multi-AZ
  #checkov:skip=CKV_AWS_293:dev databases are disposable; stage and prod turn deletion protection on
  source = "../../stacks/platform"

  providers = {
    aws    = aws
    aws.dr = aws.dr
  }

  project                 = var.project
  environment             = "dev"
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
    instance_types = ["t3.large"]
    min_size       = 1
    max_size       = 3
    desired_size   = 2
  }
  database = {
    instance_class        = "db.t4g.small"
    multi_az              = false
    deletion_protection   = false
    backup_retention_days = 7
  }
  cache = {
    node_type          = "cache.t4g.micro"
    num_cache_clusters = 1
  }
  backups = {
    daily_retention_days = 7
  }
}

output "platform" {
  description = "The composition's outputs (cluster_name, database_address, bucket_ids, ...); read one with terraform output -json platform | jq -r .cluster_name."
  value       = module.platform
}

# prod: one NAT gateway per zone, Multi-AZ database and cache with deletion
# protection, larger nodes, 35 days of backups plus monthly ones kept for a year in a
# locked vault, and copies in dr_region once it is set.

locals {
  environment = "prod"
  name        = "${var.project}-${local.environment}"
  azs         = [for zone in ["a", "b", "c"] : "${var.region}${zone}"]
  dr          = var.dr_region != null

  tags = {
    Project     = var.project
    Environment = local.environment
    Owner       = var.owner
    CostCenter  = var.cost_center
    ManagedBy   = "terraform"
    Repository  = var.repository
  }
}

module "kms" {
  source = "../../modules/aws/kms"

  name = local.name
  keys = {
    eks  = { description = "Kubernetes Secrets of ${local.name}" }
    logs = { description = "CloudWatch log groups of ${local.name}", cloudwatch_logs = true }
    # S3 log delivery encrypts the buckets' access logs with this key too.
    data = {
      description        = "Database, cache, buckets and backups of ${local.name}"
      service_principals = ["logging.s3.amazonaws.com"]
    }
    # AWS Budgets publishes to the encrypted alert topic.
    alerts = {
      description        = "Budget alert topic of ${local.name}"
      service_principals = ["budgets.amazonaws.com"]
    }
  }
  tags = local.tags
}

module "network" {
  source = "../../modules/aws/networking-core"

  name                  = local.name
  cidr_block            = var.vpc_cidr
  availability_zones    = local.azs
  single_nat_gateway    = false
  flow_logs_kms_key_arn = module.kms.key_arns["logs"]
  tags                  = local.tags
}

module "eks" {
  source = "../../modules/aws/eks-cluster"

  name                = local.name
  subnet_ids          = module.network.private_subnet_ids
  secrets_kms_key_arn = module.kms.key_arns["eks"]
  logs_kms_key_arn    = module.kms.key_arns["logs"]
  admin_role_arns     = var.cluster_admin_role_arns
  node_group = {
    instance_types = ["m7i.xlarge"]
    min_size       = 3
    max_size       = 9
    desired_size   = 3
  }
  tags = local.tags
}

module "database" {
  source = "../../modules/aws/rds-postgres"

  name                                = local.name
  vpc_id                              = module.network.vpc_id
  subnet_ids                          = module.network.database_subnet_ids
  allowed_security_groups             = { eks_nodes = module.eks.cluster_security_group_id }
  instance_class                      = "db.m7g.large"
  multi_az                            = true
  deletion_protection                 = true
  backup_retention_days               = 35
  performance_insights_retention_days = 31
  kms_key_arn                         = module.kms.key_arns["data"]
  logs_kms_key_arn                    = module.kms.key_arns["logs"]
  tags                                = local.tags
}

module "cache" {
  source = "../../modules/aws/elasticache-redis"

  # Replication group IDs are limited to 40 characters.
  name                    = trimsuffix(substr(local.name, 0, 36), "-")
  vpc_id                  = module.network.vpc_id
  subnet_ids              = module.network.database_subnet_ids
  allowed_security_groups = { eks_nodes = module.eks.cluster_security_group_id }
  node_type               = "cache.m7g.large"
  num_cache_clusters      = 3
  kms_key_arn             = module.kms.key_arns["data"]
  logs_kms_key_arn        = module.kms.key_arns["logs"]
  tags                    = local.tags
}

module "buckets" {
  source = "../../modules/aws/s3-buckets"

  name = local.name
  buckets = {
    # Application objects.
    data = { transition_to_ia_days = 90 }
    # Velero's cluster backups (Kubernetes objects and volume snapshots metadata).
    velero = { noncurrent_version_expiration_days = 30 }
  }
  kms_key_arn = module.kms.key_arns["data"]
  replication = local.dr ? {
    destination_bucket_arns = module.dr_buckets[0].bucket_arns
    destination_kms_key_arn = module.dr_kms[0].key_arns["data"]
  } : null
  tags = local.tags
}

module "backup" {
  source = "../../modules/aws/backup"

  name        = local.name
  kms_key_arn = module.kms.key_arns["data"]
  # After the database's own backup window (03:00-04:00 UTC) and maintenance window.
  rules = [
    {
      name              = "daily"
      schedule          = "cron(0 6 * * ? *)"
      delete_after_days = 35
      copy_to_vault_arn = local.dr ? module.dr_backup_vault[0].vault_arn : null
    },
    {
      name              = "monthly"
      schedule          = "cron(0 8 1 * ? *)"
      delete_after_days = 365
      copy_to_vault_arn = local.dr ? module.dr_backup_vault[0].vault_arn : null
    },
  ]
  # Governance mode: deleting a recovery point early first needs the right to remove
  # the lock (backup:DeleteBackupVaultLockConfiguration).
  vault_lock = {
    min_retention_days = 7
    max_retention_days = 400
  }
  resource_arns = [module.database.db_instance_arn, module.buckets.bucket_arns["data"]]
  tags          = local.tags
}

# Disaster-recovery region (only when dr_region is set)

module "dr_kms" {
  source = "../../modules/aws/kms"
  count  = local.dr ? 1 : 0

  providers = {
    aws = aws.dr
  }

  name = "${local.name}-dr"
  keys = {
    data = {
      description        = "Bucket replicas and backup copies of ${local.name}"
      service_principals = ["logging.s3.amazonaws.com"]
    }
  }
  tags = local.tags
}

module "dr_buckets" {
  source = "../../modules/aws/s3-buckets"
  count  = local.dr ? 1 : 0

  providers = {
    aws = aws.dr
  }

  name = "${local.name}-dr"
  buckets = {
    data   = {}
    velero = { noncurrent_version_expiration_days = 30 }
  }
  kms_key_arn = module.dr_kms[0].key_arns["data"]
  tags        = local.tags
}

module "dr_backup_vault" {
  source = "../../modules/aws/backup"
  count  = local.dr ? 1 : 0

  providers = {
    aws = aws.dr
  }

  name        = "${local.name}-dr"
  kms_key_arn = module.dr_kms[0].key_arns["data"]
  tags        = local.tags
}

# A warning, not an error: prod without a second region still plans and applies.
check "disaster_recovery_region" {
  assert {
    condition     = var.dr_region != null
    error_message = "prod has no dr_region: backups and bucket replicas stay in ${var.region}. Set dr_region to copy them to a second region."
  }
}

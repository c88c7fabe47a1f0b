# The platform of one environment: network, Kubernetes cluster, database, cache,
# buckets, backups and budget, wired together once. The environment stacks in
# ../../envs call this with their sizing; everything else is the same everywhere,
# including the encryption and the tags.

locals {
  name = "${var.project}-${var.environment}"
  azs  = [for zone in ["a", "b", "c"] : "${var.region}${zone}"]
  dr   = var.dr_region != null

  # Backup copies go to the vault in dr_region when there is one.
  backup_copy_vault_arn = local.dr ? module.dr_backup_vault[0].vault_arn : null
  # After the database's own backup window (03:00-04:00 UTC) and maintenance window.
  backup_rules = concat(
    [{
      name              = "daily"
      schedule          = "cron(0 6 * * ? *)"
      delete_after_days = var.backups.daily_retention_days
      copy_to_vault_arn = local.backup_copy_vault_arn
    }],
    var.backups.monthly_retention_days == null ? [] : [{
      name              = "monthly"
      schedule          = "cron(0 8 1 * ? *)"
      delete_after_days = var.backups.monthly_retention_days
      copy_to_vault_arn = local.backup_copy_vault_arn
    }],
  )
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
  tags = var.tags
}

module "network" {
  source = "../../modules/aws/networking-core"

  name                  = local.name
  cidr_block            = var.vpc_cidr
  availability_zones    = local.azs
  single_nat_gateway    = var.single_nat_gateway
  flow_logs_kms_key_arn = module.kms.key_arns["logs"]
  tags                  = var.tags
}

module "eks" {
  source = "../../modules/aws/eks-cluster"

  name                = local.name
  subnet_ids          = module.network.private_subnet_ids
  secrets_kms_key_arn = module.kms.key_arns["eks"]
  logs_kms_key_arn    = module.kms.key_arns["logs"]
  admin_role_arns     = var.cluster_admin_role_arns
  node_group          = var.node_group
  tags                = var.tags
}

module "database" {
  source = "../../modules/aws/rds-postgres"

  name                                = local.name
  vpc_id                              = module.network.vpc_id
  subnet_ids                          = module.network.database_subnet_ids
  allowed_security_groups             = { eks_nodes = module.eks.cluster_security_group_id }
  instance_class                      = var.database.instance_class
  multi_az                            = var.database.multi_az
  deletion_protection                 = var.database.deletion_protection
  backup_retention_days               = var.database.backup_retention_days
  performance_insights_retention_days = var.database.performance_insights_retention_days
  kms_key_arn                         = module.kms.key_arns["data"]
  logs_kms_key_arn                    = module.kms.key_arns["logs"]
  tags                                = var.tags
}

module "cache" {
  source = "../../modules/aws/elasticache-redis"

  # Replication group IDs are limited to 40 characters.
  name                    = trimsuffix(substr(local.name, 0, 36), "-")
  vpc_id                  = module.network.vpc_id
  subnet_ids              = module.network.database_subnet_ids
  allowed_security_groups = { eks_nodes = module.eks.cluster_security_group_id }
  node_type               = var.cache.node_type
  num_cache_clusters      = var.cache.num_cache_clusters
  kms_key_arn             = module.kms.key_arns["data"]
  logs_kms_key_arn        = module.kms.key_arns["logs"]
  tags                    = var.tags
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
  tags = var.tags
}

module "backup" {
  source = "../../modules/aws/backup"

  name          = local.name
  kms_key_arn   = module.kms.key_arns["data"]
  rules         = local.backup_rules
  resource_arns = [module.database.db_instance_arn, module.buckets.bucket_arns["data"]]
  # Governance mode: deleting a recovery point early first needs the right to remove
  # the lock (backup:DeleteBackupVaultLockConfiguration).
  vault_lock = var.backups.vault_lock
  tags       = var.tags
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
  tags = var.tags
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
  tags        = var.tags
}

module "dr_backup_vault" {
  source = "../../modules/aws/backup"
  count  = local.dr ? 1 : 0

  providers = {
    aws = aws.dr
  }

  name        = "${local.name}-dr"
  kms_key_arn = module.dr_kms[0].key_arns["data"]
  tags        = var.tags
}

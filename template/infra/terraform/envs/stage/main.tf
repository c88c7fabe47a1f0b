# stage: production's topology at a smaller size, to rehearse releases, failovers and
# restores. Multi-AZ database and cache, deletion protection; one NAT gateway to save
# cost, since a zone outage in stage only delays testing.

locals {
  environment = "stage"
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
  single_nat_gateway    = true
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
    instance_types = ["m7i.large"]
    min_size       = 2
    max_size       = 4
    desired_size   = 2
  }
  tags = local.tags
}

module "database" {
  source = "../../modules/aws/rds-postgres"

  name                    = local.name
  vpc_id                  = module.network.vpc_id
  subnet_ids              = module.network.database_subnet_ids
  allowed_security_groups = { eks_nodes = module.eks.cluster_security_group_id }
  instance_class          = "db.t4g.medium"
  multi_az                = true
  deletion_protection     = true
  backup_retention_days   = 14
  kms_key_arn             = module.kms.key_arns["data"]
  logs_kms_key_arn        = module.kms.key_arns["logs"]
  tags                    = local.tags
}

module "cache" {
  source = "../../modules/aws/elasticache-redis"

  # Replication group IDs are limited to 40 characters.
  name                    = trimsuffix(substr(local.name, 0, 36), "-")
  vpc_id                  = module.network.vpc_id
  subnet_ids              = module.network.database_subnet_ids
  allowed_security_groups = { eks_nodes = module.eks.cluster_security_group_id }
  node_type               = "cache.t4g.small"
  num_cache_clusters      = 2
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
  rules = [{
    name              = "daily"
    schedule          = "cron(0 6 * * ? *)"
    delete_after_days = 14
    copy_to_vault_arn = local.dr ? module.dr_backup_vault[0].vault_arn : null
  }]
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

# Every resource the provider creates carries the cost allocation tags. Resources it
# cannot tag directly get local.tags from the modules instead: instances, volumes and
# network interfaces of the node group (launch template), RDS snapshots (copied from
# the instance) and backup recovery points.
provider "aws" {
  region              = var.region
  allowed_account_ids = var.account_id == null ? null : [var.account_id]

  default_tags {
    tags = local.tags
  }
}

# The disaster-recovery region: backup copies and bucket replicas. Unused while
# dr_region is unset.
provider "aws" {
  alias               = "dr"
  region              = coalesce(var.dr_region, var.region)
  allowed_account_ids = var.account_id == null ? null : [var.account_id]

  default_tags {
    tags = local.tags
  }
}

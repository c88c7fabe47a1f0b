# Every resource the providers create carries the cost allocation tags; the budget of
# this environment filters on Environment. What default_tags cannot reach (node group
# instances and volumes, RDS snapshots, backup recovery points) gets the same tags
# through the composition.
locals {
  tags = {
    Project     = var.project
    Environment = "dev"
    Owner       = var.owner
    CostCenter  = var.cost_center
    ManagedBy   = "terraform"
    Repository  = var.repository
  }
}

provider "aws" {
  region              = var.region
  allowed_account_ids = var.account_id == null ? null : [var.account_id]

  default_tags {
    tags = local.tags
  }
}

# The disaster-recovery region: backup copies and bucket replicas. Nothing is created
# through it while dr_region is unset.
provider "aws" {
  alias               = "dr"
  region              = coalesce(var.dr_region, var.region)
  allowed_account_ids = var.account_id == null ? null : [var.account_id]

  default_tags {
    tags = local.tags
  }
}

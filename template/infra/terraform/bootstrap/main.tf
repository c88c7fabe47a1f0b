# Bootstrap: what must exist before any environment stack can run. Applied once per
# account by an administrator, then by hand when it changes:
#   - account guardrails: no public buckets, EBS encrypted by default;
#   - the Terraform state bucket and its key;
#   - the GitHub Actions OIDC provider and CI roles (github.tf).

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  name       = var.project

  tags = {
    Project     = var.project
    Environment = "shared"
    Owner       = var.owner
    CostCenter  = var.cost_center
    ManagedBy   = "terraform"
    Repository  = var.github_repository
  }
}

# Account guardrails

resource "aws_s3_account_public_access_block" "this" {
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_ebs_encryption_by_default" "this" {
  enabled = true
}

# Terraform state

module "kms" {
  source = "../modules/aws/kms"

  name = local.name
  keys = {
    tfstate = {
      description = "Terraform state of ${local.name}"
      # S3 log delivery encrypts the state bucket's access logs with this key too.
      service_principals = ["logging.s3.amazonaws.com"]
    }
  }
  tags = local.tags
}

module "state" {
  source = "../modules/aws/s3-buckets"

  name = local.name
  buckets = {
    # Old state versions are the undo history of every apply: keep them a year.
    tfstate = { noncurrent_version_expiration_days = 365 }
  }
  kms_key_arn = module.kms.key_arns["tfstate"]
  tags        = local.tags
}

resource "aws_ce_cost_allocation_tag" "this" {
  for_each = var.activate_cost_allocation_tags ? toset(keys(local.tags)) : toset([])

  tag_key = each.value
  status  = "Active"
}

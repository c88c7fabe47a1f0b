data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.region

  # The key policy is a resource policy: Resource "*" means "this key".
  # The account statement delegates to IAM, so roles only get a key when an IAM
  # policy grants it; without it a key can become unmanageable, so it stays.
  account_statement = {
    Sid       = "DelegateToIamPolicies"
    Effect    = "Allow"
    Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
    Action    = "kms:*"
    Resource  = "*"
  }

  admin_actions = [
    "kms:CancelKeyDeletion",
    "kms:Create*",
    "kms:Delete*",
    "kms:Describe*",
    "kms:Disable*",
    "kms:Enable*",
    "kms:Get*",
    "kms:List*",
    "kms:Put*",
    "kms:Revoke*",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:Update*",
  ]

  use_actions = [
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey*",
    "kms:ReEncrypt*",
  ]

  # Each optional statement is kept by a for expression's `if`: a conditional cannot
  # choose between lists of differently shaped statements.
  policies = {
    for name, key in var.keys : name => jsonencode({
      Version = "2012-10-17"
      Statement = concat(
        [local.account_statement],
        [for arns in [var.administrator_arns] : {
          Sid       = "KeyAdministrators"
          Effect    = "Allow"
          Principal = { AWS = arns }
          Action    = local.admin_actions
          Resource  = "*"
        } if length(arns) > 0],
        # CloudWatch Logs encrypts with the log group's ARN as encryption context,
        # which limits the grant to log groups of this account and region.
        [for enabled in [key.cloudwatch_logs] : {
          Sid       = "CloudWatchLogs"
          Effect    = "Allow"
          Principal = { Service = "logs.${local.region}.amazonaws.com" }
          Action    = local.use_actions
          Resource  = "*"
          Condition = {
            ArnLike = {
              "kms:EncryptionContext:aws:logs:arn" = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:*"
            }
          }
        } if enabled],
        [for services in [key.service_principals] : {
          Sid       = "AwsServices"
          Effect    = "Allow"
          Principal = { Service = services }
          Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
          Resource  = "*"
          Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
        } if length(services) > 0],
        [for arns in [key.user_arns] : {
          Sid       = "KeyUsers"
          Effect    = "Allow"
          Principal = { AWS = arns }
          Action    = local.use_actions
          Resource  = "*"
        } if length(arns) > 0],
        # Services such as EBS and RDS use the key through grants they create for the
        # resource; only grants for AWS resources are allowed.
        [for arns in [key.user_arns] : {
          Sid       = "KeyUsersGrantsForAwsResources"
          Effect    = "Allow"
          Principal = { AWS = arns }
          Action    = ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"]
          Resource  = "*"
          Condition = { Bool = { "kms:GrantIsForAWSResource" = "true" } }
        } if length(arns) > 0],
      )
    })
  }
}

resource "aws_kms_key" "this" {
  for_each = var.keys

  description             = each.value.description
  enable_key_rotation     = true
  rotation_period_in_days = 365
  deletion_window_in_days = each.value.deletion_window_in_days
  policy                  = local.policies[each.key]

  tags = merge(var.tags, { Name = "${var.name}-${each.key}" })
}

resource "aws_kms_alias" "this" {
  for_each = var.keys

  name          = "alias/${var.name}/${each.key}"
  target_key_id = aws_kms_key.this[each.key].key_id
}

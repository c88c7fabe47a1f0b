data "aws_partition" "current" {}

locals {
  create_plan = length(var.rules) > 0
  partition   = data.aws_partition.current.partition
}

resource "aws_backup_vault" "this" {
  name        = var.name
  kms_key_arn = var.kms_key_arn

  tags = var.tags
}

resource "aws_backup_vault_lock_configuration" "this" {
  count = var.vault_lock == null ? 0 : 1

  backup_vault_name   = aws_backup_vault.this.name
  min_retention_days  = var.vault_lock.min_retention_days
  max_retention_days  = var.vault_lock.max_retention_days
  changeable_for_days = var.vault_lock.changeable_for_days
}

resource "aws_backup_plan" "this" {
  count = local.create_plan ? 1 : 0

  name = var.name

  dynamic "rule" {
    for_each = var.rules

    content {
      rule_name           = rule.value.name
      target_vault_name   = aws_backup_vault.this.name
      schedule            = rule.value.schedule
      start_window        = rule.value.start_window_minutes
      completion_window   = rule.value.completion_window_minutes
      recovery_point_tags = var.tags

      lifecycle {
        delete_after       = rule.value.delete_after_days
        cold_storage_after = rule.value.cold_storage_after_days
      }

      dynamic "copy_action" {
        for_each = rule.value.copy_to_vault_arn == null ? [] : [rule.value]

        content {
          destination_vault_arn = copy_action.value.copy_to_vault_arn

          lifecycle {
            delete_after = coalesce(copy_action.value.copy_delete_after_days, copy_action.value.delete_after_days)
          }
        }
      }
    }
  }

  tags = var.tags
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["backup.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  count = local.create_plan ? 1 : 0

  name               = "${var.name}-backup"
  assume_role_policy = data.aws_iam_policy_document.trust.json

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "this" {
  for_each = local.create_plan ? toset([
    "service-role/AWSBackupServiceRolePolicyForBackup",
    "service-role/AWSBackupServiceRolePolicyForRestores",
    "AWSBackupServiceRolePolicyForS3Backup",
    "AWSBackupServiceRolePolicyForS3Restore",
  ]) : toset([])

  role       = aws_iam_role.this[0].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/${each.value}"
}

resource "aws_backup_selection" "this" {
  count = local.create_plan ? 1 : 0

  name         = var.name
  plan_id      = aws_backup_plan.this[0].id
  iam_role_arn = aws_iam_role.this[0].arn
  resources    = var.resource_arns
}

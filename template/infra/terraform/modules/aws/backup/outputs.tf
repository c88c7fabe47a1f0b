output "vault_name" {
  description = "Name of the backup vault."
  value       = aws_backup_vault.this.name
}

output "vault_arn" {
  description = "ARN of the backup vault (the destination_vault_arn of copies from other regions)."
  value       = aws_backup_vault.this.arn
}

output "plan_id" {
  description = "ID of the backup plan (null when rules is empty)."
  value       = local.create_plan ? aws_backup_plan.this[0].id : null
}

output "role_arn" {
  description = "IAM role AWS Backup runs the plan with (null when rules is empty)."
  value       = local.create_plan ? aws_iam_role.this[0].arn : null
}

output "oidc_provider_arn" {
  description = "ARN of the GitHub Actions OIDC provider the roles trust."
  value       = local.oidc_provider_arn
}

output "role_arns" {
  description = "ARN of each role, by name: the role-to-assume of aws-actions/configure-aws-credentials."
  value       = { for name, role in aws_iam_role.this : name => role.arn }
}

output "role_subjects" {
  description = "OIDC subject claims each role accepts, by role name (for review)."
  value       = local.subjects
}

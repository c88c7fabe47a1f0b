output "state_bucket" {
  description = "Bucket for Terraform state: pass it to terraform init -backend-config=\"bucket=...\" in every stack."
  value       = module.state.bucket_ids["tfstate"]
}

output "state_kms_key_arn" {
  description = "KMS key that encrypts the state bucket."
  value       = module.kms.key_arns["tfstate"]
}

output "github_oidc_provider_arn" {
  description = "ARN of the GitHub Actions OIDC provider."
  value       = module.github.oidc_provider_arn
}

output "ci_role_arns" {
  description = "CI roles by name (<project>-ci-<env>-plan and -apply): store them as GitHub environment or repository variables for aws-actions/configure-aws-credentials."
  value       = module.github.role_arns
}

output "key_arns" {
  description = "ARN of each key, by key name."
  value       = { for name, key in aws_kms_key.this : name => key.arn }
}

output "key_ids" {
  description = "ID of each key, by key name."
  value       = { for name, key in aws_kms_key.this : name => key.key_id }
}

output "alias_names" {
  description = "Alias of each key (alias/<name>/<key>), by key name."
  value       = { for name, alias in aws_kms_alias.this : name => alias.name }
}

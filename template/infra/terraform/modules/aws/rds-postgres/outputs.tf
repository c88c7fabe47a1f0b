output "db_instance_identifier" {
  description = "Identifier of the DB instance."
  value       = aws_db_instance.this.identifier
}

output "db_instance_arn" {
  description = "ARN of the DB instance (for AWS Backup selections)."
  value       = aws_db_instance.this.arn
}

output "db_instance_resource_id" {
  description = "Resource ID of the instance, the part of rds-db:connect ARNs that IAM database authentication policies name."
  value       = aws_db_instance.this.resource_id
}

output "address" {
  description = "Host name of the database endpoint."
  value       = aws_db_instance.this.address
}

output "port" {
  description = "Port PostgreSQL listens on."
  value       = aws_db_instance.this.port
}

output "database_name" {
  description = "Name of the database created with the instance."
  value       = aws_db_instance.this.db_name
}

output "master_username" {
  description = "Name of the master user (its password is in master_user_secret_arn)."
  value       = aws_db_instance.this.username
}

output "master_user_secret_arn" {
  description = "Secrets Manager secret RDS keeps the rotated master password in."
  value       = aws_db_instance.this.master_user_secret[0].secret_arn
}

output "security_group_id" {
  description = "Security group of the database."
  value       = aws_security_group.this.id
}

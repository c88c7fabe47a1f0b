# A daily backup plan for existing resources, kept 14 days in an encrypted vault.
#
#   terraform init && terraform plan -var "resource_arns=[\"arn:aws:rds:...\"]"

terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }
}

provider "aws" {
  region = var.region
}

variable "region" {
  description = "AWS region to deploy the example into."
  type        = string
  default     = "us-east-1"
}

variable "resource_arns" {
  description = "Resources to back up (RDS instances, S3 buckets, ...)."
  type        = list(string)
}

module "kms" {
  source = "../../../kms"

  name = "example-backup"
  keys = {
    backup = { description = "Recovery points of the example vault", deletion_window_in_days = 7 }
  }
}

module "backup" {
  source = "../.."

  name        = "example-backup"
  kms_key_arn = module.kms.key_arns["backup"]
  rules = [{
    name              = "daily"
    schedule          = "cron(0 5 * * ? *)"
    delete_after_days = 14
  }]
  resource_arns = var.resource_arns
}

output "vault_name" {
  description = "Name of the example vault."
  value       = module.backup.vault_name
}

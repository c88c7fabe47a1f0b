# A Multi-AZ PostgreSQL instance in existing database subnets.
#
#   terraform init && terraform plan -var vpc_id=vpc-... -var "subnet_ids=[\"subnet-...\",\"subnet-...\"]"

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

variable "vpc_id" {
  description = "VPC of the database."
  type        = string
}

variable "subnet_ids" {
  description = "Database subnets in at least two zones."
  type        = list(string)
}

module "kms" {
  source = "../../../kms"

  name = "example-postgres"
  keys = {
    data = { description = "Storage of the example database", deletion_window_in_days = 7 }
    logs = { description = "Logs of the example database", cloudwatch_logs = true, deletion_window_in_days = 7 }
  }
}

module "postgres" {
  source = "../.."

  name             = "example-postgres"
  vpc_id           = var.vpc_id
  subnet_ids       = var.subnet_ids
  kms_key_arn      = module.kms.key_arns["data"]
  logs_kms_key_arn = module.kms.key_arns["logs"]
}

output "address" {
  description = "Host name of the example database."
  value       = module.postgres.address
}

# A two-node Redis replication group with IAM-authenticated users.
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
  description = "VPC of the cache."
  type        = string
}

variable "subnet_ids" {
  description = "Database subnets in at least two zones."
  type        = list(string)
}

module "kms" {
  source = "../../../kms"

  name = "example-redis"
  keys = {
    data = { description = "Storage of the example cache", deletion_window_in_days = 7 }
    logs = { description = "Slow log of the example cache", cloudwatch_logs = true, deletion_window_in_days = 7 }
  }
}

module "redis" {
  source = "../.."

  name             = "example-redis"
  vpc_id           = var.vpc_id
  subnet_ids       = var.subnet_ids
  kms_key_arn      = module.kms.key_arns["data"]
  logs_kms_key_arn = module.kms.key_arns["logs"]
}

output "primary_endpoint_address" {
  description = "Host name of the example cache's primary."
  value       = module.redis.primary_endpoint_address
}

# KMS keys for logs and data, with aliases alias/example-kms/<key>.
#
#   terraform init && terraform plan

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

module "kms" {
  source = "../.."

  name = "example-kms"
  keys = {
    logs = { description = "CloudWatch log groups of the example", cloudwatch_logs = true }
    data = { description = "Data stores of the example", deletion_window_in_days = 7 }
  }
}

output "key_arns" {
  description = "ARNs of the example keys."
  value       = module.kms.key_arns
}

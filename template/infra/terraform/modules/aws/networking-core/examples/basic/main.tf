# A three-zone VPC with a single NAT gateway and encrypted flow logs.
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
  source = "../../../kms"

  name = "example-network"
  keys = {
    logs = { description = "Flow logs of the example VPC", cloudwatch_logs = true, deletion_window_in_days = 7 }
  }
}

module "network" {
  source = "../.."

  name                  = "example-network"
  cidr_block            = "10.99.0.0/16"
  availability_zones    = ["${var.region}a", "${var.region}b", "${var.region}c"]
  single_nat_gateway    = true
  flow_logs_kms_key_arn = module.kms.key_arns["logs"]
}

output "private_subnet_ids" {
  description = "Private subnets of the example VPC."
  value       = module.network.private_subnet_ids
}

# A private EKS cluster with one small node group, in existing private subnets.
#
#   terraform init && terraform plan -var "subnet_ids=[\"subnet-...\",\"subnet-...\"]"

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

variable "subnet_ids" {
  description = "Private subnets (at least two zones) with a route to a NAT gateway."
  type        = list(string)
}

module "kms" {
  source = "../../../kms"

  name = "example-eks"
  keys = {
    eks  = { description = "Kubernetes Secrets of the example cluster", deletion_window_in_days = 7 }
    logs = { description = "Control-plane logs of the example cluster", cloudwatch_logs = true, deletion_window_in_days = 7 }
  }
}

module "eks" {
  source = "../.."

  name                = "example-eks"
  subnet_ids          = var.subnet_ids
  secrets_kms_key_arn = module.kms.key_arns["eks"]
  logs_kms_key_arn    = module.kms.key_arns["logs"]
  node_group = {
    instance_types = ["t3.large"]
    min_size       = 1
    max_size       = 2
    desired_size   = 1
  }
}

output "cluster_name" {
  description = "Name of the example cluster."
  value       = module.eks.cluster_name
}

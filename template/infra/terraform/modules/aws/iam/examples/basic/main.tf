# A GitHub Actions role for octo-org/octo-repo: plans on main and pull requests.
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

module "github" {
  source = "../.."

  github_repository = "octo-org/octo-repo"
  roles = {
    example-ci-plan = {
      description         = "terraform plan from GitHub Actions"
      branches            = ["main"]
      pull_requests       = true
      managed_policy_arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    }
  }
}

output "role_arns" {
  description = "ARN of the example role."
  value       = module.github.role_arns
}

# Two private, versioned, KMS-encrypted buckets with access logging.
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

  name = "example-buckets"
  keys = {
    data = {
      description             = "Objects of the example buckets and their access logs"
      deletion_window_in_days = 7
      service_principals      = ["logging.s3.amazonaws.com"]
    }
  }
}

module "buckets" {
  source = "../.."

  name = "example-buckets"
  buckets = {
    uploads = { transition_to_ia_days = 30 }
    exports = { expiration_days = 30, force_destroy = true }
  }
  kms_key_arn = module.kms.key_arns["data"]
}

output "bucket_ids" {
  description = "Names of the example buckets."
  value       = module.buckets.bucket_ids
}

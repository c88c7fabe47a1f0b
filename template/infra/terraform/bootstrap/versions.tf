terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }

  # No backend here: this configuration creates the state bucket, so its first
  # apply keeps state locally. Afterwards move the state into the bucket as the
  # README describes (backend "s3" with key bootstrap/terraform.tfstate).
}

terraform {
  # The environment stacks that call this composition need 1.10 for S3 state locking;
  # validations that compare two variables need 1.9.
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
      # aws.dr is the disaster-recovery region; the caller passes its default provider
      # again when dr_region is null, and nothing is created there.
      configuration_aliases = [aws.dr]
    }
  }
}

variable "name" {
  description = "Prefix of the bucket names (<name>-<bucket>-<account-id>) and of the replication role, usually <project>-<environment>."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,49}$", var.name))
    error_message = "name must hold lowercase letters, digits and hyphens, and be 2 to 50 characters (bucket names, with the bucket key and the account ID, must fit in 63)."
  }
}

variable "buckets" {
  description = <<-EOT
    Buckets to create, by short name. Every bucket is private, versioned and encrypted
    with kms_key_arn. Per bucket: noncurrent_version_expiration_days (old versions are
    deleted after this many days), transition_to_ia_days (move current objects to
    STANDARD_IA; null: never), expiration_days (delete current objects; null: never),
    force_destroy (let terraform destroy a non-empty bucket; keep false for real data).
  EOT
  type = map(object({
    noncurrent_version_expiration_days = optional(number, 90)
    transition_to_ia_days              = optional(number)
    expiration_days                    = optional(number)
    force_destroy                      = optional(bool, false)
  }))

  validation {
    condition     = alltrue([for name in keys(var.buckets) : can(regex("^[a-z0-9][a-z0-9-]*$", name)) && name != "access-logs"])
    error_message = "Bucket names may only hold lowercase letters, digits and hyphens; access-logs is reserved."
  }

  validation {
    condition     = alltrue([for bucket in values(var.buckets) : bucket.noncurrent_version_expiration_days >= 1])
    error_message = "noncurrent_version_expiration_days must be at least 1."
  }

  validation {
    condition     = alltrue([for bucket in values(var.buckets) : bucket.transition_to_ia_days == null ? true : bucket.transition_to_ia_days >= 30])
    error_message = "transition_to_ia_days must be at least 30 (the STANDARD_IA minimum)."
  }
}

variable "kms_key_arn" {
  description = "KMS key for default SSE-KMS encryption of the buckets and their access logs; with access_logging its policy must allow logging.s3.amazonaws.com."
  type        = string
}

variable "access_logging" {
  description = "Write S3 server access logs of every bucket to a dedicated <name>-access-logs-<account-id> bucket."
  type        = bool
  default     = true
}

variable "access_log_retention_days" {
  description = "Days the access logs are kept."
  type        = number
  default     = 365

  validation {
    condition     = var.access_log_retention_days >= 1
    error_message = "access_log_retention_days must be at least 1."
  }
}

variable "replication" {
  description = <<-EOT
    Cross-region replication (null: off). destination_bucket_arns maps a bucket's short
    name to the versioned bucket in the other region that receives its objects; objects
    are re-encrypted there with destination_kms_key_arn. Buckets not in the map are not
    replicated.
  EOT
  type = object({
    destination_bucket_arns = map(string)
    destination_kms_key_arn = string
  })
  default = null
}

variable "tags" {
  description = "Extra tags for the module's resources (the provider's default_tags already apply)."
  type        = map(string)
  default     = {}
}

variable "name" {
  description = "Name of the vault, plan and role, usually <project>-<environment>."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,45}$", var.name))
    error_message = "name must be a lowercase DNS-style label of at most 46 characters."
  }
}

variable "kms_key_arn" {
  description = "KMS key that encrypts the recovery points in the vault."
  type        = string
}

variable "rules" {
  description = <<-EOT
    Backup rules; an empty list creates only the vault (e.g. the destination of
    cross-region copies). Per rule: name, schedule (AWS cron expression, UTC),
    start_window_minutes, completion_window_minutes, delete_after_days,
    cold_storage_after_days (null: never; S3 and RDS backups cannot move to cold storage),
    copy_to_vault_arn (a vault in another region or account; null: no copy) and
    copy_delete_after_days (retention of the copy; null: same as the original).
  EOT
  type = list(object({
    name                      = string
    schedule                  = string
    start_window_minutes      = optional(number, 60)
    completion_window_minutes = optional(number, 480)
    delete_after_days         = number
    cold_storage_after_days   = optional(number)
    copy_to_vault_arn         = optional(string)
    copy_delete_after_days    = optional(number)
  }))
  default = []

  validation {
    condition     = alltrue([for rule in var.rules : can(regex("^cron\\(.+\\)$", rule.schedule))])
    error_message = "schedule must be an AWS cron expression, e.g. cron(0 3 * * ? *)."
  }

  validation {
    condition     = alltrue([for rule in var.rules : rule.delete_after_days >= 1])
    error_message = "delete_after_days must be at least 1."
  }
}

variable "resource_arns" {
  description = "ARNs of the resources the plan backs up (RDS instances, S3 buckets, ...)."
  type        = list(string)
  default     = []
}

variable "vault_lock" {
  description = <<-EOT
    Vault Lock (null: off). Recovery points cannot be deleted before
    min_retention_days nor kept beyond max_retention_days, not even by an
    administrator. Without changeable_for_days the lock is in governance mode and can
    be removed with the right IAM permission; with it, the lock becomes permanent
    (compliance mode) once that many days (at least 3) have passed.
  EOT
  type = object({
    min_retention_days  = number
    max_retention_days  = number
    changeable_for_days = optional(number)
  })
  default = null

  validation {
    condition     = var.vault_lock == null ? true : var.vault_lock.min_retention_days >= 1 && var.vault_lock.min_retention_days <= var.vault_lock.max_retention_days
    error_message = "vault_lock needs 1 <= min_retention_days <= max_retention_days."
  }
}

variable "tags" {
  description = "Tags for the vault and plan, also stamped on every recovery point (the provider's default_tags do not reach recovery points)."
  type        = map(string)
  default     = {}
}

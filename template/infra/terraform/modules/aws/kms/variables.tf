variable "name" {
  description = "Prefix of the key aliases (alias/<name>/<key>), usually <project>-<environment>."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]+$", var.name))
    error_message = "name may only hold letters, digits, underscores and hyphens."
  }
}

variable "keys" {
  description = <<-EOT
    Keys to create, by short name (it becomes part of the alias). Per key:
    description; deletion_window_in_days (7-30); cloudwatch_logs to let CloudWatch Logs
    in this region encrypt log groups of this account; service_principals (e.g.
    budgets.amazonaws.com) that may generate data keys and decrypt on behalf of this
    account; user_arns of roles that use the key directly (including AWS-resource grants).
  EOT
  type = map(object({
    description             = string
    deletion_window_in_days = optional(number, 30)
    cloudwatch_logs         = optional(bool, false)
    service_principals      = optional(list(string), [])
    user_arns               = optional(list(string), [])
  }))

  validation {
    condition     = alltrue([for key in values(var.keys) : key.deletion_window_in_days >= 7 && key.deletion_window_in_days <= 30])
    error_message = "deletion_window_in_days must be between 7 and 30."
  }

  validation {
    condition     = alltrue([for name in keys(var.keys) : can(regex("^[a-z0-9-]+$", name))])
    error_message = "Key names may only hold lowercase letters, digits and hyphens."
  }
}

variable "administrator_arns" {
  description = "IAM roles that administer the keys (policy, rotation, deletion) without being able to use them. Empty leaves administration to IAM policies in the account."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Extra tags for the keys (the provider's default_tags already apply)."
  type        = map(string)
  default     = {}
}

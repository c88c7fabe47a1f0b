variable "github_repository" {
  description = "Repository whose GitHub Actions workflows may assume the roles, as owner/name."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+$", var.github_repository))
    error_message = "github_repository must look like owner/name."
  }
}

variable "create_oidc_provider" {
  description = "Create the account's IAM OIDC provider for GitHub Actions. An account has at most one per URL: set false and pass oidc_provider_arn when it already exists."
  type        = bool
  default     = true
}

variable "oidc_provider_arn" {
  description = "ARN of an existing GitHub Actions OIDC provider (used when create_oidc_provider is false)."
  type        = string
  default     = null
}

variable "roles" {
  description = <<-EOT
    Roles for GitHub Actions, by name (the IAM role name). Who may assume a role is
    given by GitHub's OIDC subject claim: branches (jobs on a push to these branches,
    sub repo:<owner>/<name>:ref:refs/heads/<branch>), environments (jobs that declare
    a GitHub environment, sub repo:<owner>/<name>:environment:<env>; protect it with
    required reviewers and deployment branches) and pull_requests (jobs of pull
    requests from branches of the repository). Permissions: managed_policy_arns and
    inline_policies (policy name => JSON document). Sessions last
    max_session_duration_seconds at most.
  EOT
  type = map(object({
    description                  = string
    branches                     = optional(list(string), [])
    environments                 = optional(list(string), [])
    pull_requests                = optional(bool, false)
    managed_policy_arns          = optional(list(string), [])
    inline_policies              = optional(map(string), {})
    max_session_duration_seconds = optional(number, 3600)
  }))

  validation {
    condition = alltrue([
      for role in values(var.roles) :
      length(role.branches) + length(role.environments) > 0 || role.pull_requests
    ])
    error_message = "Every role needs at least one branch, environment or pull_requests = true."
  }

  validation {
    condition = alltrue([
      for role in values(var.roles) :
      alltrue([for value in concat(role.branches, role.environments) : !strcontains(value, "*") && !strcontains(value, "?")])
    ])
    error_message = "Branches and environments are matched exactly; wildcards are not allowed."
  }

  validation {
    condition = alltrue([
      for role in values(var.roles) :
      role.max_session_duration_seconds >= 3600 && role.max_session_duration_seconds <= 43200
    ])
    error_message = "max_session_duration_seconds must be between 3600 and 43200."
  }
}

variable "tags" {
  description = "Extra tags for the roles and the provider (the provider's default_tags already apply)."
  type        = map(string)
  default     = {}
}

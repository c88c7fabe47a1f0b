variable "name" {
  description = "Name of the cluster and prefix of its IAM roles, usually <project>-<environment>."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,45}$", var.name))
    error_message = "name must be a lowercase DNS-style label of at most 46 characters."
  }
}

variable "kubernetes_version" {
  description = "Kubernetes minor version of the control plane and the nodes (e.g. 1.34). Upgrade one minor version at a time."
  type        = string
  default     = "1.34"

  validation {
    condition     = can(regex("^1\\.[0-9]+$", var.kubernetes_version))
    error_message = "kubernetes_version must look like 1.34."
  }
}

variable "subnet_ids" {
  description = "Private subnets for the control plane's network interfaces and the nodes, one per Availability Zone."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "EKS needs subnets in at least two Availability Zones."
  }
}

variable "endpoint_public_access" {
  description = "Expose the Kubernetes API on a public endpoint as well as inside the VPC. Off by default: reach the API over a VPN, a bastion or from inside the VPC."
  type        = bool
  default     = false
}

variable "public_access_cidrs" {
  description = "Networks allowed to reach the public API endpoint when endpoint_public_access is on. Never 0.0.0.0/0."
  type        = list(string)
  default     = []

  validation {
    condition     = !contains(var.public_access_cidrs, "0.0.0.0/0") && alltrue([for cidr in var.public_access_cidrs : can(cidrhost(cidr, 0))])
    error_message = "public_access_cidrs must be valid CIDRs and must not include 0.0.0.0/0."
  }
}

variable "secrets_kms_key_arn" {
  description = "KMS key for envelope encryption of Kubernetes Secrets in etcd."
  type        = string
}

variable "logs_kms_key_arn" {
  description = "KMS key that encrypts the control-plane log group; its policy must allow CloudWatch Logs."
  type        = string
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps the control-plane logs (api, audit, authenticator, controllerManager, scheduler)."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention CloudWatch Logs supports (e.g. 30, 90, 365, 731)."
  }
}

variable "admin_role_arns" {
  description = "IAM roles granted cluster-admin through EKS access entries. The creator gets no implicit admin rights, so list at least the role people or Argo CD bootstrap use."
  type        = list(string)
  default     = []
}

variable "node_group" {
  description = <<-EOT
    The managed node group: instance_types, capacity_type (ON_DEMAND or SPOT), min_size,
    max_size and desired_size (desired_size is only the initial value; an autoscaler
    owns it afterwards), disk_size_gib, ami_type and Kubernetes labels.
  EOT
  type = object({
    instance_types = list(string)
    capacity_type  = optional(string, "ON_DEMAND")
    min_size       = number
    max_size       = number
    desired_size   = number
    disk_size_gib  = optional(number, 50)
    ami_type       = optional(string, "AL2023_x86_64_STANDARD")
    labels         = optional(map(string), {})
  })

  validation {
    condition     = contains(["ON_DEMAND", "SPOT"], var.node_group.capacity_type)
    error_message = "node_group.capacity_type must be ON_DEMAND or SPOT."
  }

  validation {
    condition     = var.node_group.min_size >= 1 && var.node_group.min_size <= var.node_group.desired_size && var.node_group.desired_size <= var.node_group.max_size
    error_message = "node_group sizes must satisfy 1 <= min_size <= desired_size <= max_size."
  }
}

variable "node_volume_kms_key_arn" {
  description = "KMS key for the nodes' root volumes. Null uses the account's default EBS key (aws/ebs); a customer key must allow the AWSServiceRoleForAutoScaling role to create grants."
  type        = string
  default     = null
}

variable "vpc_cni_version" {
  description = "Version of the vpc-cni add-on (null: the default for the cluster version)."
  type        = string
  default     = null
}

variable "addons" {
  description = "Further EKS add-ons installed once nodes exist, by name, with an optional version (null: the default for the cluster version)."
  type = map(object({
    version = optional(string)
  }))
  default = {
    coredns    = {}
    kube-proxy = {}
  }
}

variable "tags" {
  description = "Tags for resources the provider's default_tags cannot reach: the instances, volumes and network interfaces the node group launches. Pass the same cost allocation tags."
  type        = map(string)
  default     = {}
}

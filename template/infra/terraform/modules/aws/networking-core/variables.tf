variable "name" {
  description = "Name of the VPC and prefix of its resources, usually <project>-<environment>."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,45}$", var.name))
    error_message = "name must be a lowercase DNS-style label of at most 46 characters."
  }
}

variable "cidr_block" {
  description = "IPv4 range of the VPC, a /16 to /20. Private subnets take the first three eighths, public and database subnets small ranges near the top."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrhost(var.cidr_block, 0)) && can(regex("/(1[6-9]|20)$", var.cidr_block))
    error_message = "cidr_block must be an IPv4 CIDR between /16 and /20."
  }
}

variable "availability_zones" {
  description = "Availability Zones to spread the subnets over, listed explicitly so the network never grows when AWS adds a zone. Three is the norm."
  type        = list(string)

  validation {
    condition     = length(var.availability_zones) >= 2 && length(var.availability_zones) <= 4 && length(distinct(var.availability_zones)) == length(var.availability_zones)
    error_message = "availability_zones must list two to four distinct zones."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all zones (cheaper, but a zone outage cuts egress for the others) instead of one per zone."
  type        = bool
  default     = false
}

variable "flow_logs_kms_key_arn" {
  description = "KMS key that encrypts the flow log group; its policy must allow CloudWatch Logs."
  type        = string
}

variable "flow_logs_retention_days" {
  description = "Days CloudWatch keeps the VPC flow logs."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_logs_retention_days)
    error_message = "flow_logs_retention_days must be a retention CloudWatch Logs supports (e.g. 30, 90, 365, 731)."
  }
}

variable "flow_logs_traffic_type" {
  description = "Which traffic the flow logs record: ACCEPT, REJECT or ALL."
  type        = string
  default     = "ALL"

  validation {
    condition     = contains(["ACCEPT", "REJECT", "ALL"], var.flow_logs_traffic_type)
    error_message = "flow_logs_traffic_type must be ACCEPT, REJECT or ALL."
  }
}

variable "tags" {
  description = "Extra tags for the module's resources (the provider's default_tags already apply)."
  type        = map(string)
  default     = {}
}

output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "IPv4 range of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "availability_zones" {
  description = "Availability Zones the subnets are spread over, in order."
  value       = var.availability_zones
}

output "public_subnet_ids" {
  description = "Public subnets (load balancers and NAT gateways), one per zone, in zone order."
  value       = [for zone in var.availability_zones : aws_subnet.public[zone].id]
}

output "private_subnet_ids" {
  description = "Private subnets (Kubernetes nodes and pods), one per zone, in zone order."
  value       = [for zone in var.availability_zones : aws_subnet.private[zone].id]
}

output "database_subnet_ids" {
  description = "Database subnets (no route to the internet), one per zone, in zone order."
  value       = [for zone in var.availability_zones : aws_subnet.database[zone].id]
}

output "private_route_table_ids" {
  description = "Route tables of the private subnets, in zone order."
  value       = [for zone in var.availability_zones : aws_route_table.private[zone].id]
}

output "nat_public_ips" {
  description = "Public IPs the private subnets reach the internet from (for allow-lists of third parties)."
  value       = aws_eip.nat[*].public_ip
}

output "flow_log_group_name" {
  description = "CloudWatch log group holding the VPC flow logs."
  value       = aws_cloudwatch_log_group.flow_logs.name
}

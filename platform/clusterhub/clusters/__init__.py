"""Industrial clusters kept by a center (tenant-owned): members, cooperation scheme, compliance."""

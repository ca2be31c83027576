"""Pipeline monitoring that is not a stage: consumer lag per partition, in records and seconds."""

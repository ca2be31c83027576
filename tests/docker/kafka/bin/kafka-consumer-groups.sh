#!/usr/bin/env bash
# kafka-consumer-groups.sh: as in the Kafka release, org.apache.kafka.tools.consumer.group.ConsumerGroupCommand.
exec "$(dirname "${BASH_SOURCE[0]}")/kafka-run-class.sh" org.apache.kafka.tools.consumer.group.ConsumerGroupCommand "$@"

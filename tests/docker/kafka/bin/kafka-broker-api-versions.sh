#!/usr/bin/env bash
# kafka-broker-api-versions.sh: as in the Kafka release, org.apache.kafka.tools.BrokerApiVersionsCommand.
exec "$(dirname "${BASH_SOURCE[0]}")/kafka-run-class.sh" org.apache.kafka.tools.BrokerApiVersionsCommand "$@"

#!/usr/bin/env bash
# kafka-storage.sh: as in the Kafka release, kafka.tools.StorageTool.
exec "$(dirname "${BASH_SOURCE[0]}")/kafka-run-class.sh" kafka.tools.StorageTool "$@"

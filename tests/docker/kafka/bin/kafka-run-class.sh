#!/usr/bin/env bash
# kafka-run-class.sh CLASS [ARGS...]: run a Kafka class on the jars in /opt/kafka/libs, with
# the distribution's variables: KAFKA_HEAP_OPTS, KAFKA_JVM_PERFORMANCE_OPTS, KAFKA_LOG4J_OPTS,
# KAFKA_OPTS (the Kafka release's own script, which is not on Maven Central, does more).
set -euo pipefail
base=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
heap=${KAFKA_HEAP_OPTS:--Xmx256M}
perf=${KAFKA_JVM_PERFORMANCE_OPTS:--server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true}
log4j=${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=$base/config/tools-log4j2.yaml}
# shellcheck disable=SC2086 # the option variables are word lists, as in Kafka's script
exec java $heap $perf $log4j ${KAFKA_OPTS:-} -cp "$base/libs/*" "$@"

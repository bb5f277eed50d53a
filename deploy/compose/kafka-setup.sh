#!/bin/bash
# docker-compose's Kafka principals: one SCRAM-SHA-512 user per service (passwords from the
# environment) and exactly the ACLs of deploy/compose/kafka-acls.spec, the launcher's table
# (deploy/local/launcher/kafka_sasl.py; tests/unit/test_kafka_acls.py keeps the two equal).
# Runs once per `docker compose up`, as the super user, after the broker is healthy; idempotent.
set -euo pipefail
bin=${KAFKA_BIN:-/opt/kafka/bin}
admin=(--bootstrap-server "${KAFKA_BOOTSTRAP:-kafka:9092}" --command-config "${KAFKA_SECRETS_DIR:-/etc/kafka/secrets}/admin.properties")
for service in registry scheduling notifications reporting; do
  var="KAFKA_PASSWORD_${service^^}"
  "$bin/kafka-configs.sh" "${admin[@]}" --alter --entity-type users --entity-name "$service" \
    --add-config "SCRAM-SHA-512=[iterations=4096,password=${!var:?set $var}]"
done
# One call per (principal, resource type, pattern type, operations): many resources at once.
awk '$1 == "acl" { key = $2 " " $3 " " $4 " " $6; names[key] = names[key] " " $5 }
     END { for (k in names) print k names[k] }' "$(dirname "$0")/kafka-acls.spec" |
while read -r principal kind pattern ops names; do
  args=(--add --allow-principal "$principal" --resource-pattern-type "${pattern,,}")
  for op in ${ops//,/ }; do  # DESCRIBE_CONFIGS -> DescribeConfigs, as kafka-acls names them
    IFS=_ read -ra words <<< "${op,,}"; name=""; for w in "${words[@]}"; do name+="${w^}"; done
    args+=(--operation "$name")
  done
  for name in $names; do args+=("--${kind,,}" "$name"); done
  "$bin/kafka-acls.sh" "${admin[@]}" "${args[@]}" > /dev/null
done
echo "kafka-setup: users and ACLs granted"

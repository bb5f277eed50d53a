#!/bin/bash
# docker-compose's Kafka TLS and sign-in material, made once into the kafka-secrets volume (the
# broker's; ca.crt is also copied to the kafka-ca volume the services mount): a CA of this
# installation (ca.crt, PEM: every client's trust, the broker's too), the broker's key and
# certificate for the host names kafka and localhost signed by it (a PKCS12 keystore, its
# generated password in store-credentials), the broker's JAAS file and the super user's client
# properties. Runs in the apache/kafka image (keytool); idempotent.
set -euo pipefail
secrets=${KAFKA_SECRETS_DIR:-/etc/kafka/secrets} ca_out=${KAFKA_CA_DIR:-/kafka-ca}
cd "$secrets"
: "${KAFKA_ADMIN_PASSWORD:?set KAFKA_ADMIN_PASSWORD}"
if [[ ! -e kafka.keystore.p12 ]]; then
  store=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
  keytool -genkeypair -alias ca -dname "CN=Oppna Malmo compose CA" -ext bc:c -keyalg RSA -keysize 3072 -validity 825 \
    -keystore ca.p12 -storetype PKCS12 -storepass "$store"
  keytool -exportcert -rfc -alias ca -keystore ca.p12 -storepass "$store" > ca.crt
  keytool -genkeypair -alias kafka -dname "CN=kafka" -keyalg RSA -keysize 3072 -validity 825 \
    -keystore kafka.keystore.p12 -storetype PKCS12 -storepass "$store"
  keytool -certreq -alias kafka -keystore kafka.keystore.p12 -storepass "$store" \
    | keytool -gencert -alias ca -keystore ca.p12 -storepass "$store" -ext SAN=dns:kafka,dns:localhost -validity 825 -rfc > kafka.crt
  keytool -importcert -noprompt -alias ca -file ca.crt -keystore kafka.keystore.p12 -storepass "$store"
  keytool -importcert -alias kafka -file kafka.crt -keystore kafka.keystore.p12 -storepass "$store"
  printf '%s' "$store" > store-credentials
fi
plain="org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" password=\"$KAFKA_ADMIN_PASSWORD\" user_admin=\"$KAFKA_ADMIN_PASSWORD\";"
# The broker: SCRAM-SHA-512 for every client; PLAIN for the super user only (also to the controller
# and to itself), whose one user lives here rather than in the cluster's metadata.
cat > jaas.conf <<JAAS
KafkaServer {
  org.apache.kafka.common.security.scram.ScramLoginModule required;
  $plain
};
JAAS
cat > admin.properties <<PROPS
security.protocol=SASL_SSL
sasl.mechanism=PLAIN
sasl.jaas.config=${plain%user_admin=*};
ssl.truststore.location=$secrets/ca.crt
ssl.truststore.type=PEM
PROPS
cp ca.crt "$ca_out/ca.crt"
chown -R 1000:1000 "$secrets"  # the image's appuser
chmod 600 jaas.conf admin.properties store-credentials ca.p12
chmod 644 "$ca_out/ca.crt"

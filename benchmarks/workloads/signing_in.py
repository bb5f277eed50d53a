"""What signing in to Kafka costs: the Kafka ceilings (Kafka's own tools at full size, raw aiokafka
with the platform's producer settings) signed in with SASL/SCRAM-SHA-512 beside the same over
PLAINTEXT, both on one private broker this workload starts and stops, with one listener of each
(the platform's broker has no PLAINTEXT listener and gets none). Beside them, as the same-run
ceiling, the platform's own broker signed in (the ``ceilings`` workload, when it ran).

Each row: figure = signed in, versus = PLAINTEXT, ratio = signed in / PLAINTEXT.
"""

import secrets

from benchmarks.ceilings import kafka_rates
from benchmarks.common import Result
from deploy.local.launcher.kafka import SINGLE_NODE
from deploy.local.launcher.private_broker import private_broker
from shared.settings import KafkaSecuritySettings

SIZES = {"full": {"records": 50_000, "tools": True}, "small": {"records": 2_000, "tools": False}}  # records: each tool, each listener
HOST = "127.0.0.1"
USER = "bench"
MECHANISM = "SCRAM-SHA-512"
RATES = {"kafka_tool_produce_per_s": "Kafka's ProducerPerformance", "kafka_tool_consume_per_s": "Kafka's ConsumerPerformance",
         "aiokafka_produce_per_s": "aiokafka produce", "aiokafka_consume_per_s": "aiokafka consume"}


def _properties(home, ports: dict[str, int]) -> str:
    """The platform broker's settings (deploy/local/launcher/kafka.py) but for its listeners: one
    PLAINTEXT, one SASL_PLAINTEXT with SCRAM; the same authoriser, both principals super users."""
    return f"""process.roles=broker,controller
node.id=1
controller.quorum.voters=1@{HOST}:{ports["CONTROLLER"]}
listeners=PLAINTEXT://{HOST}:{ports["PLAINTEXT"]},SASL_PLAINTEXT://{HOST}:{ports["SASL_PLAINTEXT"]},CONTROLLER://{HOST}:{ports["CONTROLLER"]}
advertised.listeners=PLAINTEXT://{HOST}:{ports["PLAINTEXT"]},SASL_PLAINTEXT://{HOST}:{ports["SASL_PLAINTEXT"]}
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT
sasl.enabled.mechanisms={MECHANISM}
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:ANONYMOUS;User:{USER}
log.dirs={home / "data"}
{SINGLE_NODE}"""


async def run(ctx, size: str) -> list[Result]:
    s, password = SIZES[size], secrets.token_hex(16)
    with private_broker(_properties, listeners=("PLAINTEXT", "SASL_PLAINTEXT"), prefix="bench-broker-",
                        format_args=("--add-scram", f"{MECHANISM}=[name={USER},password={password}]")) as ports:
        signed = await kafka_rates(f"{HOST}:{ports['SASL_PLAINTEXT']}", s["records"], s["tools"], KafkaSecuritySettings(
            kafka_security_protocol="SASL_PLAINTEXT", kafka_sasl_mechanism=MECHANISM, kafka_sasl_username=USER, kafka_sasl_password=password))
        plain = await kafka_rates(f"{HOST}:{ports['PLAINTEXT']}", s["records"], s["tools"], KafkaSecuritySettings(kafka_security_protocol="PLAINTEXT"))
    results = []
    for key, label in RATES.items():
        if key not in signed or key not in plain:
            continue
        ratio = round(signed[key] / plain[key], 2)
        versus = {"a": round(signed[key]), "a_label": "signed in (SASL/SCRAM-SHA-512)", "b": round(plain[key]), "b_label": "PLAINTEXT",
                  "ceiling": ctx.ceilings.get(key) and round(ctx.ceilings[key]), "ceiling_name": "the platform's broker, signed in"}
        results.append(Result(f"Kafka signed in vs PLAINTEXT: {label}", round(signed[key]), "records/s", ceiling=round(plain[key]),
                              ceiling_name="PLAINTEXT, same broker", ratio=ratio, goal="measured, no goal",
                              details={"versus": versus, "records": s["records"] if "tool" in key else min(s["records"], 50_000)}))
    return results

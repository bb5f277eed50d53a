import java.time.OffsetDateTime;
import java.util.Properties;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import se.malmo.oppna.contracts.InitiativeSubmittedV1;
import se.malmo.oppna.contracts.InitiativeSubmittedV1Event;
import se.malmo.oppna.contracts.Organizer;
import se.malmo.oppna.contracts.OrganizerKind;
import se.malmo.oppna.contracts.Origin;
import se.malmo.oppna.contracts.Summary;
import se.malmo.oppna.contracts.Title;

/**
 * A publisher's system in Java: builds an initiative from the models generated from the registry's
 * AsyncAPI document, and sends it as the CloudEvent (structured mode) on its own inbox, signed in
 * as its own Kafka principal (SASL/SCRAM-SHA-512). Prints the event's id.
 *
 * Arguments: bootstrap servers, user name, password, inbox topic, source URI, external id.
 */
public final class PublishSubmission {
    public static void main(String[] args) throws Exception {
        String bootstrap = args[0], user = args[1], password = args[2], topic = args[3], source = args[4], externalId = args[5];
        InitiativeSubmittedV1Event event = submission(source, externalId);
        String value = new ObjectMapper().writeValueAsString(event);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(settings(bootstrap, user, password))) {
            ProducerRecord<String, String> record = new ProducerRecord<>(topic, externalId, value);
            record.headers().add("content-type", "application/cloudevents+json".getBytes("UTF-8"));
            producer.send(record).get();
        }
        System.out.println(event.getId());
    }

    static InitiativeSubmittedV1Event submission(String source, String externalId) {
        Title title = new Title();
        title.setSv("Samtal om parker " + externalId);
        title.setEn("Talks about parks " + externalId);
        Summary summary = new Summary();
        summary.setSv("Samtal om Malmös parker, skickat från Java.");
        summary.setEn("Talks about Malmö's parks, sent from Java.");
        Organizer organizer = new Organizer();
        organizer.setKind(OrganizerKind.CIVIL_SOCIETY);
        organizer.setName("Parkföreningen");
        InitiativeSubmittedV1 data = new InitiativeSubmittedV1();
        data.setExternalId(externalId);
        data.setRevision(1);
        data.setTitle(title);
        data.setSummary(summary);
        data.setOrganizer(organizer);
        data.setThemes(new String[] {"democracy"});
        data.setOrigin(Origin.EXISTING);
        data.setDistricts(new String[] {"rosengard"});
        data.setLanguages(new String[] {"sv"});
        InitiativeSubmittedV1Event event = new InitiativeSubmittedV1Event();
        event.setId(UUID.randomUUID().toString());
        event.setSource(source);
        event.setSubject(externalId);
        event.setData(data);
        return event;
    }

    static Properties settings(String bootstrap, String user, String password) {
        Properties settings = new Properties();
        settings.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        settings.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        settings.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        settings.put(ProducerConfig.ACKS_CONFIG, "all");
        settings.put("security.protocol", "SASL_PLAINTEXT");
        settings.put("sasl.mechanism", "SCRAM-SHA-512");
        settings.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
            + user + "\" password=\"" + password + "\";");
        return settings;
    }
}

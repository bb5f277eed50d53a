// Who may do what on the local broker: SCRAM users, their ACLs and topics, through Kafka's own Admin API.
//
// Run by deploy/local/launcher/kafka_sasl.py in source-file mode (`java -cp <jars>/* Grants.java
// <client.properties> <spec>`), one JVM for the whole spec. The client properties sign in as the
// super user with SASL/PLAIN (its one user is in server.properties, not in the cluster's metadata),
// so the SCRAM users can be made on any storage, also one formatted before SASL. Spec lines:
//
//   user <name> <password>                  create or update the SCRAM-SHA-512 credential
//   nouser <name>                           delete it (no error when absent)
//   acl <principal> <TOPIC|GROUP|CLUSTER> <LITERAL|PREFIXED> <resource> <OP,OP,...>
//   noacl <principal>                       delete every ACL of the principal
//   topic <name> <partitions> [<config>=<value> ...]   create the topic when missing
//
// A principal named in `acl` lines ends with exactly those ACLs: any other it holds is deleted.

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.*;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.*;
import org.apache.kafka.common.acl.*;
import org.apache.kafka.common.errors.ResourceNotFoundException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.resource.*;

public class Grants {
    public static void main(String[] args) throws Exception {
        Properties client = load(args[0]);
        List<UserScramCredentialAlteration> users = new ArrayList<>();
        List<NewTopic> topics = new ArrayList<>();
        Set<AclBinding> acls = new HashSet<>();
        Set<String> exact = new LinkedHashSet<>();
        List<AclBindingFilter> drops = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[1]))) {
            String[] f = line.trim().split("\\s+");
            switch (f[0]) {
                case "user" -> users.add(new UserScramCredentialUpsertion(f[1], new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), f[2]));
                case "nouser" -> users.add(new UserScramCredentialDeletion(f[1], ScramMechanism.SCRAM_SHA_512));
                case "topic" -> {
                    Map<String, String> configs = new HashMap<>();
                    for (int i = 3; i < f.length; i++) configs.put(f[i].split("=", 2)[0], f[i].split("=", 2)[1]);
                    topics.add(new NewTopic(f[1], Optional.of(Integer.parseInt(f[2])), Optional.empty()).configs(configs));
                }
                case "noacl" -> drops.add(byPrincipal(f[1]));
                case "acl" -> {
                    exact.add(f[1]);
                    ResourcePattern resource = new ResourcePattern(ResourceType.valueOf(f[2]), f[4], PatternType.valueOf(f[3]));
                    for (String op : f[5].split(","))
                        acls.add(new AclBinding(resource, new AccessControlEntry(f[1], "*", AclOperation.valueOf(op), AclPermissionType.ALLOW)));
                }
                case "" -> { }
                default -> throw new IllegalArgumentException("unknown spec line: " + f[0]);
            }
        }
        try (Admin admin = Admin.create(client)) {
            for (var entry : admin.alterUserScramCredentials(users).values().entrySet()) {
                try {
                    entry.getValue().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof ResourceNotFoundException)) throw e;
                }
            }
            if (!drops.isEmpty()) admin.deleteAcls(drops).all().get();
            List<AclBindingFilter> stale = new ArrayList<>();
            for (String principal : exact)
                for (AclBinding held : admin.describeAcls(byPrincipal(principal)).values().get())
                    if (!acls.contains(held)) stale.add(held.toFilter());
            if (!stale.isEmpty()) admin.deleteAcls(stale).all().get();
            if (!acls.isEmpty()) admin.createAcls(acls).all().get();
            for (var entry : admin.createTopics(topics).values().entrySet()) {
                try {
                    entry.getValue().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) throw e;
                }
            }
        }
    }

    static AclBindingFilter byPrincipal(String principal) {
        return new AclBindingFilter(ResourcePatternFilter.ANY, new AccessControlEntryFilter(principal, null, AclOperation.ANY, AclPermissionType.ANY));
    }

    static Properties load(String path) throws Exception {
        Properties p = new Properties();
        try (var reader = Files.newBufferedReader(Path.of(path))) {
            p.load(reader);
        }
        return p;
    }
}

package dev.trace2skill.infra;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LocalInfraTest {

    @Test
    void realBrokerAndDatabaseRoundTripAndLeaveNothingBehind() throws Exception {
        // a checkout in a private folder (a clone under /root, or in a fresh mktemp -d): the postgres OS user that runs
        // the server as root cannot traverse it
        Path privateDir = Files.createTempDirectory("t2s-private-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        LocalInfra infra = LocalInfra.start(privateDir.resolve("checkout/.t2s/infra"), 0, 0, false);
        Path pgData = infra.postgres().dataDir();
        if (PostgresServer.isRoot()) {
            assertThat(pgData.startsWith(privateDir)).as("the server's data lives where its user can reach it").isFalse();
            assertThat(pgData.getParent().getFileName().toString()).startsWith(PostgresServer.SERVER_DIR_PREFIX);
        }
        long kafkaPid = infra.kafka().pid();
        long pgPid = infra.postgres().pid();
        int kafkaPort = infra.kafka().port();
        int pgPort = infra.postgres().port();
        try {
            assertThat(Processes.alive(kafkaPid)).isTrue();
            assertThat(pgPid).isPositive();

            Map<String, Object> common = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafka().bootstrapServers());
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(common, new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("infra-test", "k", "hello broker")).get();
            }
            Map<String, Object> consumerConfig = new java.util.HashMap<>(common);
            consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, "infra-test");
            consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            List<String> values = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of("infra-test"));
                long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (values.isEmpty() && System.nanoTime() < end) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                        values.add(r.value());
                    }
                }
            }
            assertThat(values).containsExactly("hello broker");

            infra.postgres().createDatabase("t2s_infra_test");
            infra.postgres().createDatabase("t2s_infra_test"); // idempotent
            try (Connection c = DriverManager.getConnection(infra.postgres().jdbcUrl("t2s_infra_test"), PostgresServer.USER, "");
                 Statement s = c.createStatement()) {
                s.execute("CREATE TABLE note(id int primary key, body text)");
                s.execute("INSERT INTO note VALUES (1, 'hello database')");
                try (ResultSet rs = s.executeQuery("SELECT body FROM note WHERE id = 1")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("hello database");
                }
            }
        } finally {
            infra.close();
        }
        assertThat(Processes.alive(kafkaPid)).as("broker process").isFalse();
        assertThat(Processes.alive(pgPid)).as("postmaster process").isFalse();
        assertThat(Ports.isOpen(kafkaPort)).as("kafka port").isFalse();
        assertThat(Ports.isOpen(pgPort)).as("postgres port").isFalse();
        assertThat(pgData).as("the server's data folder is removed with it").doesNotExist();
        LocalInfra.deleteTree(privateDir);
    }
}

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
        LocalInfra infra = LocalInfra.start(LocalInfra.tempDir(), 0, 0, false);
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
        LocalInfra.deleteTree(infra.dir());
    }
}

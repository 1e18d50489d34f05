package dev.trace2skill.infra;

/**
 * What the launcher started, written to {@code <state dir>/infra.json}.
 *
 * @param kafkaPid          broker pid
 * @param kafkaPort         broker client port
 * @param bootstrapServers  Kafka bootstrap servers
 * @param postgresPort      PostgreSQL port
 * @param postgresDataDir   PostgreSQL data directory
 * @param postgresBin       PostgreSQL binaries
 * @param jdbcBaseUrl       JDBC URL without the database name
 * @param user              database user
 */
public record InfraState(long kafkaPid, int kafkaPort, String bootstrapServers, int postgresPort, String postgresDataDir,
                         String postgresBin, String jdbcBaseUrl, String user) {
}

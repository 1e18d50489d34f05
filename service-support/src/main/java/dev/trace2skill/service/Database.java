package dev.trace2skill.service;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalPropertiesReader;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.flywaydb.core.Flyway;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * The service's PostgreSQL: an Agroal connection pool and Flyway migrations from {@code db/migration/<schema>}, run
 * at start-up. Each service owns one schema. Configuration: {@code t2s.datasource.jdbc-url}, {@code .username},
 * {@code .password}, {@code .schema}, {@code .max-size} (env {@code T2S_DATASOURCE_JDBC_URL}, ...).
 */
@ApplicationScoped
public class Database {
    private static final Logger LOG = Logger.getLogger(Database.class);

    @ConfigProperty(name = "t2s.datasource.jdbc-url")
    String url;
    @ConfigProperty(name = "t2s.datasource.username", defaultValue = "t2s")
    String username;
    @ConfigProperty(name = "t2s.datasource.password")
    java.util.Optional<String> password;
    @ConfigProperty(name = "t2s.datasource.schema")
    String schema;
    @ConfigProperty(name = "t2s.datasource.max-size", defaultValue = "20")
    int maxSize;

    private volatile AgroalDataSource pool;

    @Produces
    @Singleton
    DataSource dataSource() {
        return pool();
    }

    AgroalDataSource pool() {
        AgroalDataSource p = pool;
        if (p == null) {
            synchronized (this) {
                if (pool == null) {
                    pool = open();
                }
                p = pool;
            }
        }
        return p;
    }

    private AgroalDataSource open() {
        Map<String, String> props = new HashMap<>();
        props.put(AgroalPropertiesReader.JDBC_URL, url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema + ",public");
        props.put(AgroalPropertiesReader.PRINCIPAL, username);
        password.ifPresent(p -> props.put(AgroalPropertiesReader.CREDENTIAL, p));
        props.put(AgroalPropertiesReader.MAX_SIZE, Integer.toString(maxSize));
        props.put(AgroalPropertiesReader.MIN_SIZE, "0");
        props.put(AgroalPropertiesReader.INITIAL_SIZE, "1");
        props.put(AgroalPropertiesReader.ACQUISITION_TIMEOUT_S, "10");
        try {
            return AgroalDataSource.from(new AgroalPropertiesReader().readProperties(props).get());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the connection pool for " + url + ": " + e.getMessage(), e);
        }
    }

    void migrate(@Observes StartupEvent ev) {
        var result = Flyway.configure()
                .dataSource(pool())
                .schemas(schema)
                .defaultSchema(schema)
                .createSchemas(true)
                .locations("classpath:db/migration/" + schema)
                .load()
                .migrate();
        LOG.infof("database schema %s at version %s (%d migrations applied)", schema,
                result.targetSchemaVersion, result.migrationsExecuted);
    }

    void close(@Observes ShutdownEvent ev) {
        if (pool != null) {
            pool.close();
        }
    }

    public String schema() {
        return schema;
    }
}

package dev.trace2skill.service;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jdbi.v3.core.Jdbi;

/**
 * The stores' access to PostgreSQL: Jdbi over the service's Agroal datasource. The pool is configured by
 * {@code quarkus.datasource.*} (users set {@code T2S_DATASOURCE_JDBC_URL}, {@code _USERNAME}, {@code _PASSWORD}), the
 * schema is migrated at start-up by {@code quarkus.flyway.*} from {@code db/migration/<schema>}, and the datasource
 * extension reports readiness.
 */
@ApplicationScoped
public class Jdbis {
    @Produces
    @Singleton
    Jdbi jdbi(AgroalDataSource dataSource) {
        return Jdbi.create(dataSource);
    }
}

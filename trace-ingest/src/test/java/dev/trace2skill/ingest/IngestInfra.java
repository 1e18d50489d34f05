package dev.trace2skill.ingest;

import dev.trace2skill.testkit.InfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;

/** Every test of this module runs against one real Kafka broker and one real PostgreSQL (database t2s_ingest). */
@QuarkusTestResource(value = InfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "t2s_ingest"))
public final class IngestInfra {
    public static final String TOKEN = "dev-token";

    private IngestInfra() {
    }
}

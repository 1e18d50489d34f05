package dev.trace2skill.worker;

import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.pipeline.AnalysisJob;
import dev.trace2skill.core.trajectory.Trajectory;
import dev.trace2skill.service.MemoryBudget;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.configuration.MemorySize;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;
import org.eclipse.microprofile.rest.client.inject.RestClient;


/**
 * What a job needs before its analysis starts: its share of the worker's memory budget, and its trajectory when the job
 * refers to it instead of inlining it. Jobs in flight hold, together, at most {@code t2s.worker.memory-budget}
 * (default: half the maximum heap): each reserves {@value #FACTOR}× its trajectory's size (the JSON text, the parsed
 * trajectory, its rendering for the prompt) before reading it, and returns it when its result is published, so a burst
 * of jobs over large trajectories waits instead of exhausting the heap. A job larger than the whole budget takes the
 * whole budget.
 */
@ApplicationScoped
public class JobResources {
    static final int FACTOR = 4;

    @Inject
    @RestClient
    IngestApi ingest;
    @Inject
    MeterRegistry registry;

    @ConfigProperty(name = "t2s.api.token")
    String token;
    @ConfigProperty(name = "quarkus.rest-client.ingest.url", defaultValue = "http://127.0.0.1:8081")
    String ingestUrl;
    @Inject
    WorkerConfig config;

    private MemoryBudget budget;

    @PostConstruct
    void init() {
        budget = new MemoryBudget(config.memoryBudget().map(MemorySize::asLongValue).orElse(MemoryBudget.halfTheHeap()), registry,
                "t2s.worker.memory", "analyses in flight");
    }

    /** Waits for the job's share: {@value #FACTOR}× the bytes of its message or of the trajectory it refers to. */
    public MemoryBudget.Reservation reserve(AnalysisJob job, long messageBytes) throws InterruptedException {
        long bytes = job.byReference() ? Math.max(messageBytes, job.trajectoryRef().bytes()) : messageBytes;
        return budget.reserve(FACTOR * bytes);
    }

    /** The job with its trajectory: as it came, or read from trace-ingest when the job refers to it. */
    public AnalysisJob resolve(AnalysisJob job) {
        if (!job.byReference()) {
            return job;
        }
        String id = job.trajectoryRef().id();
        String body;
        try {
            body = ingest.trajectory("Bearer " + token, id);
        } catch (WebApplicationException e) {
            throw new TrajectoryUnavailableException("trace-ingest answered " + e.getResponse().getStatus() + " for trajectory " + id, e);
        } catch (ProcessingException | TimeoutException e) {
            throw new TrajectoryUnavailableException("trace-ingest at " + ingestUrl + " is unreachable for trajectory " + id + ": "
                    + e.getMessage(), e);
        }
        Trajectory t;
        try {
            t = Json.read(body, Trajectory.class);
        } catch (RuntimeException e) {
            throw new TrajectoryUnavailableException("trajectory " + id + " from trace-ingest cannot be read: " + e.getMessage(), e);
        }
        if (!id.equals(t.id())) {
            throw new TrajectoryUnavailableException("trace-ingest answered trajectory " + t.id() + " for " + id, null);
        }
        return job.withTrajectory(t);
    }

    /** The trajectory a job refers to could not be read: the job is recorded as failed with this reason. */
    public static final class TrajectoryUnavailableException extends RuntimeException {
        TrajectoryUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}

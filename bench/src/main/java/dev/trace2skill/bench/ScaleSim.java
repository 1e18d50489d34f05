package dev.trace2skill.bench;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * A discrete-event model of the pipeline (issue 18): push → run launch → analyses → hierarchical merge → S*.
 *
 * <p>Every trajectory is one job. Resources are queues with servers:
 * <ul>
 *   <li>trace-ingest: {@code ingestReplicas} servers, each storing one trajectory in 1 / {@code ingestRate} s;</li>
 *   <li>the Kafka broker: {@code brokerCores} servers, {@code kafkaMsPerRecord} of broker CPU per record (a job
 *       published, a patch published);</li>
 *   <li>PostgreSQL: {@code pgCores} servers, {@code pgMsPerRecord} per row written (the worker's ledger row and the
 *       merger's pool row per patch);</li>
 *   <li>analyst workers: min(W, partitions) consuming replicas (a partition has one consumer), each admitting
 *       {@code inFlight} jobs and running their CPU work ({@code workerCpuMs} per analysis) on {@code workerCores};</li>
 *   <li>the model server: {@code slotsPerGpu · gpus} slots; a call holds one slot for L (analysis) or L_merge
 *       (merge node); calls beyond the slots queue (FIFO).</li>
 * </ul>
 * A job's analysis is {@code calls} sequential model calls (a success analysis 1, an error analysis {@code errorCalls};
 * a fractional mean is drawn per job), with the worker's CPU in turns around them (before each call: reading the job,
 * building the prompt, running the tool the last answer asked for; after the last: validating the patch), each call
 * holding a slot of its role for its L (success and error analysts may have slots and latencies of their own) and then
 * the client's overhead beyond L (HTTP and JSON, holding no slot); its patch is published, then written to PostgreSQL,
 * and only then is its in-flight slot freed. Jobs are published by trace-ingest (its CPU per job, then the broker's).
 * The merge starts {@code mergeStartS} after the last patch is stored (the merger's pool check and ordering) and goes
 * level by level over the |P| patches that were pooled (level l waits for every node of level l-1, as the merger's
 * hierarchical merge does), each node the merger's CPU and one call of L_merge on the merge operator's slots, at most
 * {@code mergeConcurrency} nodes at once. Then S* is applied and stored ({@code applyS}).
 *
 * <p>Not modelled: model latency that grows with batch size (L is fixed per call, as in the latency-simulating
 * server), network time, GC pauses, redeliveries. Its inputs are the per-stage costs measured by WorkerBench and
 * IngestBench (see the README); it prints what it assumed.
 */
public final class ScaleSim {

    /**
     * What the model is given. Times in seconds unless the name says ms.
     *
     * @param successCalls    mean model calls per success analysis (a fraction is drawn per job: 1.2 is 1 call or 2)
     * @param errorCalls      mean model calls per error analysis
     * @param latencyS        L of a success analyst's call
     * @param slotsPerGpu     K of the success analysts per GPU (and of every role that shares their slots)
     * @param errorLatencyS   L of an error analyst's call
     * @param errorSlots      K of the error analysts, or 0 when they share the success analysts' slots
     * @param mergeSlots      K of the merge operator, or 0 when it shares the analysts' slots
     * @param patches         patches merged (|P|: trajectories whose analysis proposed one), or 0 for all trajectories
     * @param publishMsPerJob trace-ingest's CPU per job it publishes (reading the trajectory, writing the job), on one core
     * @param mergeCpuMs      the merger's CPU per merge node (validation, attribution check, storing the node)
     * @param mergerCores     cores the merger's CPU work runs on
     * @param mergeStartS     from the last patch stored to the first merge node started (pool check, ordering the pool)
     * @param applyS          from the root node to S* stored (apply, fit, validate, register)
     * @param callOverheadS   what an analyst's model call takes beyond L as the worker sees it (request and answer over
     *                        HTTP, JSON), holding no model slot
     * @param mergeCallOverheadS the same for the merger's calls
     * @param hostCores       0 when every process has cores of its own (workerCores each, brokerCores, pgCores, mergerCores,
     *                        a core for trace-ingest); otherwise all of them run on one host with this many cores free for
     *                        them (a fraction counts: 1.2 cores are 2 servers at 60% speed)
     */
    public record Params(long trajectories, double errorShare, double successCalls, double errorCalls, double latencyS,
                         double mergeLatencyS, int slotsPerGpu, int gpus, int workers, int inFlight, int partitions,
                         double workerCpuMs, double workerCores, double kafkaMsPerRecord, int brokerCores,
                         double pgMsPerRecord, int pgCores, double ingestRate, int ingestReplicas, int branching,
                         int mergeConcurrency, double applyS, double errorLatencyS, int errorSlots, int mergeSlots, long patches,
                         double publishMsPerJob, double mergeCpuMs, int mergerCores, double mergeStartS, double callOverheadS,
                         double mergeCallOverheadS, double hostCores) {
        public Params {
            if (trajectories < 1 || successCalls < 1 || errorCalls < 1 || slotsPerGpu < 1 || gpus < 1 || workers < 1 || inFlight < 1
                    || partitions < 1 || branching < 2 || mergeConcurrency < 1 || brokerCores < 1 || pgCores < 1 || ingestReplicas < 1
                    || workerCores <= 0 || ingestRate <= 0 || errorShare < 0 || errorShare > 1 || errorSlots < 0 || mergeSlots < 0
                    || patches < 0 || patches > trajectories || mergerCores < 1 || publishMsPerJob < 0 || mergeCpuMs < 0 || mergeStartS < 0
                    || callOverheadS < 0 || mergeCallOverheadS < 0 || hostCores < 0) {
                throw new IllegalArgumentException("invalid simulation parameters: " + this);
            }
        }

        /** One latency and one pool of slots for every role, every trajectory merged, no per-job publish or merge CPU. */
        public Params(long trajectories, double errorShare, double successCalls, double errorCalls, double latencyS,
                      double mergeLatencyS, int slotsPerGpu, int gpus, int workers, int inFlight, int partitions,
                      double workerCpuMs, double workerCores, double kafkaMsPerRecord, int brokerCores,
                      double pgMsPerRecord, int pgCores, double ingestRate, int ingestReplicas, int branching,
                      int mergeConcurrency, double applyS) {
            this(trajectories, errorShare, successCalls, errorCalls, latencyS, mergeLatencyS, slotsPerGpu, gpus, workers, inFlight, partitions,
                    workerCpuMs, workerCores, kafkaMsPerRecord, brokerCores, pgMsPerRecord, pgCores, ingestRate, ingestReplicas, branching,
                    mergeConcurrency, applyS, latencyS, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0);
        }

        int slots() {
            return slotsPerGpu * gpus;
        }

        /** Slots the analyses can use at once: the success analysts' and, when separate, the error analysts'. */
        int analysisSlots() {
            return slots() + (errorSlots > 0 ? errorSlots * gpus : 0);
        }

        int mergeSlotCount() {
            return mergeSlots > 0 ? mergeSlots * gpus : slots();
        }

        long merged() {
            return patches > 0 ? patches : trajectories;
        }

        int consumers() {
            return Math.min(workers, partitions);
        }

        double meanCalls() {
            return (1 - errorShare) * successCalls + errorShare * errorCalls;
        }

        /** L of the analyses' calls, weighted by how many calls each role makes. */
        double meanLatencyS() {
            double s = (1 - errorShare) * successCalls;
            double e = errorShare * errorCalls;
            return (s * latencyS + e * errorLatencyS) / (s + e);
        }

        Params with(long n, int gpus, int workers, int partitions, int mergeConcurrency) {
            return new Params(n, errorShare, successCalls, errorCalls, latencyS, mergeLatencyS, slotsPerGpu, gpus, workers, inFlight,
                    partitions, workerCpuMs, workerCores, kafkaMsPerRecord, brokerCores, pgMsPerRecord, pgCores, ingestRate,
                    ingestReplicas, branching, mergeConcurrency, applyS, errorLatencyS, errorSlots, mergeSlots, patches > n ? 0 : patches,
                    publishMsPerJob, mergeCpuMs, mergerCores, mergeStartS, callOverheadS, mergeCallOverheadS, hostCores);
        }

        /** The same with the model calls' overhead beyond L as the services saw it. */
        public Params withCallOverheads(double analyst, double merge) {
            return new Params(trajectories, errorShare, successCalls, errorCalls, latencyS, mergeLatencyS, slotsPerGpu, gpus, workers, inFlight,
                    partitions, workerCpuMs, workerCores, kafkaMsPerRecord, brokerCores, pgMsPerRecord, pgCores, ingestRate,
                    ingestReplicas, branching, mergeConcurrency, applyS, errorLatencyS, errorSlots, mergeSlots, patches,
                    publishMsPerJob, mergeCpuMs, mergerCores, mergeStartS, analyst, merge, hostCores);
        }

        /** The same with every process on one host with {@code cores} free for them (0: cores of their own). */
        public Params onHost(double cores) {
            return new Params(trajectories, errorShare, successCalls, errorCalls, latencyS, mergeLatencyS, slotsPerGpu, gpus, workers, inFlight,
                    partitions, workerCpuMs, workerCores, kafkaMsPerRecord, brokerCores, pgMsPerRecord, pgCores, ingestRate,
                    ingestReplicas, branching, mergeConcurrency, applyS, errorLatencyS, errorSlots, mergeSlots, patches,
                    publishMsPerJob, mergeCpuMs, mergerCores, mergeStartS, callOverheadS, mergeCallOverheadS, cores);
        }
    }

    /** What the model predicts: phase ends (seconds from the first push) and the loads. */
    public record Result(double ingestEnd, double publishEnd, double analysisEnd, List<Double> mergeLevelEnds, double wall,
                         double idealAnalysis, double idealMerge, long modelCalls, double modelBusy, double workerCpuUtil,
                         double brokerUtil, double pgUtil, long kafkaRecords, long pgRows, long events) {
        public double ideal() {
            return idealAnalysis + idealMerge;
        }

        public double mergeTime() {
            return mergeLevelEnds.isEmpty() ? 0 : mergeLevelEnds.getLast() - analysisEnd;
        }

        /**
         * Where the wall time goes beyond the model-bound ideal: the phase with the largest excess over its own ideal
         * (pushing and publishing have none), or "none" when the run is within 5% of the ideal.
         */
        public String bottleneck() {
            double ingest = ingestEnd;
            double publish = publishEnd - ingestEnd;
            double analysis = analysisEnd - publishEnd - idealAnalysis;
            double merge = mergeTime() - idealMerge;
            if (wall <= 1.05 * ideal()) {
                return "none (at the ideal)";
            }
            double max = Math.max(Math.max(ingest, publish), Math.max(analysis, merge));
            if (max == publish) {
                return String.format(Locale.ROOT, "publishing the jobs (broker %.0f%%)", 100 * brokerUtil);
            }
            if (max == ingest) {
                return "pushing (trace-ingest)";
            }
            if (max == merge) {
                return "merge";
            }
            return workerCpuUtil > 0.9 ? "worker CPU" : brokerUtil > 0.9 ? "Kafka broker" : pgUtil > 0.9 ? "PostgreSQL" : "analysis";
        }
    }

    /**
     * The model-bound ideal of the issue: analysis ⌈N·c / min(K, W·C)⌉·L + merge Σ_l ⌈g_l / min(m, K_merge)⌉·L_merge, with
     * K the analysts' slots, L their call-weighted latency and g_l = ⌈g_{l-1} / B⌉ nodes from g_0 = |P|.
     */
    public static double[] ideal(Params p) {
        double calls = p.trajectories() * p.meanCalls();
        long parallel = Math.min((long) p.analysisSlots(), (long) p.consumers() * p.inFlight());
        double analysis = Math.ceil(calls / parallel - 1e-9) * p.meanLatencyS();
        double merge = 0;
        for (long g : levels(p.merged(), p.branching())) {
            merge += Math.ceil(g / (double) Math.min(p.mergeConcurrency(), p.mergeSlotCount())) * p.mergeLatencyS();
        }
        return new double[]{analysis, merge};
    }

    /** Nodes per merge level for |P| patches and branching B: ⌈|P|/B⌉, ⌈|P|/B²⌉, ... down to the root. */
    public static List<Long> levels(long patches, int branching) {
        List<Long> out = new ArrayList<>();
        long n = patches;
        while (n > 1) {
            n = (n + branching - 1) / branching;
            out.add(n);
        }
        return out;
    }

    // ---------------------------------------------------------------- the event engine

    private record Event(double at, long seq, Runnable action) {
    }

    private final PriorityQueue<Event> events = new PriorityQueue<>((a, b) -> a.at != b.at ? Double.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private double now;
    private long seq;
    private long handled;

    private void at(double time, Runnable action) {
        events.add(new Event(time, seq++, action));
    }

    private void run() {
        while (!events.isEmpty()) {
            Event e = events.poll();
            now = e.at;
            handled++;
            e.action.run();
        }
    }

    /** A FIFO queue in front of {@code servers} identical servers. */
    private final class Station {
        private final int servers;
        private final ArrayDeque<Object[]> waiting = new ArrayDeque<>();
        private int busy;
        double busyTime;

        Station(int servers) {
            this.servers = servers;
        }

        void submit(double service, Runnable done) {
            if (busy < servers) {
                start(service, done);
            } else {
                waiting.add(new Object[]{service, done});
            }
        }

        private void start(double service, Runnable done) {
            busy++;
            busyTime += service;
            at(now + service, () -> {
                busy--;
                Object[] next = waiting.poll();
                if (next != null) {
                    start((Double) next[0], (Runnable) next[1]);
                }
                done.run();
            });
        }
    }

    /** Admission of at most {@code permits} holders; the rest wait in order. */
    private static final class Gate {
        private int free;
        private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();

        Gate(int permits) {
            free = permits;
        }

        void acquire(Runnable then) {
            if (free > 0) {
                free--;
                then.run();
            } else {
                waiting.add(then);
            }
        }

        void release() {
            Runnable next = waiting.poll();
            if (next != null) {
                next.run();
            } else {
                free++;
            }
        }
    }

    // ---------------------------------------------------------------- the pipeline

    public static Result simulate(Params p) {
        return new ScaleSim().pipeline(p);
    }

    private Result pipeline(Params p) {
        Station ingest = new Station(p.ingestReplicas());
        // on a shared host every process's CPU work queues for the same cores, at the speed of the share left to them
        Station host = p.hostCores() > 0 ? new Station((int) Math.ceil(p.hostCores())) : null;
        double hostSlow = p.hostCores() > 0 ? Math.ceil(p.hostCores()) / p.hostCores() : 1;
        Station publisher = host != null ? host : new Station(1);
        Station broker = host != null ? host : new Station(p.brokerCores());
        Station pg = host != null ? host : new Station(p.pgCores());
        Station model = new Station(p.slots());
        Station errorModel = p.errorSlots() > 0 ? new Station(p.errorSlots() * p.gpus()) : model;
        Station mergeModel = p.mergeSlots() > 0 ? new Station(p.mergeSlots() * p.gpus()) : model;
        Station mergerCpu = host != null ? host : new Station(p.mergerCores());
        int consumers = p.consumers();
        List<Station> cpus = new ArrayList<>();
        List<Gate> admission = new ArrayList<>();
        for (int w = 0; w < consumers; w++) {
            cpus.add(host != null ? host : new Station(Math.max(1, (int) Math.ceil(p.workerCores()))));
            admission.add(new Gate(p.inFlight()));
        }
        // a fractional CPU limit slows every core
        double cpuScale = host != null ? 1 / hostSlow : p.workerCores() / Math.ceil(p.workerCores());
        double cpuS = p.workerCpuMs() / 1e3 / cpuScale;
        double kafkaS = p.kafkaMsPerRecord() / 1e3 * hostSlow;
        double pgS = p.pgMsPerRecord() / 1e3 * hostSlow;
        double publishS = p.publishMsPerJob() / 1e3 * hostSlow;
        long n = p.trajectories();
        // which trajectories failed, and how many calls each analysis makes: a fixed pseudo-random draw (so failures
        // do not line up with partitions, and a fractional mean is met on average)
        java.util.SplittableRandom draw = new java.util.SplittableRandom(18);
        java.util.BitSet failedRun = new java.util.BitSet();
        int[] callsOf = new int[(int) n];
        for (int j = 0; j < n; j++) {
            boolean failed = draw.nextDouble() < p.errorShare();
            if (failed) {
                failedRun.set(j);
            }
            double mean = failed ? p.errorCalls() : p.successCalls();
            int whole = (int) Math.floor(mean);
            callsOf[j] = whole + (draw.nextDouble() < mean - whole ? 1 : 0);
        }
        double[] ingestEnd = {0};
        double[] publishEnd = {0};
        double[] analysisEnd = {0};
        long[] ingested = {0};
        long[] stored = {0};
        long[] calls = {0};
        long[] kafka = {0};
        long[] rows = {0};
        List<Double> levelEnds = new ArrayList<>();

        Runnable merge = () -> at(now + p.mergeStartS(), () -> mergeLevels(p, mergeModel, mergerCpu, levels(p.merged(), p.branching()), 0,
                levelEnds, calls));

        // the analysis of job j: admission on its partition's consumer, CPU, the model calls, publish, store
        java.util.function.LongConsumer analyse = j -> {
            int worker = (int) ((j % p.partitions()) % consumers);
            boolean failed = failedRun.get((int) j);
            int c = callsOf[(int) j];
            Station lane = failed ? errorModel : model;
            double latency = failed ? p.errorLatencyS() : p.latencyS();
            Gate gate = admission.get(worker);
            Station cpu = cpus.get(worker);
            // the worker's CPU comes in turns: before each model call (reading the job, building the prompt, running the
            // tool the last answer asked for) and after the last (validating the patch)
            double turnS = cpuS / (c + 1);
            gate.acquire(() -> turns(cpu, turnS, lane, latency, p.callOverheadS(), c, calls, () -> cpu.submit(turnS, () -> {
                kafka[0]++;
                broker.submit(kafkaS, () -> {
                    rows[0] += 2;
                    pg.submit(2 * pgS, () -> {
                        gate.release();
                        if (++stored[0] == n) {
                            analysisEnd[0] = now;
                            merge.run();
                        }
                    });
                });
            })));
        };

        // pushes, then the run's launch: trace-ingest reads and writes each job, the broker takes it
        for (long i = 0; i < n; i++) {
            at(0, () -> ingest.submit(1.0 / p.ingestRate(), () -> {
                rows[0]++;
                if (++ingested[0] == n) {
                    ingestEnd[0] = now;
                    for (long j = 0; j < n; j++) {
                        long job = j;
                        publisher.submit(publishS, () -> {
                            kafka[0]++;
                            broker.submit(kafkaS, () -> {
                                if (job == n - 1) {
                                    publishEnd[0] = now;
                                }
                                analyse.accept(job);
                            });
                        });
                    }
                }
            }));
        }
        run();
        double mergeEnd = levelEnds.isEmpty() ? analysisEnd[0] : levelEnds.getLast();
        double wall = mergeEnd + p.applyS();
        double[] ideal = ideal(p);
        double span = Math.max(1e-9, analysisEnd[0] - ingestEnd[0]);
        double cpuBusy = 0;
        for (Station s : host != null ? List.of(host) : cpus) {
            cpuBusy += s.busyTime * cpuScale;
        }
        double slotTime = p.slots() + (errorModel != model ? p.errorSlots() * p.gpus() : 0) + (mergeModel != model ? p.mergeSlots() * p.gpus() : 0);
        double busy = model.busyTime + (errorModel != model ? errorModel.busyTime : 0) + (mergeModel != model ? mergeModel.busyTime : 0);
        return new Result(ingestEnd[0], publishEnd[0], analysisEnd[0], List.copyOf(levelEnds), wall, ideal[0], ideal[1], calls[0],
                busy / (slotTime * Math.max(1e-9, wall)), cpuBusy / (consumers * p.workerCores() * span),
                broker.busyTime / (p.brokerCores() * span), pg.busyTime / (p.pgCores() * span), kafka[0], rows[0], handled);
    }

    /** {@code remaining} turns of the worker's CPU, then a model call of {@code latency} and the client's overhead; then {@code done}. */
    private void turns(Station cpu, double turnS, Station model, double latency, double overhead, int remaining, long[] calls, Runnable done) {
        if (remaining <= 0) {
            done.run();
            return;
        }
        cpu.submit(turnS, () -> {
            calls[0]++;
            model.submit(latency, () -> at(now + overhead, () -> turns(cpu, turnS, model, latency, overhead, remaining - 1, calls, done)));
        });
    }

    /** {@code remaining} sequential calls of {@code latency} each, then {@code done}. */
    private void call(Station model, double latency, int remaining, long[] calls, Runnable done) {
        if (remaining <= 0) {
            done.run();
            return;
        }
        calls[0]++;
        model.submit(latency, remaining == 1 ? done : () -> call(model, latency, remaining - 1, calls, done));
    }

    /**
     * Level by level, as the merger does: level l has g_l nodes, at most m at once, each the merger's CPU for a node
     * and one call of L_merge; a level starts when every node of the one below is stored.
     */
    private void mergeLevels(Params p, Station model, Station cpu, List<Long> levels, int level, List<Double> levelEnds, long[] calls) {
        if (level >= levels.size()) {
            return;
        }
        long groups = levels.get(level);
        Gate concurrency = new Gate(p.mergeConcurrency());
        long[] done = {0};
        double cpuS = p.mergeCpuMs() / 1e3 * (p.hostCores() > 0 ? Math.ceil(p.hostCores()) / p.hostCores() : 1);
        for (long g = 0; g < groups; g++) {
            concurrency.acquire(() -> cpu.submit(cpuS, () -> call(model, p.mergeLatencyS(), 1, calls, () -> at(now + p.mergeCallOverheadS(), () -> {
                concurrency.release();
                if (++done[0] == groups) {
                    levelEnds.add(now);
                    mergeLevels(p, model, cpu, levels, level + 1, levelEnds, calls);
                }
            }))));
        }
    }

    // ---------------------------------------------------------------- the program

    public static void main(String[] argv) {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("n", "10000,100000,1000000");
        d.put("error-share", "0.5");
        d.put("success-calls", "1");
        d.put("error-calls", "3");
        d.put("latency-ms", "2000");
        d.put("merge-latency-ms", "2000");
        d.put("slots-per-gpu", "64");
        d.put("gpus", "");
        d.put("workers", "");
        d.put("in-flight", "128");
        d.put("partitions", "");
        d.put("worker-cpu-ms", "2.7");
        d.put("worker-cores", "1");
        d.put("kafka-ms-per-record", "1.6");
        d.put("broker-cores", "2");
        d.put("pg-ms-per-row", "0.57");
        d.put("pg-cores", "2");
        d.put("ingest-rate", "3800");
        d.put("ingest-replicas", "2");
        d.put("branching", "5");
        d.put("merge-concurrency", "4");
        d.put("apply-ms", "500");
        d.put("target-hours", "1");
        Args a = new Args(argv, d, "ScaleSim: a discrete-event model of the pipeline for N up to 10^6 trajectories");
        Params base = new Params(1, Double.parseDouble(a.get("error-share")), a.decimal("success-calls"), a.decimal("error-calls"),
                a.longValue("latency-ms") / 1e3, a.longValue("merge-latency-ms") / 1e3, a.integer("slots-per-gpu"), 1, 1,
                a.integer("in-flight"), 1, Double.parseDouble(a.get("worker-cpu-ms")), Double.parseDouble(a.get("worker-cores")),
                Double.parseDouble(a.get("kafka-ms-per-record")), a.integer("broker-cores"), Double.parseDouble(a.get("pg-ms-per-row")),
                a.integer("pg-cores"), Double.parseDouble(a.get("ingest-rate")), a.integer("ingest-replicas"), a.integer("branching"),
                a.integer("merge-concurrency"), a.longValue("apply-ms") / 1e3);
        System.out.printf(Locale.ROOT, "assumed: L = %.1f s per analysis call, L_merge = %.1f s, c = %.2f calls per analysis (%.0f%% error analyses of %.1f calls),"
                        + " K = %d slots per GPU, C = %d in flight per worker, %.2f ms worker CPU per analysis on %.1f core(s),"
                        + " %.2f ms broker CPU per record on %d cores, %.2f ms PostgreSQL per row on %d cores, ingest %.0f/s per replica x %d, B = %d%n",
                base.latencyS(), base.mergeLatencyS(), base.meanCalls(), 100 * base.errorShare(), base.errorCalls(), base.slotsPerGpu(),
                base.inFlight(), base.workerCpuMs(), base.workerCores(), base.kafkaMsPerRecord(), base.brokerCores(), base.pgMsPerRecord(),
                base.pgCores(), base.ingestRate(), base.ingestReplicas(), base.branching());
        double target = Double.parseDouble(a.get("target-hours")) * 3600;
        System.out.println("| N | GPUs | workers | partitions | merger m | wall | ideal | wall/ideal | push | publish | analysis | merge | beyond the ideal | model busy | worker CPU | broker | PostgreSQL | Kafka rec/s | PG rows/s |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (String s : a.get("n").split(",")) {
            long n = Long.parseLong(s.strip());
            Params p = a.get("gpus").isBlank() ? sized(base, n, target) : base.with(n, a.integer("gpus"),
                    a.get("workers").isBlank() ? 1 : a.integer("workers"),
                    a.get("partitions").isBlank() ? 16 : a.integer("partitions"), base.mergeConcurrency());
            if (a.get("gpus").isBlank()) {
                Result chart = simulate(p.with(n, p.gpus(), p.workers(), p.partitions(), base.mergeConcurrency()));
                row(p.with(n, p.gpus(), p.workers(), p.partitions(), base.mergeConcurrency()), chart);
            }
            row(p, simulate(p));
        }
    }

    /**
     * The smallest deployment that finishes N within the target: enough GPUs that the analysis ideal fits, workers so
     * W·C ≥ K (and their CPU stays under 70%), partitions = workers, merger concurrency = K.
     */
    static Params sized(Params base, long n, double targetS) {
        double calls = n * base.meanCalls();
        int gpus = (int) Math.max(1, Math.ceil(calls * base.latencyS() / (0.8 * targetS) / base.slotsPerGpu()));
        int slots = gpus * base.slotsPerGpu();
        int byInFlight = (int) Math.ceil(slots / (double) base.inFlight());
        double analysesPerS = slots / (base.meanCalls() * base.latencyS());
        int byCpu = (int) Math.ceil(analysesPerS * base.workerCpuMs() / 1e3 / (0.7 * base.workerCores()));
        int workers = Math.max(byInFlight, byCpu);
        return base.with(n, gpus, workers, workers, slots);
    }

    static void row(Params p, Result r) {
        double span = Math.max(1e-9, r.analysisEnd() - r.ingestEnd());
        System.out.printf(Locale.ROOT, "| %,d | %d | %d | %d | %d | %s | %s | %.2f | %s | %s | %s | %s | %s | %.0f%% | %.0f%% | %.0f%% | %.0f%% | %,.0f | %,.0f |%n",
                p.trajectories(), p.gpus(), p.workers(), p.partitions(), p.mergeConcurrency(), hms(r.wall()), hms(r.ideal()),
                r.wall() / r.ideal(), hms(r.ingestEnd()), hms(r.publishEnd() - r.ingestEnd()), hms(r.analysisEnd() - r.publishEnd()), hms(r.mergeTime()), r.bottleneck(), 100 * r.modelBusy(),
                100 * r.workerCpuUtil(), 100 * r.brokerUtil(), 100 * r.pgUtil(), r.kafkaRecords() / span, r.pgRows() / span);
    }

    static String hms(double s) {
        if (s < 120) {
            return String.format(Locale.ROOT, "%.1f s", s);
        }
        if (s < 7200) {
            return String.format(Locale.ROOT, "%.1f min", s / 60);
        }
        return String.format(Locale.ROOT, "%.1f h", s / 3600);
    }
}

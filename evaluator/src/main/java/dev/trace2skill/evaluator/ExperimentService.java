package dev.trace2skill.evaluator;

import dev.trace2skill.core.experiment.LeakageCheck;
import dev.trace2skill.core.experiment.TaskSplit;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.pipeline.ModelSettings;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.skill.SkillValidator;
import dev.trace2skill.core.skill.Violation;
import dev.trace2skill.core.tasks.Task;
import dev.trace2skill.model.ModelGateway;
import dev.trace2skill.service.Problem;
import dev.trace2skill.service.Problem.FieldProblem;
import dev.trace2skill.service.Violations;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.validation.Validator;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;

/**
 * Accepts an experiment: checks the request (its fields, the pool of tasks, the split, the models, S0), refuses a S0
 * that holds held-out tasks or answers (422 naming the skill and the file), registers an inline S0, stores the
 * experiment with its split, and hands it to the {@link ExperimentRunner}.
 */
@ApplicationScoped
public class ExperimentService {
    @Inject
    ExperimentStore store;
    @Inject
    TaskSource tasks;
    @Inject
    IngestClient ingest;
    @Inject
    ModelGateway models;
    @Inject
    EvaluatorConfig config;
    @Inject
    ExperimentRunner runner;
    @Inject
    Validator validator;

    /** What was accepted. */
    public record Accepted(String id, ExperimentStatus status, ExperimentStatus.Stage stage, String mode, String s0, int evolveTasks,
                           int testTasks, int rounds, List<String> users) {
    }

    public Accepted accept(ExperimentRequest raw) {
        if (raw == null) {
            throw Problem.of(400, "Missing body", "send an experiment request as JSON").failure();
        }
        List<FieldProblem> problems = new ArrayList<>(Violations.problems(validator.validate(raw)));
        if (EvaluationRequest.INLINE.equals(raw.taskset())) {
            problems.addAll(TaskSource.problems(raw.tasks()));
        }
        List<Task> pool = pool(raw, problems);
        TaskSplit split = null;
        if (!pool.isEmpty()) {
            ExperimentRequest.Split s = raw.split();
            try {
                split = TaskSplit.of(pool, s == null ? null : s.evolve(), s == null ? null : s.test(), s == null || s.seed() == null ? 0L : s.seed());
            } catch (IllegalArgumentException e) {
                String m = String.valueOf(e.getMessage());
                int colon = m.indexOf(':');
                problems.add(FieldProblem.of(colon > 0 ? m.substring(0, colon) : "split", colon > 0 ? m.substring(colon + 1).strip() : m));
            }
        }
        ModelSettings author = raw.author() == null ? ModelSettings.DEFAULTS : raw.author();
        String authorLabel = model(author, "author", problems);
        List<ModelSettings> users = raw.users() == null ? List.of(author) : raw.users();
        Map<String, ModelSettings> userLabels = new LinkedHashMap<>();
        for (int i = 0; raw.users() != null && i < users.size(); i++) {
            String label = users.get(i) == null ? null : model(users.get(i), "users[" + i + "]", problems);
            if (label != null && userLabels.putIfAbsent(label, users.get(i)) != null) {
                problems.add(FieldProblem.of("users[" + i + "].model", "model '" + label + "' is listed twice"));
            }
        }
        if (raw.users() == null && authorLabel != null) {
            userLabels.put(authorLabel, author);
        }
        S0 s0 = raw.s0() == null ? null : s0(raw.s0(), problems);
        if (!problems.isEmpty()) {
            throw Problem.of(422, "Invalid experiment", problems.size() + " problem(s) in the request", problems).failure();
        }

        List<Task> heldOut = split.testTasks(pool);
        if (s0.bundle() != null) {
            List<LeakageCheck.Leak> leaks = LeakageCheck.scan(s0.bundle(), heldOut);
            if (!leaks.isEmpty()) {
                throw leakProblem(s0.label(), leaks).failure();
            }
        }
        String s0Ref = s0.ref();
        if (s0Ref == null && s0.bundle() != null) {
            s0Ref = call(() -> ingest.registerSkill(s0.bundle()));
        }
        String id = "ex-" + HexFormat.of().formatHex(randomBytes());
        ExperimentRequest.S0 storedS0 = s0Ref != null ? new ExperimentRequest.S0(s0Ref, null, null, null) : raw.s0();
        ExperimentRequest normalised = new ExperimentRequest(raw.taskset(), raw.tasks(), raw.range(), raw.sample(),
                new ExperimentRequest.Split(split.evolve().size(), split.test().size(), split.seed()), storedS0, author,
                List.copyOf(userLabels.values()), raw.seeds() == null ? List.of(0) : raw.seeds(),
                raw.evolveSeeds() != null ? raw.evolveSeeds() : raw.seeds() == null ? List.of(0) : raw.seeds(), raw.run(),
                raw.roundsOrDefault(), raw.budget(), raw.concurrency() == null ? config.defaultConcurrency() : raw.concurrency(),
                raw.runnerOrDefault());
        ExperimentStatus.Stage first = s0Ref == null ? ExperimentStatus.Stage.DRAFTING : ExperimentStatus.Stage.STAGE1;
        store.create(id, Json.write(normalised), split, raw.mode().wire(), s0.name(), raw.budget() == null ? null : raw.budget().maxTokens(),
                raw.roundsOrDefault(), first, s0Ref);
        runner.start(id);
        return new Accepted(id, ExperimentStatus.RUNNING, first, raw.mode().wire(), s0Ref, split.evolve().size(), split.test().size(),
                raw.roundsOrDefault(), List.copyOf(userLabels.keySet()));
    }

    /** 422: a skill under test holds held-out tasks or answers; one field problem per leak, naming the skill and file. */
    static Problem leakProblem(String skill, List<LeakageCheck.Leak> leaks) {
        List<FieldProblem> errors = leaks.stream().map(l -> new FieldProblem(null, skill, "s0", l.describe())).toList();
        StringBuilder files = new StringBuilder();
        LeakageCheck.byFile(leaks).forEach((file, ids) -> files.append(files.isEmpty() ? "" : "; ").append(file).append(" (")
                .append(String.join(", ", ids.stream().limit(5).toList())).append(ids.size() > 5 ? ", …" : "").append(')'));
        return Problem.of(422, "Skill holds held-out tasks", skill + " holds tasks or answers of D_test: " + files
                + ". A skill tested on D_test must not contain it; remove them or split the tasks differently.", errors);
    }

    /** S0 as the request gives it: a registry reference, an inline skill (to register), or a name to draft. */
    record S0(String ref, String name, SkillBundle bundle, String label) {
    }

    private S0 s0(ExperimentRequest.S0 s, List<FieldProblem> problems) {
        if (s.ref() != null) {
            Matcher m = EvaluationService.SKILL_REF.matcher(s.ref());
            if (!m.matches()) {
                problems.add(FieldProblem.of("s0", "'" + s.ref() + "' is not name@version (e.g. refund-desk@1)"));
                return null;
            }
            Optional<SkillBundle> bundle = call(() -> ingest.skill(m.group(1), Integer.parseInt(m.group(2))));
            if (bundle.isEmpty()) {
                problems.add(FieldProblem.of("s0", "the registry has no skill " + s.ref()));
                return null;
            }
            return new S0(s.ref(), m.group(1), bundle.get(), s.ref());
        }
        if (s.name() == null || !SkillValidator.NAME_PATTERN.matcher(s.name()).matches() || s.name().length() > 64) {
            problems.add(FieldProblem.of("s0.name", "must match " + SkillValidator.NAME_PATTERN.pattern() + " (at most 64 characters)"));
            return null;
        }
        if (s.files() != null) {
            SkillBundle bundle;
            try {
                bundle = SkillBundle.ofText(s.name(), s.files());
            } catch (IllegalArgumentException e) {
                problems.add(FieldProblem.of("s0.files", e.getMessage()));
                return null;
            }
            List<Violation> violations = new SkillValidator().validate(bundle);
            for (Violation v : violations) {
                problems.add(FieldProblem.of("s0.files." + v.file(), v.rule() + ": " + v.message() + (v.value() == null ? "" : " (value: " + v.value() + ")")));
            }
            return violations.isEmpty() ? new S0(null, s.name(), bundle, s.name() + " (inline)") : null;
        }
        if (call(() -> ingest.latestVersion(s.name())).isPresent()) {
            problems.add(FieldProblem.of("s0.name", "the registry already has a skill " + s.name() + "; Creation drafts a new skill: use "
                    + "\"" + s.name() + "@<version>\" to evolve the existing one (Deepening), or choose another name"));
            return null;
        }
        return new S0(null, s.name(), null, s.name() + " (drafted)");
    }

    private String model(ModelSettings m, String field, List<FieldProblem> problems) {
        if (m.baseUrl() != null && !m.baseUrl().matches("^https?://.+")) {
            problems.add(FieldProblem.of(field + ".baseUrl", "must be an http(s) URL"));
            return null;
        }
        try {
            return models.resolve(m).model();
        } catch (IllegalArgumentException e) {
            problems.add(FieldProblem.of(field + ".endpoint", e.getMessage()));
            return null;
        }
    }

    private List<Task> pool(ExperimentRequest raw, List<FieldProblem> problems) {
        if (raw.taskset() == null || problems.stream().anyMatch(p -> p.field().startsWith("task") || p.field().startsWith("range")
                || p.field().startsWith("sample"))) {
            return List.of();
        }
        try {
            List<Task> selected = tasks.select(raw.pool());
            if (selected.size() < 2) {
                problems.add(FieldProblem.of("taskset", "selects " + selected.size() + " task(s); a split needs at least two"));
                return List.of();
            }
            return selected;
        } catch (IllegalArgumentException | IllegalStateException | java.io.UncheckedIOException e) {
            problems.add(FieldProblem.of(raw.range() != null && e.getMessage() != null && e.getMessage().startsWith("range") ? "range" : "taskset",
                    e.getMessage()));
            return List.of();
        }
    }

    /** A call to trace-ingest during acceptance: unreachable is a 502, a refusal a 422 with trace-ingest's words. */
    private static <T> T call(java.util.function.Supplier<T> c) {
        try {
            return c.get();
        } catch (IngestClient.IngestUnavailableException e) {
            throw Problem.of(502, "Skill registry unavailable", e.getMessage()).failure();
        } catch (IngestClient.IngestRefusedException e) {
            throw Problem.of(422, "Refused by the skill registry", e.detail()).failure();
        }
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[8];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }
}

package dev.trace2skill.evaluator;

import dev.trace2skill.core.eval.EvaluationPlan;
import dev.trace2skill.core.eval.EvaluationPlan.PlannedEpisode;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.pipeline.ModelSettings;
import dev.trace2skill.core.pipeline.SkillSnapshot;
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

import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Accepts an evaluation: validates the request (Bean Validation for its fields, then what needs the registry, the
 * model endpoints and the task data; every problem at once, each naming its field), freezes
 * the skill versions it names, selects the tasks, plans every episode, stores all of it, and hands the evaluation to
 * the built-in runner or publishes it to external runners.
 */
@ApplicationScoped
public class EvaluationService {
    static final Pattern SKILL_REF = Pattern.compile("^([a-z0-9]+(?:-[a-z0-9]+)*)@([0-9]{1,9})$");
    public static final String BUILTIN = EvaluationRequest.BUILTIN;
    public static final String EXTERNAL = EvaluationRequest.EXTERNAL;
    static final int MAX_EPISODES = 200_000;

    @Inject
    EvaluationStore store;
    @Inject
    TaskSource tasks;
    @Inject
    IngestClient ingest;
    @Inject
    ModelGateway models;
    @Inject
    EvaluatorConfig config;
    @Inject
    BuiltinRunner builtin;
    @Inject
    ExternalRunners external;
    @Inject
    Validator validator;

    /** What was accepted. */
    public record Accepted(String id, EvaluationStatus status, String runner, int episodes, int tasks, List<String> conditions) {
    }

    public Accepted accept(EvaluationRequest raw) {
        if (raw == null) {
            throw Problem.of(400, "Missing body", "send an evaluation request as JSON").failure();
        }
        List<FieldProblem> problems = new ArrayList<>(Violations.problems(validator.validate(raw)));
        String runner = raw.runnerOrDefault();
        boolean includeNoSkill = raw.includeNoSkill() == null || raw.includeNoSkill();
        Map<String, SkillSnapshot> skills = resolveSkills(raw.skills() == null ? List.of() : raw.skills(), problems);
        if (TaskSource.INLINE.equals(raw.taskset())) {
            problems.addAll(TaskSource.problems(raw.tasks()));
        }
        Map<String, ModelSettings> byLabel = resolveModels(raw.models(), problems);
        List<Integer> seeds = raw.seeds() == null || raw.seeds().isEmpty() ? List.of(0) : raw.seeds();
        int concurrency = raw.concurrency() == null ? config.defaultConcurrency() : raw.concurrency();
        Long maxTokens = raw.budget() == null ? null : raw.budget().maxTokens();
        Map<String, String> authors = raw.authors() == null ? Map.of() : raw.authors();
        for (String skill : authors.keySet()) {
            if (!skills.containsKey(skill)) {
                problems.add(FieldProblem.of("authors." + skill, "names a skill that is not evaluated; use the skill's name@version"));
            }
        }
        if (raw.sendTrajectories() != null && raw.sendTrajectories().skills() != null) {
            List<String> only = raw.sendTrajectories().skills();
            for (int i = 0; i < only.size(); i++) {
                String ref = only.get(i);
                if (ref == null || !(skills.containsKey(ref) || (EvaluationRequest.NONE.equals(ref) && includeNoSkill))) {
                    problems.add(FieldProblem.of("sendTrajectories.skills[" + i + "]", "'" + ref + "' is not evaluated here; name an evaluated "
                            + "skill's name@version" + (includeNoSkill ? ", or none" : "")));
                }
            }
        }
        if (raw.compare() != null) {
            for (int i = 0; i < raw.compare().size(); i++) {
                List<String> pair = raw.compare().get(i);
                for (int j = 0; pair != null && j < pair.size() && j < 2; j++) {
                    String ref = pair.get(j);
                    boolean known = ref != null && (skills.containsKey(ref) || (EvaluationRequest.NONE.equals(ref) && includeNoSkill));
                    if (ref != null && !known) {
                        problems.add(FieldProblem.of("compare[" + i + "][" + j + "]", "'" + ref + "' is not evaluated here; name an evaluated "
                                + "skill's name@version" + (includeNoSkill ? ", or none" : "")));
                    }
                }
            }
        }
        List<Task> selected = selectTasks(raw, problems);
        if (!problems.isEmpty()) {
            throw Problem.of(422, "Invalid evaluation", problems.size() + " problem(s) in the request", problems).failure();
        }

        String id = "ev-" + HexFormat.of().formatHex(randomBytes());
        Map<String, SkillBundle> bundles = new LinkedHashMap<>();
        skills.forEach((ref, snap) -> bundles.put(ref, snap.bundle()));
        List<PlannedEpisode> plan = EvaluationPlan.plan(id, bundles, includeNoSkill, List.copyOf(byLabel.keySet()), selected, seeds,
                Boolean.TRUE.equals(raw.ablation()));
        if (plan.size() > MAX_EPISODES) {
            throw Problem.of(422, "Evaluation too large", plan.size() + " episodes planned; at most " + MAX_EPISODES,
                    List.of(FieldProblem.of("range", "select fewer tasks, skills, models or seeds"))).failure();
        }
        EvaluationRequest normalised = new EvaluationRequest(
                skills.keySet().stream().map(r -> new EvaluationRequest.SkillRef(r, null, null)).toList(), includeNoSkill, raw.taskset(),
                raw.tasks(), raw.range(), raw.sample(), List.copyOf(byLabel.values()), seeds, concurrency, raw.budget(), runner,
                Boolean.TRUE.equals(raw.ablation()), authors.isEmpty() ? null : authors, raw.sendTrajectories(), raw.taskIds(), raw.compare());
        Instant deadline = EXTERNAL.equals(runner) ? Instant.now().plus(config.externalTimeout()) : null;
        store.create(id, runner, Json.write(normalised), maxTokens, deadline, skills, plan, null);
        if (EXTERNAL.equals(runner)) {
            external.publish(id, plan, byLabel);
        } else {
            builtin.start(id);
        }
        return new Accepted(id, EvaluationStatus.RUNNING, runner, plan.size(), selected.size(),
                EvaluationPlan.conditions(plan).values().stream().map(c -> c.label() + " · " + c.model()).toList());
    }

    /**
     * Starts an evaluation that is one stage of an experiment, under the id the experiment chose for it. The request
     * was built and checked by the experiment. When an evaluation of that id exists (the experiment resumed after a
     * restart) nothing is created again: a running built-in one is resumed by the runner at start-up.
     */
    public void startStage(String id, String experimentId, EvaluationRequest request, Map<String, SkillSnapshot> skills) {
        if (store.evaluation(id).isPresent()) {
            return;
        }
        List<Task> selected = tasks.select(request);
        Map<String, ModelSettings> byLabel = new LinkedHashMap<>();
        for (ModelSettings m : request.models()) {
            byLabel.put(models.resolve(m).model(), m);
        }
        Map<String, SkillBundle> bundles = new LinkedHashMap<>();
        skills.forEach((ref, snap) -> bundles.put(ref, snap.bundle()));
        List<PlannedEpisode> plan = EvaluationPlan.plan(id, bundles, Boolean.TRUE.equals(request.includeNoSkill()), List.copyOf(byLabel.keySet()),
                selected, request.seeds(), false);
        String runner = request.runnerOrDefault();
        Instant deadline = EXTERNAL.equals(runner) ? Instant.now().plus(config.externalTimeout()) : null;
        store.create(id, runner, Json.write(request), request.budget() == null ? null : request.budget().maxTokens(), deadline, skills, plan,
                experimentId);
        if (EXTERNAL.equals(runner)) {
            external.publish(id, plan, byLabel);
        } else {
            builtin.start(id);
        }
    }

    /** The price table of the reports. */
    public dev.trace2skill.core.eval.Prices prices() {
        Map<String, dev.trace2skill.core.eval.Prices.Price> prices = new LinkedHashMap<>();
        config.prices().forEach((model, p) -> prices.put(model, new dev.trace2skill.core.eval.Prices.Price(p.input(), p.output())));
        return new dev.trace2skill.core.eval.Prices(prices);
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[8];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }

    /** The skill-user models by label (the model name); each resolvable to an endpoint, none listed twice. */
    private Map<String, ModelSettings> resolveModels(List<ModelSettings> requested, List<FieldProblem> problems) {
        List<ModelSettings> modelSettings = requested == null || requested.isEmpty() ? List.of(ModelSettings.DEFAULTS) : requested;
        Map<String, ModelSettings> byLabel = new LinkedHashMap<>();
        for (int i = 0; i < modelSettings.size(); i++) {
            ModelSettings m = modelSettings.get(i);
            if (m == null) {
                problems.add(FieldProblem.of("models[" + i + "]", "must be an object {model, endpoint | baseUrl}"));
                continue;
            }
            try {
                ModelGateway.Target t = models.resolve(m);
                if (byLabel.putIfAbsent(t.model(), m) != null) {
                    problems.add(FieldProblem.of("models[" + i + "].model", "model '" + t.model() + "' is listed twice"));
                }
            } catch (ModelGateway.BaseUrlNotAllowed e) {
                // an evaluation sends skills and tasks to its models: only configured or allowed servers
                problems.add(FieldProblem.of("models[" + i + "].baseUrl", dev.trace2skill.core.pipeline.BaseUrls.refusal(m.baseUrl())));
            } catch (IllegalArgumentException e) {
                problems.add(FieldProblem.of("models[" + i + "].endpoint", e.getMessage()));
            }
        }
        return byLabel;
    }

    /** The tasks the request selects, once the fields that select them are valid. */
    private List<Task> selectTasks(EvaluationRequest raw, List<FieldProblem> problems) {
        if (problems.stream().anyMatch(p -> p.field().startsWith("task") || p.field().startsWith("range") || p.field().startsWith("sample"))) {
            return List.of();
        }
        try {
            List<Task> selected = tasks.select(raw);
            if (selected.isEmpty()) {
                problems.add(FieldProblem.of("taskset", "selects no tasks"));
            }
            return selected;
        } catch (IllegalArgumentException | IllegalStateException | java.io.UncheckedIOException e) {
            String m = e.getMessage() == null ? "" : e.getMessage();
            problems.add(FieldProblem.of(m.startsWith("taskIds:") ? "taskIds" : raw.range() != null && m.startsWith("range") ? "range" : "taskset",
                    m.startsWith("taskIds: ") ? m.substring("taskIds: ".length()) : m));
            return List.of();
        }
    }

    /** Skills by {@code name@version} from the registry, or inline (validated here, referenced by content hash). */
    private Map<String, SkillSnapshot> resolveSkills(List<EvaluationRequest.SkillRef> refs, List<FieldProblem> problems) {
        Map<String, SkillSnapshot> out = new LinkedHashMap<>();
        for (int i = 0; i < refs.size(); i++) {
            EvaluationRequest.SkillRef r = refs.get(i);
            String at = "skills[" + i + "]";
            if (r == null) {
                problems.add(FieldProblem.of(at, "a skill is \"name@version\" or {\"name\": ..., \"files\": {...}}"));
                continue;
            }
            if (r.ref() != null) {
                Matcher m = SKILL_REF.matcher(r.ref());
                if (!m.matches()) {
                    problems.add(FieldProblem.of(at, "'" + r.ref() + "' is not name@version (e.g. refund-desk@2)"));
                    continue;
                }
                Optional<SkillBundle> bundle;
                try {
                    bundle = ingest.skill(m.group(1), Integer.parseInt(m.group(2)));
                } catch (IngestClient.IngestUnavailableException e) {
                    throw Problem.of(502, "Skill registry unavailable", e.getMessage()).failure();
                }
                if (bundle.isEmpty()) {
                    problems.add(FieldProblem.of(at, "the registry has no skill " + r.ref()));
                } else if (out.putIfAbsent(r.ref(), SkillSnapshot.of(bundle.get(), Integer.parseInt(m.group(2)))) != null) {
                    problems.add(FieldProblem.of(at, r.ref() + " is listed twice"));
                }
                continue;
            }
            if (r.name() == null || r.files() == null || r.files().isEmpty()) {
                problems.add(FieldProblem.of(at, "an inline skill needs name and files {path: content}"));
                continue;
            }
            SkillBundle bundle;
            try {
                bundle = SkillBundle.ofText(r.name(), r.files());
            } catch (IllegalArgumentException e) {
                problems.add(FieldProblem.of(at + ".files", e.getMessage()));
                continue;
            }
            List<Violation> violations = new SkillValidator().validate(bundle);
            for (Violation v : violations) {
                problems.add(FieldProblem.of(at + ".files." + v.file(), v.rule() + ": " + v.message() + (v.value() == null ? "" : " (value: " + v.value() + ")")));
            }
            if (violations.isEmpty()) {
                String ref = r.name() + "@inline-" + bundle.contentHash().substring(0, 10);
                out.put(ref, SkillSnapshot.of(bundle, 0));
            }
        }
        return out;
    }
}

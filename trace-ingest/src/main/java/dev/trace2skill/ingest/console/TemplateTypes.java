package dev.trace2skill.ingest.console;

import io.quarkus.qute.TemplateData;

/** Value resolvers for the types of other modules that the console's templates read (no reflection at render time). */
@TemplateData(target = dev.trace2skill.ingest.RunView.class)
@TemplateData(target = dev.trace2skill.ingest.RunView.Counts.class)
@TemplateData(target = dev.trace2skill.ingest.RunView.Merge.class)
@TemplateData(target = dev.trace2skill.ingest.RunView.Tokens.class)
@TemplateData(target = dev.trace2skill.ingest.RunView.Pool.class)
@TemplateData(target = dev.trace2skill.ingest.RunStatus.class)
@TemplateData(target = dev.trace2skill.ingest.SkillStore.Skill.class)
@TemplateData(target = dev.trace2skill.ingest.SkillStore.Version.class)
@TemplateData(target = dev.trace2skill.core.pipeline.SkillSnapshot.class)
@TemplateData(target = dev.trace2skill.core.merge.Provenance.Line.class)
@TemplateData(target = dev.trace2skill.core.merge.Attribution.class)
@TemplateData(target = dev.trace2skill.core.trajectory.Trajectory.class)
@TemplateData(target = dev.trace2skill.core.trajectory.Outcome.class)
@TemplateData(target = dev.trace2skill.service.Problem.FieldProblem.class)
final class TemplateTypes {
    private TemplateTypes() {
    }
}

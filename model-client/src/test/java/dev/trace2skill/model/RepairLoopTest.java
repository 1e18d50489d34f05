package dev.trace2skill.model;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.trace2skill.core.pipeline.ModelSettings;
import dev.trace2skill.modelsim.ChatRequest;
import dev.trace2skill.modelsim.Reply;
import dev.trace2skill.modelsim.ScriptedModelServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The repair loop against a real chat-completions server: what goes back to the model, what is counted, when it stops. */
@QuarkusTest
@QuarkusTestResource(ModelServers.class)
class RepairLoopTest {
    @Inject
    RepairLoop loop;
    @Inject
    ModelGateway gateway;

    final ScriptedModelServer model = ModelServers.scripted();

    /** Accepts a number; anything else has a problem naming it. */
    static RepairLoop.Validation<Integer> number(String answer) {
        try {
            return RepairLoop.Validation.valid(Integer.parseInt(answer.strip()));
        } catch (NumberFormatException e) {
            return RepairLoop.Validation.invalid(List.of("'" + answer + "' is not a number", "answer with digits only"));
        }
    }

    static final List<ChatMessage> OPENING = List.of(SystemMessage.from("You count."), UserMessage.from("How many legs has a spider?"));

    @BeforeEach
    void reset() {
        model.reset();
    }

    RepairLoop.Outcome<Integer> run(RepairLoop.Rules rules) {
        return loop.run(gateway.resolve(ModelSettings.DEFAULTS), OPENING, RepairLoopTest::number, rules);
    }

    @Test
    void anInvalidAnswerGoesBackWithItsProblemsUntilItIsValid() {
        model.enqueue(Reply.text("eight").withUsage(100, 10), Reply.text("8 legs").withUsage(130, 12), Reply.text("8").withUsage(160, 1));
        RepairLoop.Outcome<Integer> out = run(RepairLoop.Rules.of("test-repair", 2));
        assertThat(out.end()).isEqualTo(RepairLoop.End.VALID);
        assertThat(out.value()).isEqualTo(8);
        assertThat(out.calls()).isEqualTo(3);
        assertThat(out.repairs()).isEqualTo(2);
        assertThat(out.usage().promptTokens()).isEqualTo(390);
        assertThat(out.usage().completionTokens()).isEqualTo(23);
        List<ChatRequest> sent = model.requests();
        assertThat(sent).hasSize(3);
        assertThat(sent.get(0).messages()).hasSize(2);
        // each repair keeps the whole conversation: the model sees its own answers and the problems of each
        assertThat(sent.get(2).messages()).extracting(m -> m.path("role").asText())
                .containsExactly("system", "user", "assistant", "user", "assistant", "user");
        assertThat(sent.get(2).messages().get(2).path("content").asText()).isEqualTo("eight");
        assertThat(sent.get(1).lastMessage()).isEqualTo("Your answer has problems:\n- 'eight' is not a number\n- answer with digits only\nAnswer again.");
        assertThat(sent.get(2).lastMessage()).contains("- '8 legs' is not a number");
        assertThat(model.unplayed()).isEmpty();
    }

    @Test
    void itStopsAfterMaxRepairsWithTheLastProblems() {
        model.enqueue(Reply.text("eight"), Reply.text("eight!"), Reply.text("EIGHT"), Reply.text("8"));
        RepairLoop.Outcome<Integer> out = run(RepairLoop.Rules.of("test-repair", 2));
        assertThat(out.end()).isEqualTo(RepairLoop.End.INVALID);
        assertThat(out.ok()).isFalse();
        assertThat(out.value()).isNull();
        assertThat(out.calls()).isEqualTo(3);
        assertThat(out.repairs()).isEqualTo(2);
        assertThat(out.problems()).containsExactly("'EIGHT' is not a number", "answer with digits only");
        assertThat(model.unplayed()).singleElement().asString().contains("1 left");
    }

    @Test
    void noRepairIsSentOnceTheBudgetIsSpentButAValidAnswerIsUsedEvenOverIt() {
        model.enqueue(Reply.text("eight").withUsage(500, 100), Reply.text("eight").withUsage(500, 100), Reply.text("8"));
        RepairLoop.Outcome<Integer> out = run(RepairLoop.Rules.of("test-repair", 5).budget(1000));
        assertThat(out.end()).isEqualTo(RepairLoop.End.BUDGET);
        assertThat(out.calls()).isEqualTo(2);
        assertThat(out.usage().total()).isEqualTo(1200);
        assertThat(out.problems()).contains("'eight' is not a number");
        assertThat(model.requests()).hasSize(2);

        model.reset();
        model.enqueue(Reply.text("8").withUsage(1500, 1));
        RepairLoop.Outcome<Integer> over = run(RepairLoop.Rules.of("test-repair", 5).budget(1000));
        assertThat(over.end()).isEqualTo(RepairLoop.End.VALID);
        assertThat(over.usage().total()).isEqualTo(1501);
    }

    @Test
    void aRateLimitIsWaitedOutWithinTheLoopAndIsNotACallOrARepair() {
        model.enqueue(Reply.rateLimited(1), Reply.text("8").withUsage(40, 1));
        long start = System.nanoTime();
        RepairLoop.Outcome<Integer> out = run(RepairLoop.Rules.of("test-repair", 2));
        long waitedMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(out.end()).isEqualTo(RepairLoop.End.VALID);
        assertThat(out.calls()).isEqualTo(1);
        assertThat(out.repairs()).isZero();
        assertThat(out.usage().total()).isEqualTo(41);
        assertThat(model.requests()).hasSize(2);
        assertThat(waitedMs).as("waited for Retry-After: 1").isGreaterThanOrEqualTo(1_000);
    }

    @Test
    void serverErrorsAreRetriedAndAModelThatStaysDownEndsTheLoop() {
        model.enqueue(Reply.error(500), Reply.error(503), Reply.text("8"));
        assertThat(run(RepairLoop.Rules.of("test-repair", 2)).value()).isEqualTo(8);

        model.reset();
        // max-retries=2 in these tests: three attempts, then the loop gives up with the server's answer
        model.enqueue(Reply.error(502), Reply.error(502), Reply.error(502), Reply.text("8"));
        assertThatThrownBy(() -> run(RepairLoop.Rules.of("test-repair", 2)))
                .isInstanceOf(ModelGateway.ModelUnavailableException.class).hasMessageContaining("HTTP 502");
        assertThat(model.requests()).hasSize(3);
    }
}

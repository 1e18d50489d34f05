package dev.trace2skill.service;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class MemoryBudgetTest {

    @Test
    void reservationsShareTheBudgetAndAreReturnedOnce() throws InterruptedException {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MemoryBudget budget = new MemoryBudget(4L << 20, registry, "t.memory", "work in flight");
        assertThat(registry.get("t.memory.budget").gauge().value()).isEqualTo(4L << 20);

        MemoryBudget.Reservation a = budget.reserve(3L << 20);
        assertThat(registry.get("t.memory.reserved").gauge().value()).isEqualTo(3L << 20);
        assertThat(budget.tryReserve(2L << 20, Duration.ofMillis(50))).as("only 1 MiB is left").isNull();
        MemoryBudget.Reservation b = budget.tryReserve(1L << 20, Duration.ofMillis(50));
        assertThat(b).isNotNull();

        a.close();
        a.close(); // returned once only
        assertThat(registry.get("t.memory.reserved").gauge().value()).isEqualTo(1L << 20);
        b.close();
        assertThat(registry.get("t.memory.reserved").gauge().value()).isZero();
    }

    @Test
    void aReservationLargerThanTheBudgetTakesTheWholeBudget() throws InterruptedException {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MemoryBudget budget = new MemoryBudget(2L << 20, registry, "t.memory", "work in flight");
        try (MemoryBudget.Reservation all = budget.reserve(1L << 30)) {
            assertThat(registry.get("t.memory.reserved").gauge().value()).isEqualTo(2L << 20);
            assertThat(budget.tryReserve(1, Duration.ofMillis(20))).isNull();
        }
        assertThat(budget.tryReserve(1, Duration.ZERO)).isNotNull();
    }
}

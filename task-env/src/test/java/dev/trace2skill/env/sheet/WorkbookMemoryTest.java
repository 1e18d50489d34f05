package dev.trace2skill.env.sheet;

import dev.trace2skill.env.EnvironmentException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The heap budget for loaded workbooks: loads wait their turn, in order, and a giant one runs alone. */
class WorkbookMemoryTest {
    static final long MB = 1024 * 1024;

    @Test
    void loadsWaitInOrderUntilTheirEstimateFits() throws Exception {
        WorkbookMemory memory = new WorkbookMemory(100 * MB);
        WorkbookMemory.Lease first = memory.acquire(3 * MB, Duration.ofSeconds(1));   // 60 MB
        CompletableFuture<WorkbookMemory.Lease> big = CompletableFuture.supplyAsync(() -> memory.acquire(2 * MB, Duration.ofSeconds(20))); // 40 MB: fits
        WorkbookMemory.Lease second = big.get(10, TimeUnit.SECONDS);
        CompletableFuture<WorkbookMemory.Lease> third = CompletableFuture.supplyAsync(() -> memory.acquire(1 * MB, Duration.ofSeconds(20))); // 20 MB: waits
        Thread.sleep(300);
        assertThat(third).isNotDone();
        first.close();
        WorkbookMemory.Lease t = third.get(10, TimeUnit.SECONDS);
        assertThat(memory.peakBytes()).isEqualTo(100 * MB);
        // a workbook bigger than the whole budget runs once nothing else is open
        CompletableFuture<WorkbookMemory.Lease> giant = CompletableFuture.supplyAsync(() -> memory.acquire(50 * MB, Duration.ofSeconds(20)));
        Thread.sleep(300);
        assertThat(giant).isNotDone();
        second.close();
        t.close();
        giant.get(10, TimeUnit.SECONDS).close();
        // a load that cannot get memory in time says so
        WorkbookMemory.Lease hold = memory.acquire(5 * MB, Duration.ofSeconds(1));
        assertThatThrownBy(() -> memory.acquire(1 * MB, Duration.ofMillis(200))).isInstanceOf(EnvironmentException.class)
                .hasMessageContaining("no memory for another workbook");
        hold.close();
        memory.acquire(1 * MB, Duration.ofMillis(200)).close();
        assertThat(memory.describe()).contains("0 MB leased by 0 open workbooks");
    }
}

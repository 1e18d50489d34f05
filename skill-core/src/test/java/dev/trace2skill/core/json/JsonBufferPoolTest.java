package dev.trace2skill.core.json;

import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.core.util.RecyclerPool;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class JsonBufferPoolTest {

    @Test
    void aVirtualThreadReusesTheBuffersAnEarlierVirtualThreadGaveBack() throws InterruptedException {
        RecyclerPool<BufferRecycler> pool = Json.mapper().getFactory()._getRecyclerPool();
        AtomicReference<BufferRecycler> first = new AtomicReference<>();
        AtomicReference<BufferRecycler> second = new AtomicReference<>();
        Thread.ofVirtual().start(() -> {
            BufferRecycler r = pool.acquireAndLinkPooled();
            first.set(r);
            r.releaseToPool();
        }).join();
        Thread.ofVirtual().start(() -> {
            BufferRecycler r = pool.acquireAndLinkPooled();
            second.set(r);
            r.releaseToPool();
        }).join();

        // Jackson's default pool keeps one recycler per thread, so a new virtual thread would get a new one
        assertThat(second.get()).isSameAs(first.get());
    }

    @Test
    void documentsStillRoundTripThroughThePooledBuffers() throws InterruptedException {
        String text = "x".repeat(20_000) + "’";
        AtomicReference<String> back = new AtomicReference<>();
        Thread.ofVirtual().start(() -> back.set(Json.read(Json.write(java.util.Map.of("text", text)), Sample.class).text())).join();
        assertThat(back.get()).isEqualTo(text);
    }

    record Sample(String text) {
    }
}

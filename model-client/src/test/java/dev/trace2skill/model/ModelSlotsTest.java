package dev.trace2skill.model;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelSlotsTest {

    /** Starts a virtual thread that takes a slot, notes its name, and holds the slot until {@code hold} opens. */
    private static Thread caller(ModelSlots slots, ModelSlots.Turn turn, String name, List<String> order, CountDownLatch hold) {
        return Thread.ofVirtual().name(name).start(() -> {
            try {
                slots.acquire(turn);
                order.add(name);
                hold.await();
                slots.release();
            } catch (InterruptedException e) {
                order.add(name + " interrupted");
            }
        });
    }

    /** Starts a caller and returns once it waits, as the {@code position}-th waiting call of its kind. */
    private static Thread queued(ModelSlots slots, ModelSlots.Turn turn, String name, List<String> order, CountDownLatch hold,
                                 int position) throws InterruptedException {
        Thread t = caller(slots, turn, name, order, hold);
        until(() -> slots.waiting(turn) == position);
        return t;
    }

    private static void until(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    /** Slots of which every one is held. */
    private static ModelSlots allHeld(int permits) throws InterruptedException {
        ModelSlots slots = new ModelSlots(permits);
        for (int i = 0; i < permits; i++) {
            slots.acquire(i % 2 == 0 ? ModelSlots.Turn.FIRST : ModelSlots.Turn.NEXT);
        }
        return slots;
    }

    /** A latch that is open: a caller given it gives its slot back as soon as it has it. */
    private static final CountDownLatch AT_ONCE = new CountDownLatch(0);

    @Test
    void aFreedSlotGoesToAWaitingNextTurnBeforeFirstCallsThatCameEarlierAndEachKindKeepsItsOrder() throws Exception {
        ModelSlots slots = allHeld(1);
        // each caller gives its slot back at once, so the order of grants is the order of the list
        List<String> order = new CopyOnWriteArrayList<>();
        Thread f1 = queued(slots, ModelSlots.Turn.FIRST, "first-1", order, AT_ONCE, 1);
        Thread f2 = queued(slots, ModelSlots.Turn.FIRST, "first-2", order, AT_ONCE, 2);
        Thread n1 = queued(slots, ModelSlots.Turn.NEXT, "next-1", order, AT_ONCE, 1);
        Thread n2 = queued(slots, ModelSlots.Turn.NEXT, "next-2", order, AT_ONCE, 2);

        slots.release();
        for (Thread t : List.of(f1, f2, n1, n2)) {
            t.join(10_000);
        }
        assertThat(order).containsExactly("next-1", "next-2", "first-1", "first-2");
        assertThat(slots.waiting(ModelSlots.Turn.NEXT)).isZero();
        assertThat(slots.waiting(ModelSlots.Turn.FIRST)).isZero();
    }

    @Test
    void neverMoreCallsHoldASlotThanThePermitsAndAFreeSlotIsTakenAtOnce() throws Exception {
        ModelSlots slots = allHeld(3);
        List<String> order = new CopyOnWriteArrayList<>();
        CountDownLatch hold = new CountDownLatch(1);
        Thread waiting = queued(slots, ModelSlots.Turn.NEXT, "fourth", order, hold, 1);
        Thread.sleep(50);
        assertThat(order).as("a fourth call waits while three hold the slots").isEmpty();
        slots.release();
        until(() -> order.size() == 1);
        assertThat(order).containsExactly("fourth");
        hold.countDown();
        waiting.join(10_000);
    }

    @Test
    void anInterruptedWaiterLeavesTheQueueAndTakesNoSlot() throws Exception {
        ModelSlots slots = allHeld(1);
        List<String> order = new CopyOnWriteArrayList<>();
        Thread gone = queued(slots, ModelSlots.Turn.NEXT, "gone", order, AT_ONCE, 1);
        Thread stays = queued(slots, ModelSlots.Turn.FIRST, "stays", order, AT_ONCE, 1);
        gone.interrupt();
        gone.join(10_000);
        assertThat(slots.waiting(ModelSlots.Turn.NEXT)).isZero();

        slots.release();
        stays.join(10_000);
        assertThat(order).containsExactly("gone interrupted", "stays");
        // the one slot is free again: taking it does not wait
        Thread taker = Thread.ofVirtual().start(() -> {
            try {
                slots.acquire(ModelSlots.Turn.FIRST);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        taker.join(10_000);
        assertThat(taker.isAlive()).isFalse();
    }

    @Test
    void anEndpointNeedsASlot() {
        assertThatThrownBy(() -> new ModelSlots(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one slot");
    }
}

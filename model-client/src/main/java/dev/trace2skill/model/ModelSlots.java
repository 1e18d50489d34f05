package dev.trace2skill.model;

import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The calls in flight to one endpoint from this replica: at most {@code permits} at once, and the callers beyond that
 * wait. A freed slot goes to a waiting <em>next turn</em> (a call that continues a conversation the model has already
 * answered: an agent loop's tool round, a repair) before any waiting <em>first call</em>; within each kind, in order of
 * arrival. A model server serves a running sequence before a waiting one for the same reason: an analysis that has
 * begun holds its job, its place in the partition and the tokens already spent, and finishing it releases all of
 * these, while starting another only adds one more to finish. First calls still get every slot the next turns leave.
 */
final class ModelSlots {
    /** What a waiting call is. */
    enum Turn {
        FIRST, NEXT
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Waiter> next = new ArrayDeque<>();
    private final ArrayDeque<Waiter> first = new ArrayDeque<>();
    private int free;

    private final class Waiter {
        final Condition granted = lock.newCondition();
        boolean holds;
    }

    ModelSlots(int permits) {
        if (permits < 1) {
            throw new IllegalArgumentException("an endpoint needs at least one slot, got " + permits);
        }
        this.free = permits;
    }

    /** Takes a slot, waiting behind the calls of the same kind that came first and, for a first call, behind every next turn. */
    void acquire(Turn turn) throws InterruptedException {
        lock.lock();
        try {
            // a free slot is taken at once only when nobody waits for it (nobody is passed by)
            if (free > 0 && next.isEmpty() && first.isEmpty()) {
                free--;
                return;
            }
            Waiter me = new Waiter();
            (turn == Turn.NEXT ? next : first).addLast(me);
            try {
                while (!me.holds) {
                    me.granted.await();
                }
            } catch (InterruptedException e) {
                if (me.holds) {
                    handOn();
                } else {
                    next.remove(me);
                    first.remove(me);
                }
                throw e;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Gives a slot back: to the longest-waiting next turn, else to the longest-waiting first call, else free. */
    void release() {
        lock.lock();
        try {
            handOn();
        } finally {
            lock.unlock();
        }
    }

    private void handOn() {
        Waiter w = next.pollFirst();
        if (w == null) {
            w = first.pollFirst();
        }
        if (w == null) {
            free++;
        } else {
            w.holds = true;
            w.granted.signal();
        }
    }

    /** Calls of this kind waiting for a slot now. */
    int waiting(Turn turn) {
        lock.lock();
        try {
            return (turn == Turn.NEXT ? next : first).size();
        } finally {
            lock.unlock();
        }
    }
}

package io.lifeboat.repository;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A pool of one thread per core for CPU work on chunks (hash, compress, seal, or open and check),
 * with a byte budget: submitting blocks while more than the budget is in flight, so memory stays
 * bounded however fast the producer is.
 */
public final class Workers implements AutoCloseable {
    private static final int UNIT = 64 * 1024;
    private final ExecutorService pool;
    private final Semaphore budget;
    private final int totalUnits;

    public Workers(String name, long budgetBytes) {
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.totalUnits = (int) Math.max(1, budgetBytes / UNIT);
        this.budget = new Semaphore(totalUnits);
    }

    /** Runs the task on a worker once cost bytes of budget are free; the budget returns when it ends. */
    public <T> Future<T> submit(long cost, Callable<T> task) throws InterruptedException {
        int permits = (int) Math.min(totalUnits, Math.max(1, (cost + UNIT - 1) / UNIT));
        budget.acquire(permits);
        try {
            return pool.submit(() -> {
                try {
                    return task.call();
                } finally {
                    budget.release(permits);
                }
            });
        } catch (RuntimeException e) {
            budget.release(permits);
            throw e;
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}

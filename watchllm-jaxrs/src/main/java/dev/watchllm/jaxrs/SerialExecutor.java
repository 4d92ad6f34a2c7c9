package dev.watchllm.jaxrs;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/** Runs one exchange's tasks in order, one at a time, on a shared pool. */
final class SerialExecutor implements Executor {
    private final Executor pool;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pending = new AtomicInteger();

    SerialExecutor(Executor pool) {
        this.pool = pool;
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        if (pending.getAndIncrement() == 0) pool.execute(this::drain);
    }

    private void drain() {
        do {
            Runnable t = tasks.poll();
            try {
                t.run();
            } catch (RuntimeException e) {
                // a task reports its own failures; one must not stop the ones after it
            }
        } while (pending.decrementAndGet() > 0);
    }
}

package dev.switchboard.inference.cuda;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The one thread that owns the CUDA context: every driver, cuBLAS and NVRTC call of a backend runs here, so the
 * context is current exactly where it is used, whatever thread drives the backend.
 */
final class CudaThread implements AutoCloseable {
    private final ExecutorService executor;
    private volatile Thread thread;

    CudaThread(String name) {
        executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            thread = t;
            return t;
        });
    }

    /** Runs {@code task} on the CUDA thread and waits; exceptions come back unwrapped. */
    <T> T call(Callable<T> task) {
        if (Thread.currentThread() == thread) {
            try {
                return task.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new CudaException("CUDA task failed: " + e);
            }
        }
        Future<T> f = executor.submit(task);
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CudaException("interrupted while waiting for the CUDA thread");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new CudaException("CUDA task failed: " + c);
        }
    }

    void run(Runnable task) {
        call(() -> {
            task.run();
            return null;
        });
    }

    @Override
    public void close() {
        executor.shutdown();
    }
}

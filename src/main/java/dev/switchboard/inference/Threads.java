package dev.switchboard.inference;

/** Thread helpers the engine's own threads (scheduler, delta writers) share. */
final class Threads {
    private Threads() {}

    /**
     * Waits for {@code thread} to end even if interrupted meanwhile (the caller must not return while the thread
     * still uses what the caller is about to release), then restores the interrupt status.
     */
    static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}

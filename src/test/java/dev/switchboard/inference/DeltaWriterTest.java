package dev.switchboard.inference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 1, unit = TimeUnit.MINUTES) // a hang guard: a blocking listener would hang, not fail
class DeltaWriterTest {

    @Test
    void aBlockedClientDoesNotBlockTheListenerAndCloseDeliversEverythingInOrder() throws Exception {
        CountDownLatch clientReads = new CountDownLatch(1);
        List<String> written = new CopyOnWriteArrayList<>();
        DeltaWriter writer = new DeltaWriter(delta -> {
            try {
                clientReads.await(); // a full TCP window
            } catch (InterruptedException e) {
                return false;
            }
            return written.add(delta);
        });
        assertTrue(writer.onText("a"));
        assertTrue(writer.onText("b"));
        assertTrue(writer.onText("c"));
        assertEquals(List.of(), written, "nothing could be written yet, and the listener returned all the same");
        clientReads.countDown();
        writer.close();
        assertEquals(List.of("a", "b", "c"), written);
    }

    @Test
    void afterAFailedWriteTheListenerAsksToStop() {
        List<String> attempted = new CopyOnWriteArrayList<>();
        DeltaWriter writer = new DeltaWriter(delta -> attempted.add(delta) && false);
        assertTrue(writer.onText("a"));
        writer.close();
        assertFalse(writer.onText("b"));
        assertEquals(List.of("a"), attempted);
    }
}

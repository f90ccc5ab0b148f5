package dev.switchboard.conversation;

import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/** Writes stream events to one client's SSE connection; notices a departed client on the next write. */
public final class SseSubscriber implements ConversationEvents.Subscriber {
    private final SseEventSink sink;
    private final Sse sse;
    private volatile boolean failed;

    public SseSubscriber(SseEventSink sink, Sse sse) {
        this.sink = sink;
        this.sse = sse;
    }

    @Override
    public boolean deliver(StreamEvent event) {
        // data is JSON text already: written as is.
        OutboundSseEvent.Builder builder = sse.newEventBuilder().name(event.name()).data(event.data());
        if (event.id() != null) {
            builder.id(event.id());
        }
        return send(builder.build());
    }

    @Override
    public boolean comment(String text) {
        return send(sse.newEventBuilder().comment(text).build());
    }

    @Override
    public void close() {
        sink.close();
    }

    private boolean send(OutboundSseEvent event) {
        if (failed || sink.isClosed()) {
            return false;
        }
        sink.send(event).whenComplete((ignored, failure) -> {
            if (failure != null) {
                failed = true;
            }
        });
        return true;
    }
}

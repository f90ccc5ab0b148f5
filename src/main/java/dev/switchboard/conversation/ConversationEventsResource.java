package dev.switchboard.conversation;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/conversations/{id}/events")
@Tag(name = "Conversations")
public class ConversationEventsResource {

    @Inject
    ConversationAccess access;

    @Inject
    ConversationEvents events;

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "The conversation's event stream",
            description = "Events message.created and conversation.status_changed (durable, id = n), bot.delta and "
                    + "typing (live, id = n.m). Send Last-Event-ID (or last_event_id) to resume: missed durable events "
                    + "are replayed, then the unseen part of an answer in progress as one bot.delta. Without it the "
                    + "stream starts now. EventSource clients pass site_key and visitor_token as query parameters.")
    public void stream(@BeanParam ConversationCredentials credentials, @PathParam("id") String id,
            @HeaderParam("Last-Event-ID") String lastEventIdHeader, @QueryParam("last_event_id") String lastEventIdParam,
            @Context SseEventSink sink, @Context Sse sse) {
        Conversation c = access.accessible(credentials, id);
        String lastEventId = lastEventIdHeader != null ? lastEventIdHeader : lastEventIdParam;
        StreamPosition after = lastEventId == null || lastEventId.isBlank() ? null
                : StreamPosition.parse(lastEventId.strip());
        events.subscribe(c.id, after, new SinkSubscriber(sink, sse));
    }

    @Scheduled(every = "${switchboard.sse.keep-alive:15s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void keepAlive() {
        events.keepAlive();
    }

    /** Graceful shutdown: open streams end with a stream.end event rather than a dropped connection. */
    void endStreams(@Observes ShutdownEvent ignored) {
        events.endAll("shutdown");
    }

    void registerMetrics(@Observes StartupEvent ignored, MeterRegistry registry) {
        Gauge.builder("switchboard.sse.subscribers", events, ConversationEvents::subscriberCount)
                .register(registry);
    }

    /** Writes to one client's SSE connection; notices a departed client on the next write. */
    private static final class SinkSubscriber implements ConversationEvents.Subscriber {
        private final SseEventSink sink;
        private final Sse sse;
        private volatile boolean failed;

        SinkSubscriber(SseEventSink sink, Sse sse) {
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
}

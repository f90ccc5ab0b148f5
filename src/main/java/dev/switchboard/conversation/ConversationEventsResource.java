package dev.switchboard.conversation;

import dev.switchboard.common.security.Roles;
import jakarta.annotation.security.RolesAllowed;
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
    @RolesAllowed({Roles.API, Roles.WIDGET}) // on the route only: a class-level one would guard the scheduler too
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
        events.subscribe(c.id, lastEventIdHeader != null ? lastEventIdHeader : lastEventIdParam,
                new SseSubscriber(sink, sse));
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
}

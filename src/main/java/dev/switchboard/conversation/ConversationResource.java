package dev.switchboard.conversation;

import dev.switchboard.common.ApiException;
import dev.switchboard.common.Items;
import dev.switchboard.common.Validation;
import dev.switchboard.protection.RateLimiter;
import dev.switchboard.workspace.Caller;
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.Arrays;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/conversations")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Conversations", description = "Authorization: Bearer <API key>, or X-Site-Key (+ X-Visitor-Token per "
        + "conversation) from the widget")
public class ConversationResource {

    public record StartConversation(String visitorId) {}

    public record PostMessage(String content) {}

    @Inject
    ConversationAccess access;

    @Inject
    ConversationService conversations;

    @Inject
    RateLimiter rateLimiter;

    @POST
    @Operation(summary = "Start a conversation",
            description = "With a site key the response also holds a visitorToken, shown only here, that the widget "
                    + "presents with the site key for every later request about this conversation.")
    public Response start(@BeanParam ConversationCredentials credentials, StartConversation body) {
        Caller caller = access.caller(credentials);
        Validation.requireBody(body);
        if (!caller.viaApiKey()) {
            rateLimiter.widgetConversation(caller.workspaceId());
        }
        ConversationService.Started started = conversations.start(caller.workspaceId(), body.visitorId(),
                !caller.viaApiKey());
        return Response.created(URI.create("/api/v1/conversations/" + started.conversation().id))
                .entity(ConversationView.of(started.conversation(), started.visitorToken())).build();
    }

    @GET
    @Operation(summary = "List the workspace's conversations (API key only), most recently active first")
    public Items<ConversationView> list(@BeanParam ConversationCredentials credentials,
            @QueryParam("status") String status, @QueryParam("limit") @DefaultValue("50") int limit) {
        Caller caller = access.caller(credentials);
        if (!caller.viaApiKey()) {
            throw ApiException.forbidden("Listing conversations needs an API key, not a site key");
        }
        return new Items<>(conversations.list(caller.workspaceId(), parseStatus(status), limit).stream()
                .map(ConversationView::of).toList());
    }

    @GET
    @Path("{id}")
    public ConversationView get(@BeanParam ConversationCredentials credentials, @PathParam("id") String id) {
        return ConversationView.of(access.accessible(credentials, id));
    }

    @GET
    @Path("{id}/messages")
    @Operation(summary = "The conversation's messages, oldest first")
    public Items<MessageView> messages(@BeanParam ConversationCredentials credentials, @PathParam("id") String id) {
        Conversation c = access.accessible(credentials, id);
        return new Items<>(conversations.messages(c.id).stream().map(MessageView::of).toList());
    }

    @POST
    @Path("{id}/messages")
    @Operation(summary = "Post a customer message",
            description = "Returns 201 once the message is committed; then, while the bot is in charge, the bot is "
                    + "notified. Posting to a resolved conversation reopens it for the bot (status bot); in pending "
                    + "or open conversations the message waits for the human. Content: 1 to 4000 characters after "
                    + "trimming, stored verbatim.")
    public Response post(@BeanParam ConversationCredentials credentials, @PathParam("id") String id,
            PostMessage body) {
        Caller caller = access.caller(credentials);
        Conversation c = access.accessible(caller, credentials, id);
        Validation.requireBody(body);
        if (!caller.viaApiKey()) {
            rateLimiter.widgetMessage(caller.workspaceId());
        }
        Message m = conversations.postCustomerMessage(c.id, body.content());
        return Response.created(URI.create("/api/v1/conversations/" + c.id + "/messages/" + m.id))
                .entity(MessageView.of(m)).build();
    }

    private static ConversationStatus parseStatus(String status) {
        if (status == null) {
            return null;
        }
        try {
            return ConversationStatus.fromCode(status);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("Parameter 'status' must be one of "
                    + Arrays.stream(ConversationStatus.values()).map(ConversationStatus::code).toList());
        }
    }
}

package dev.switchboard.conversation;

import dev.switchboard.common.ApiException;
import dev.switchboard.common.Ids;
import dev.switchboard.common.Items;
import dev.switchboard.common.Validation;
import dev.switchboard.protection.RateLimiter;
import dev.switchboard.workspace.Caller;
import dev.switchboard.workspace.VisitorIdentity;
import dev.switchboard.common.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.Arrays;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/conversations")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Conversations", description = "Authorization: Bearer <API key>, or X-Site-Key (+ X-Visitor-Token per "
        + "conversation) from the widget")
@RolesAllowed({Roles.API, Roles.WIDGET})
public class ConversationResource {

    public record StartConversation(String visitorId) {}

    public record PostMessage(String content) {}

    public record AgentAction(String agentName) {}

    public record AgentReply(String agentName, String content) {}

    /** identify(): {@code hash} is the hex HMAC-SHA256 of {@code id} with the workspace's identity secret. */
    public record Identify(String id, String name, String email, String hash, java.util.Map<String, Object> attributes) {}

    public record Rating(Integer score, String comment) {}

    public record ContactEmail(String email) {}

    @Inject
    ConversationAccess access;

    @Inject
    ConversationService conversations;

    @Inject
    VisitorIdentity identity;

    @Inject
    RateLimiter rateLimiter;

    @Inject
    IdempotentPosts idempotent;

    @Inject
    Attachments attachments;

    @POST
    @Operation(summary = "Start a conversation",
            description = "With a site key the response also holds a visitorToken, shown only here, that the widget "
                    + "presents with the site key for every later request about this conversation.")
    @APIResponse(responseCode = "201", description = "Started; Location names the conversation",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ConversationView.class)))
    public Response start(@BeanParam ConversationCredentials credentials, StartConversation body) {
        Caller caller = access.caller(credentials);
        Validation.requireBody(body);
        if (!caller.viaApiKey()) {
            rateLimiter.widgetConversation(caller.workspaceId());
        }
        ConversationService.Started started = conversations.start(caller, body.visitorId());
        return Response.created(URI.create("/api/v1/conversations/" + started.conversation().id))
                .entity(ConversationView.of(started.conversation(), started.visitorToken())).build();
    }

    @GET
    @RolesAllowed(Roles.API)
    @Operation(summary = "List the workspace's conversations (API key only), most recently active first")
    public Items<ConversationView> list(@BeanParam ConversationCredentials credentials,
            @QueryParam("status") @Parameter(schema = @Schema(implementation = ConversationStatus.class)) String status,
            @QueryParam("limit") @Parameter(schema = @Schema(type = SchemaType.INTEGER, defaultValue = "50",
                    minimum = "1", maximum = "200")) String limit) {
        Caller caller = access.caller(credentials);
        return new Items<>(conversations.list(caller.workspaceId(), parseStatus(status),
                Validation.wholeNumber(limit, "limit", 50)).stream()
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
        return new Items<>(attachments.views(c.id, conversations.messages(c.id)));
    }

    @POST
    @Path("{id}/messages")
    @Operation(summary = "Post a customer message",
            description = "Returns 201 once the message is committed; then, while the bot is in charge, the bot is "
                    + "notified. Posting to a resolved conversation reopens it for the bot (status bot); in pending "
                    + "or open conversations the message waits for the human. Content: 1 to 4000 characters (as "
                    + "sent), stored verbatim. With an Idempotency-Key header a retry gets the first response again "
                    + "(for 24 h) and stores nothing.")
    @APIResponse(responseCode = "201", description = "The stored message; Location names it",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = MessageView.class)))
    public Response post(@BeanParam ConversationCredentials credentials, @PathParam("id") String id,
            @HeaderParam(IdempotentPosts.HEADER) String idempotencyKey, PostMessage body) {
        Caller caller = access.caller(credentials);
        UUID conversationId = Ids.parse(id, "conversation");
        Validation.requireBody(body);
        return idempotent.once(caller.workspaceId(), "messages:" + conversationId, idempotencyKey, body, () -> {
            if (!caller.viaApiKey()) {
                rateLimiter.widgetMessage(caller.workspaceId());
            }
            return created(conversations.postCustomerMessage(caller, conversationId, credentials.visitorToken(),
                    body.content()));
        });
    }

    @POST
    @Path("{id}/replies")
    @RolesAllowed(Roles.API)
    @Operation(summary = "Post an agent's reply (API key only)",
            description = "Takes the conversation over in the agent's name (status open; the bot stops at once, "
                    + "even mid-answer) and reopens a resolved one. Content: 1 to 4000 characters. Idempotency-Key "
                    + "as for customer messages.")
    @APIResponse(responseCode = "201", description = "The stored reply; Location names it",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = MessageView.class)))
    public Response reply(@BeanParam ConversationCredentials credentials, @PathParam("id") String id,
            @HeaderParam(IdempotentPosts.HEADER) String idempotencyKey, AgentReply body) {
        Conversation c = access.accessible(credentials, id);
        Validation.requireBody(body);
        return idempotent.once(c.workspaceId, "replies:" + c.id, idempotencyKey, body,
                () -> created(conversations.agentReply(c.id, body.agentName(), body.content())));
    }

    @POST
    @Path("{id}/takeover")
    @RolesAllowed(Roles.API)
    @Operation(summary = "An agent takes the conversation over (API key only)",
            description = "Status open in the agent's name; the bot stops at once and does not answer again until "
                    + "the conversation is handed back. 409 when resolved.")
    public ConversationView takeOver(@BeanParam ConversationCredentials credentials, @PathParam("id") String id,
            AgentAction body) {
        Conversation c = access.accessible(credentials, id);
        Validation.requireBody(body);
        return ConversationView.of(conversations.takeOver(c.id, body.agentName()));
    }

    @POST
    @Path("{id}/handback")
    @RolesAllowed(Roles.API)
    @Consumes(MediaType.WILDCARD) // no body: curl -X POST without a Content-Type is fine
    @Operation(summary = "Hand the conversation back to the bot (API key only)",
            description = "Status bot; an unanswered last customer message is answered by the bot. 409 when resolved.")
    public ConversationView handBack(@BeanParam ConversationCredentials credentials, @PathParam("id") String id) {
        Conversation c = access.accessible(credentials, id);
        return ConversationView.of(conversations.handBack(c.id));
    }

    @POST
    @Path("{id}/resolve")
    @RolesAllowed(Roles.API)
    @Consumes(MediaType.WILDCARD) // no body: curl -X POST without a Content-Type is fine
    @Operation(summary = "Resolve the conversation (API key only)")
    public ConversationView resolve(@BeanParam ConversationCredentials credentials, @PathParam("id") String id) {
        Conversation c = access.accessible(credentials, id);
        return ConversationView.of(conversations.resolve(c.id));
    }

    @POST
    @Path("{id}/reopen")
    @RolesAllowed(Roles.API)
    @Operation(summary = "Reopen a resolved conversation in an agent's name (API key only); 409 when not resolved")
    public ConversationView reopen(@BeanParam ConversationCredentials credentials, @PathParam("id") String id,
            AgentAction body) {
        Conversation c = access.accessible(credentials, id);
        Validation.requireBody(body);
        return ConversationView.of(conversations.reopen(c.id, body.agentName()));
    }

    @POST
    @Path("{id}/identify")
    @Operation(summary = "Tie the conversation to a visitor the business vouches for",
            description = "hash = hex HMAC-SHA256 of id with the workspace's identity secret (admin API: "
                    + "/api/v1/workspaces/{id}/identity-secret); a wrong hash is 403. The verified id becomes the "
                    + "conversation's visitorId, with name and email (optional); attributes (optional): a flat object of "
                    + "at most 50 custom keys (strings up to 500 characters, numbers, booleans), merged into the "
                    + "visitor's profile.")
    public ConversationView identify(@BeanParam ConversationCredentials credentials, @PathParam("id") String id,
            Identify body) {
        Conversation c = access.accessible(credentials, id);
        Validation.requireBody(body);
        Validation.requireText(body.id(), "id", ConversationService.MAX_VISITOR_ID);
        Validation.requireText(body.hash(), "hash", 128);
        identity.verify(c.workspaceId, body.id().strip(), body.hash());
        return ConversationView.of(conversations.identify(c.id, body.id(), body.name(), body.email(),
                body.attributes()));
    }

    @POST
    @Path("{id}/rating")
    @RolesAllowed(Roles.WIDGET)
    @Operation(summary = "The customer rates the resolved conversation (site key and visitor token only)",
            description = "score 1 to 5, comment optional (at most 2000 characters); rating again replaces the "
                    + "rating. 409 unless the conversation is resolved.")
    public ConversationView rate(@BeanParam ConversationCredentials credentials, @PathParam("id") String id,
            Rating body) {
        Conversation c = access.accessible(credentials, id);
        Validation.requireBody(body);
        return ConversationView.of(conversations.rate(c.id, body.score(), body.comment()));
    }

    @POST
    @Path("{id}/contact-email")
    @Operation(summary = "The visitor leaves an e-mail address for a reply",
            description = "Offered by the widget outside business hours; shown to agents as the visitor's own claim "
                    + "(contactEmail). Sending it again replaces it. 400 when it is not an e-mail address.")
    public ConversationView leaveContactEmail(@BeanParam ConversationCredentials credentials,
            @PathParam("id") String id, ContactEmail body) {
        Conversation c = access.accessible(credentials, id);
        Validation.requireBody(body);
        return ConversationView.of(conversations.leaveContactEmail(c.id, body.email()));
    }

    private static Response created(Message m) {
        return Response.created(URI.create("/api/v1/conversations/" + m.conversationId + "/messages/" + m.id))
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

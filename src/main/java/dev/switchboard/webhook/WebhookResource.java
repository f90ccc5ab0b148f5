package dev.switchboard.webhook;

import dev.switchboard.common.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.switchboard.common.Ids;
import dev.switchboard.common.Items;
import dev.switchboard.common.Validation;
import dev.switchboard.workspace.WorkspaceAuth;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/webhooks")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Webhooks", description = "Authorization: Bearer <API key>. Each delivery is a JSON POST with "
        + "X-Switchboard-Delivery (the delivery id, the same on every retry), X-Switchboard-Event and "
        + "X-Switchboard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<raw body>\" with the secret>.")
@RolesAllowed(Roles.API)
public class WebhookResource {

    public record CreateWebhook(String url, List<String> events) {}

    public record WebhookView(UUID id, String url, List<String> events, Instant createdAt,
            @JsonInclude(JsonInclude.Include.NON_NULL) String secret) {

        static WebhookView of(Webhook w, String secret) {
            return new WebhookView(w.id, w.url, List.of(w.events), w.createdAt, secret);
        }
    }

    public record DeliveryView(UUID id, String event, String status, int attempts, Integer lastStatusCode,
            String lastError, Instant createdAt, Instant lastAttemptAt, Instant nextAttemptAt) {

        static DeliveryView of(WebhookDelivery d) {
            return new DeliveryView(d.id, d.eventType, d.status, d.attempts, d.lastStatusCode, d.lastError,
                    d.createdAt, d.lastAttemptAt, "pending".equals(d.status) ? d.nextAttemptAt : null);
        }
    }

    @Inject
    WorkspaceAuth auth;

    @Inject
    WebhookService webhooks;

    @POST
    @Operation(summary = "Subscribe a URL to events",
            description = "events: any of conversation.created, message.created, conversation.handoff, "
                    + "conversation.resolved, conversation.assigned. The signing secret is shown only in this response.")
    @APIResponse(responseCode = "201", description = "The subscription with its signing secret; Location names it",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = WebhookView.class)))
    public Response create(CreateWebhook body) {
        UUID workspaceId = auth.apiWorkspace();
        Validation.requireBody(body);
        WebhookService.WithSecret created = webhooks.create(workspaceId, body.url(), body.events());
        return Response.created(URI.create("/api/v1/webhooks/" + created.webhook().id))
                .entity(WebhookView.of(created.webhook(), created.secret())).build();
    }

    @GET
    public Items<WebhookView> list() {
        return new Items<>(webhooks.list(auth.apiWorkspace()).stream()
                .map(w -> WebhookView.of(w, null)).toList());
    }

    @GET
    @Path("{id}")
    public WebhookView get(@PathParam("id") String id) {
        return WebhookView.of(webhooks.get(auth.apiWorkspace(), Ids.parse(id, "webhook")), null);
    }

    @DELETE
    @Path("{id}")
    @Consumes(MediaType.WILDCARD)
    public Response delete(@PathParam("id") String id) {
        webhooks.delete(auth.apiWorkspace(), Ids.parse(id, "webhook"));
        return Response.noContent().build();
    }

    @POST
    @Path("{id}/secret/rotate")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Replace the signing secret", description = "The new secret is shown only here and signs "
            + "every attempt from now on.")
    public WebhookView rotateSecret(@PathParam("id") String id) {
        WebhookService.WithSecret rotated = webhooks.rotateSecret(auth.apiWorkspace(),
                Ids.parse(id, "webhook"));
        return WebhookView.of(rotated.webhook(), rotated.secret());
    }

    @GET
    @Path("{id}/deliveries")
    @Operation(summary = "The delivery log, newest first")
    public Items<DeliveryView> deliveries(@PathParam("id") String id,
            @QueryParam("limit") @Parameter(schema = @Schema(type = SchemaType.INTEGER, defaultValue = "50")) String limit) {
        return new Items<>(webhooks.deliveries(auth.apiWorkspace(), Ids.parse(id, "webhook"),
                Validation.wholeNumber(limit, "limit", 50))
                .stream().map(DeliveryView::of).toList());
    }
}

package dev.switchboard.workspace;

import dev.switchboard.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import dev.switchboard.common.ApiException;
import dev.switchboard.common.Ids;
import dev.switchboard.common.Validation;
import dev.switchboard.protection.WorkspacePolicy;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/workspaces/{id}/policy")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Workspaces")
@RolesAllowed(Roles.OWNER)
public class WorkspacePolicyResource {

    /** Every field is optional: null (or absent) means the configured default; retentionDays null keeps data. */
    public record Policy(Integer conversationsPerIpHour, Integer messagesPerIpMinute,
            Integer conversationsPerSiteHour, Integer messagesPerSiteMinute, Integer apiRequestsPerKeyMinute,
            Integer retentionDays) {

        static Policy of(WorkspacePolicy p) {
            return p == null ? new Policy(null, null, null, null, null, null)
                    : new Policy(p.conversationsPerIpHour, p.messagesPerIpMinute, p.conversationsPerSiteHour,
                            p.messagesPerSiteMinute, p.apiRequestsPerKeyMinute, p.retentionDays);
        }
    }

    static final int MAX_RETENTION_DAYS = 36500;
    static final int MAX_RATE = 1_000_000;

    @Inject
    WorkspaceService workspaces;

    @GET
    @Operation(summary = "The workspace's rate limits and retention period (null: the default)")
    public Policy get(@PathParam("id") String id) {
        UUID workspaceId = workspaces.get(Ids.parse(id, "workspace")).id;
        return Policy.of(WorkspacePolicy.findById(workspaceId));
    }

    @PUT
    @Operation(summary = "Replace the workspace's rate limits and retention period",
            description = "Limits count per hour (conversations) or minute (messages, API requests); a null field "
                    + "means the configured default. retentionDays: resolved conversations idle that long are "
                    + "deleted; null keeps them.")
    public Policy put(@PathParam("id") String id,
            Policy body) {
        Validation.requireBody(body);
        UUID workspaceId = Ids.parse(id, "workspace");
        return QuarkusTransaction.requiringNew().call(() -> {
            workspaces.get(workspaceId);
            WorkspacePolicy p = WorkspacePolicy.<WorkspacePolicy>findByIdOptional(workspaceId).orElseGet(() -> {
                WorkspacePolicy fresh = new WorkspacePolicy();
                fresh.workspaceId = workspaceId;
                fresh.persist();
                return fresh;
            });
            p.conversationsPerIpHour = positive(body.conversationsPerIpHour(), "conversationsPerIpHour", MAX_RATE);
            p.messagesPerIpMinute = positive(body.messagesPerIpMinute(), "messagesPerIpMinute", MAX_RATE);
            p.conversationsPerSiteHour = positive(body.conversationsPerSiteHour(), "conversationsPerSiteHour",
                    MAX_RATE);
            p.messagesPerSiteMinute = positive(body.messagesPerSiteMinute(), "messagesPerSiteMinute", MAX_RATE);
            p.apiRequestsPerKeyMinute = positive(body.apiRequestsPerKeyMinute(), "apiRequestsPerKeyMinute",
                    MAX_RATE);
            p.retentionDays = positive(body.retentionDays(), "retentionDays", MAX_RETENTION_DAYS);
            return Policy.of(p);
        });
    }

    private static Integer positive(Integer value, String field, int max) {
        if (value != null && (value < 1 || value > max)) {
            throw ApiException.badRequest(
                    "Field '" + field + "' must be between 1 and " + max + ", or null for the default");
        }
        return value;
    }
}

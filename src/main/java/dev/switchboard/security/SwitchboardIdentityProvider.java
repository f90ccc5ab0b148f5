package dev.switchboard.security;

import dev.switchboard.common.security.Roles;
import dev.switchboard.common.security.Identities;
import dev.switchboard.common.Secrets;
import dev.switchboard.dashboard.Agent;
import dev.switchboard.dashboard.AgentService;
import dev.switchboard.dashboard.AgentSession;
import dev.switchboard.dashboard.AgentSessions;
import dev.switchboard.workspace.Workspace;
import dev.switchboard.workspace.WorkspaceService;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.UUID;

/** Turns a {@link Credential} into an identity with roles and the workspace (or dashboard session) it belongs to. */
@ApplicationScoped
public class SwitchboardIdentityProvider implements IdentityProvider<Credential> {

    @Inject
    WorkspaceService workspaces;

    @Inject
    AgentService agents;

    @Inject
    AgentSessions sessions;

    @Override
    public Class<Credential> getRequestType() {
        return Credential.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(Credential credential, AuthenticationRequestContext context) {
        if (credential.kind == Credential.Kind.ADMIN_TOKEN) {
            // The mechanism compared the token already; no database needed.
            return Uni.createFrom().item(QuarkusSecurityIdentity.builder()
                    .setPrincipal(new QuarkusPrincipal("admin-token")).addRole(Roles.OWNER).build());
        }
        if (credential.kind == Credential.Kind.API_KEY) {
            // A key checked moments ago is answered here, on the event loop: no worker hop, no database read.
            String keyHash = Secrets.sha256Hex(credential.secret);
            Optional<UUID> recent = workspaces.recentWorkspaceOfApiKeyHash(keyHash);
            if (recent.isPresent()) {
                return Uni.createFrom().item(apiKeyIdentity(recent.get(), keyHash));
            }
        }
        return context.runBlocking(() -> lookUp(credential));
    }

    private static SecurityIdentity apiKeyIdentity(UUID workspaceId, String keyHash) {
        return QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal("api-key:" + workspaceId))
                .addRole(Roles.API).addAttribute(Identities.WORKSPACE, workspaceId)
                .addAttribute(Identities.KEY_HASH, keyHash).build();
    }

    @ActivateRequestContext
    SecurityIdentity lookUp(Credential credential) {
        return switch (credential.kind) {
            case API_KEY -> {
                String keyHash = Secrets.sha256Hex(credential.secret);
                UUID workspaceId = workspaces.workspaceOfApiKeyHash(keyHash).orElseThrow(
                        () -> new AuthenticationFailedException("The API key is not valid (unknown or rotated)"));
                yield apiKeyIdentity(workspaceId, keyHash);
            }
            case SITE_KEY -> {
                Workspace w = workspaces.findBySiteKey(credential.secret)
                        .orElseThrow(() -> new AuthenticationFailedException("The site key is not valid"));
                yield QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal("site-key:" + w.id))
                        .addRole(Roles.WIDGET).addAttribute(Identities.WORKSPACE, w.id).build();
            }
            case AGENT_SESSION -> {
                AgentSession s = sessions.resolve(credential.secret)
                        .orElseThrow(() -> new AuthenticationFailedException("The dashboard session is over"));
                Agent agent = agents.find(s.agentId)
                        .orElseThrow(() -> new AuthenticationFailedException("The dashboard session is over"));
                QuarkusSecurityIdentity.Builder b = QuarkusSecurityIdentity.builder()
                        .setPrincipal(new QuarkusPrincipal(agent.email)).addRole(Roles.AGENT)
                        .addAttribute(Identities.SESSION, s);
                switch (agent.role) {
                    case OWNER -> b.addRole(Roles.OWNER).addRole(Roles.ADMIN);
                    case ADMIN -> b.addRole(Roles.ADMIN);
                    case AGENT -> { }
                }
                yield b.build();
            }
            case ADMIN_TOKEN -> throw new IllegalStateException("answered without the database");
        };
    }
}

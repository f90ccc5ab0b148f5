package dev.switchboard.security;

import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * A mechanism reads one kind of credential from a request and hands it to {@link SwitchboardIdentityProvider}. A
 * request without that credential is left to the next mechanism (by priority); a request with a wrong one fails.
 * Dashboard sessions count only under /agent, and API credentials only outside it, so a logged-in browser's cookie
 * never authorizes a cross-site request to the REST API.
 */
abstract class CredentialMechanism implements HttpAuthenticationMechanism {

    /** The credential in this request, or null when it carries none of this mechanism's kind. */
    abstract Credential read(RoutingContext context);

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
        Credential credential = read(context);
        if (credential == null) {
            return Uni.createFrom().optional(java.util.Optional.empty());
        }
        return identityProviderManager.authenticate(HttpSecurityUtils.setRoutingContextAttribute(credential, context));
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, null, null));
    }

    @Override
    public Set<Class<? extends io.quarkus.security.identity.request.AuthenticationRequest>> getCredentialTypes() {
        return Set.of(Credential.class);
    }

    static boolean dashboard(RoutingContext context) {
        String path = context.normalizedPath();
        return path.equals("/agent") || path.startsWith("/agent/");
    }

    static String bearer(RoutingContext context) {
        return dashboard(context) ? null
                : dev.switchboard.common.Secrets.bearerToken(context.request().getHeader("Authorization"));
    }
}

package dev.switchboard.security;

import dev.switchboard.workspace.AdminAuth;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Authorization: Bearer with the installation's admin token: the owner role. Other bearer tokens go on to API keys. */
@ApplicationScoped
public class AdminTokenMechanism extends CredentialMechanism {

    @Inject
    AdminAuth admin;

    @Override
    Credential read(RoutingContext context) {
        String token = bearer(context);
        return token != null && admin.matches(token) ? new Credential(Credential.Kind.ADMIN_TOKEN, token) : null;
    }

    @Override
    public int getPriority() {
        return 4000;
    }
}

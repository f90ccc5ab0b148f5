package dev.switchboard.security;

import dev.switchboard.dashboard.AgentSession;
import io.quarkus.security.identity.SecurityIdentity;
import java.util.UUID;

/** The attributes the identity providers put on a {@link SecurityIdentity}, and typed reads of them. */
public final class Identities {

    /** The workspace an API key or site key belongs to. */
    static final String WORKSPACE = "switchboard.workspace";
    /** The SHA-256 of the API key: its rate-limit bucket. */
    static final String KEY_HASH = "switchboard.key-hash";
    /** The dashboard session (agent id, CSRF token). */
    static final String SESSION = "switchboard.session";

    private Identities() {}

    public static UUID workspace(SecurityIdentity identity) {
        return identity.getAttribute(WORKSPACE);
    }

    public static String keyHash(SecurityIdentity identity) {
        return identity.getAttribute(KEY_HASH);
    }

    /** The dashboard session, or null when the identity is not an agent's. */
    public static AgentSession session(SecurityIdentity identity) {
        return identity.getAttribute(SESSION);
    }
}

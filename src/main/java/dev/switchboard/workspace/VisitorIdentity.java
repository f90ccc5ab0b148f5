package dev.switchboard.workspace;

import dev.switchboard.common.ApiException;
import dev.switchboard.common.SecretBox;
import dev.switchboard.common.Secrets;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verified visitors: the business's server signs its user's id with the workspace's identity secret (hex
 * HMAC-SHA256), the widget passes id and signature on, and Switchboard checks the signature. The secret is stored
 * sealed by {@link SecretBox}, since checking needs it in plain text.
 */
@ApplicationScoped
public class VisitorIdentity {

    @Inject
    WorkspaceService workspaces;

    @Inject
    SecretBox box;

    /** The workspace's identity secret, created on first use. */
    @Transactional
    public String secret(UUID workspaceId) {
        Workspace w = workspaces.get(workspaceId);
        return w.identitySecretEnc == null ? rotate(w) : box.decrypt(w.identitySecretEnc, context(w.id));
    }

    /** A new identity secret; signatures made with the old one stop verifying at once. */
    @Transactional
    public String rotate(UUID workspaceId) {
        return rotate(workspaces.get(workspaceId));
    }

    /**
     * Checks that {@code hash} is the hex HMAC-SHA256 of {@code visitorId} under the workspace's identity secret; a
     * 403 problem otherwise (also when the workspace has no secret yet: nothing can have been signed with it).
     */
    @Transactional
    public void verify(UUID workspaceId, String visitorId, String hash) {
        Workspace w = workspaces.get(workspaceId);
        if (w.identitySecretEnc == null) {
            throw ApiException.forbidden("This workspace has no identity secret yet: read it with the admin API "
                    + "(GET /api/v1/workspaces/{id}/identity-secret) and sign visitor ids with it");
        }
        String expected = hmacHex(box.decrypt(w.identitySecretEnc, context(w.id)), visitorId);
        if (!Secrets.constantTimeEquals(expected, hash.strip().toLowerCase(Locale.ROOT))) {
            throw ApiException.forbidden("Field 'hash' is not the HMAC-SHA256 (hex) of the id with this workspace's "
                    + "identity secret");
        }
    }

    /** The hex HMAC-SHA256 a business's server computes for a visitor id (also what tests sign with). */
    public static String hmacHex(String secret, String visitorId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(visitorId.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is in every JDK", e);
        }
    }

    private String rotate(Workspace w) {
        String secret = Secrets.newToken("is_");
        w.identitySecretEnc = box.encrypt(secret, context(w.id));
        return secret;
    }

    /** Binds the sealed value to its row: copied into another workspace it does not open. */
    private static String context(UUID workspaceId) {
        return "identity-secret:" + workspaceId;
    }
}

package dev.switchboard.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The X-Switchboard-Signature header: {@code t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">}. The
 * timestamp is signed too, so a receiver that rejects old timestamps cannot be fed a replayed request.
 */
public final class WebhookSignature {

    public static final String HEADER = "X-Switchboard-Signature";

    private WebhookSignature() {}

    public static String header(String secret, long unixSeconds, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] digest = mac.doFinal((unixSeconds + "." + body).getBytes(StandardCharsets.UTF_8));
            return "t=" + unixSeconds + ",v1=" + HexFormat.of().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is in every JDK", e);
        }
    }
}

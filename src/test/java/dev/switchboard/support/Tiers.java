package dev.switchboard.support;

/**
 * The test tiers. Untagged tests (plain unit tests and {@code @QuarkusTest}s) are the fast tier, {@code ./mvnw test};
 * {@code ./mvnw verify} adds the {@link BrowserTest browser} tier (a second surefire run after {@code package}) and
 * the {@link ProcessIT it} tier (failsafe).
 */
public final class Tiers {
    public static final String BROWSER = "browser";
    public static final String IT = "it";

    private Tiers() {}
}

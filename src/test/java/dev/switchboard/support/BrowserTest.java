package dev.switchboard.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Marks a test class that drives a real Chromium ({@link Browser}): tag {@code browser}, which {@code ./mvnw test}
 * leaves out and {@code ./mvnw verify} runs. {@code TestTierRulesTest} fails any class that uses {@link Browser}
 * without it.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Tag(Tiers.BROWSER)
public @interface BrowserTest {}

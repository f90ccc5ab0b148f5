package dev.switchboard.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Marks an integration test that runs the packaged app as child JVMs or starts Kafka: tag {@code it}. Such a class is
 * named {@code *IT}, so failsafe runs it in {@code ./mvnw verify} after {@code package}; the tag keeps it out of
 * {@code ./mvnw test} even if it were misnamed. {@code TestTierRulesTest} enforces both.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Tag(Tiers.IT)
public @interface ProcessIT {}

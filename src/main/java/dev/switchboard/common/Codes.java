package dev.switchboard.common;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The codes of each {@link Coded} enum, computed once per enum class: a code is read for every status and role that is
 * stored or sent, and looked up for every one that is loaded or received (the write path of a customer message alone
 * spent 1.4% of its CPU cloning enum constants and lower-casing their names).
 */
final class Codes {

    /** Codes by ordinal. */
    private static final ClassValue<String[]> BY_ORDINAL = new ClassValue<>() {
        @Override
        protected String[] computeValue(Class<?> type) {
            Object[] constants = type.getEnumConstants();
            String[] codes = new String[constants.length];
            for (int i = 0; i < constants.length; i++) {
                codes[i] = ((Enum<?>) constants[i]).name().toLowerCase(Locale.ROOT);
            }
            return codes;
        }
    };

    /** Constants by code, as their {@link Coded#code()} (which an enum may override) says. */
    private static final ClassValue<Map<String, Object>> BY_CODE = new ClassValue<>() {
        @Override
        protected Map<String, Object> computeValue(Class<?> type) {
            Map<String, Object> out = new HashMap<>();
            for (Object constant : type.getEnumConstants()) {
                out.put(((Coded) constant).code(), constant);
            }
            return Map.copyOf(out);
        }
    };

    private Codes() {
    }

    static String of(Enum<?> constant) {
        return BY_ORDINAL.get(constant.getDeclaringClass())[constant.ordinal()];
    }

    static Object constant(Class<?> type, String code) {
        return code == null ? null : BY_CODE.get(type).get(code);
    }
}

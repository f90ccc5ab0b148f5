package dev.switchboard.common;

import jakarta.persistence.AttributeConverter;
import java.util.Arrays;

/** An enum with a stable lower-case code, used alike in JSON and in the database. */
public interface Coded {

    String code();

    static <E extends Enum<E> & Coded> E fromCode(Class<E> type, String code) {
        return Arrays.stream(type.getEnumConstants()).filter(e -> e.code().equals(code)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("'" + code + "' is not one of "
                        + Arrays.stream(type.getEnumConstants()).map(Coded::code).toList()));
    }

    /** Stores a coded enum as its code; subclasses only name the enum (JPA needs one concrete class per type). */
    abstract class Converter<E extends Enum<E> & Coded> implements AttributeConverter<E, String> {
        private final Class<E> type;

        protected Converter(Class<E> type) {
            this.type = type;
        }

        @Override
        public String convertToDatabaseColumn(E value) {
            return value == null ? null : value.code();
        }

        @Override
        public E convertToEntityAttribute(String code) {
            return code == null ? null : fromCode(type, code);
        }
    }
}

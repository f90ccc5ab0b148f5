package dev.switchboard.common;

import com.fasterxml.jackson.annotation.JsonValue;
import jakarta.persistence.AttributeConverter;
import java.util.Arrays;

/**
 * An enum with a lower-case code, used alike in JSON and in the database. The code is the constant's name in lower
 * case, so every coded enum gets the same snake_case mapping; since codes are stored, renaming a constant is a
 * data migration. Each enum still declares its own {@code @JsonCreator fromCode} and {@code DbConverter}: Jackson
 * needs a static factory on the type itself and JPA a concrete converter class per type. Enums the API shows also
 * override {@link #code()}: the OpenAPI scanner reads enum values only through a method the enum declares.
 */
public interface Coded {

    @JsonValue
    default String code() {
        return Codes.of((Enum<?>) this);
    }

    static <E extends Enum<E> & Coded> E fromCode(Class<E> type, String code) {
        E constant = type.cast(Codes.constant(type, code));
        if (constant == null) {
            throw new IllegalArgumentException("'" + code + "' is not one of "
                    + Arrays.stream(type.getEnumConstants()).map(Coded::code).toList());
        }
        return constant;
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

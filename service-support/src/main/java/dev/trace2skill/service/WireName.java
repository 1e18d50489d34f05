package dev.trace2skill.service;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * A string that must name a value of one of the core's wire enums (those with {@code static fromWire(String)}, such as
 * {@code EvolutionMode}); null passes. The violation's message is the enum's own ("unknown mode 'x'; expected
 * deepening or creation"), so a request field and a message field are refused in the same words.
 */
@Documented
@Constraint(validatedBy = WireName.Validator.class)
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.TYPE_USE})
@Retention(RetentionPolicy.RUNTIME)
public @interface WireName {
    /** The enum whose {@code fromWire(String)} decides. */
    Class<? extends Enum<?>> value();

    String message() default "is not a known value";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Validator implements ConstraintValidator<WireName, String> {
        private MethodHandle fromWire;

        @Override
        public void initialize(WireName annotation) {
            try {
                fromWire = MethodHandles.publicLookup().findStatic(annotation.value(), "fromWire",
                        MethodType.methodType(annotation.value(), String.class));
            } catch (ReflectiveOperationException e) {
                throw new IllegalArgumentException(annotation.value().getName() + " has no public static fromWire(String)", e);
            }
        }

        @Override
        public boolean isValid(String value, ConstraintValidatorContext context) {
            if (value == null) {
                return true;
            }
            try {
                fromWire.invoke(value);
                return true;
            } catch (IllegalArgumentException e) {
                context.disableDefaultConstraintViolation();
                context.buildConstraintViolationWithTemplate(Violations.literal(e.getMessage())).addConstraintViolation();
                return false;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }
    }
}

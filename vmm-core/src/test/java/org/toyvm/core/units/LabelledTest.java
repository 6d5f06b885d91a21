package org.toyvm.core.units;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The one label lookup the CLI enums share: exact labels in, the accepted labels named in the error. */
class LabelledTest {
    enum Colour implements Labelled {
        RED("red"), DARK_BLUE("dark-blue");

        private final String label;

        Colour(String label) {
            this.label = label;
        }

        @Override
        public String label() {
            return label;
        }
    }

    @Test
    void findsTheConstantByItsLabel() {
        assertEquals(Colour.RED, Labelled.parse(Colour.class, "colour", "red"));
        assertEquals(Colour.DARK_BLUE, Labelled.parse(Colour.class, "colour", "dark-blue"));
    }

    @Test
    void refusesAnythingElseNamingTheValueAndEveryLabel() {
        for (String bad : new String[] {"DARK_BLUE", "Red", " red", "", "green"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Labelled.parse(Colour.class, "colour", bad));
            assertEquals("bad colour '" + bad + "': expected one of red, dark-blue", e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Labelled.parse(Colour.class, "colour", null));
        assertEquals("bad colour 'null': expected one of red, dark-blue", e.getMessage());
    }

    @Test
    void listsLabelsInDeclarationOrder() {
        assertEquals("red, dark-blue", Labelled.labels(Colour.class));
    }
}

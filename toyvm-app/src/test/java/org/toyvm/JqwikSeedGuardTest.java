package org.toyvm;

import org.toyvm.core.testing.PropertySeedContract;

/** This module's jqwik properties run with the build's fixed seed, no failure database, and shrinkable inputs. */
class JqwikSeedGuardTest extends PropertySeedContract {
}

/**
 * Test support shared by every module through vmm-core's test-jar: {@link org.toyvm.core.testing.Props},
 * the only way a property test gets its QuickTheories runner (a fixed seed per property by default, a
 * random one under {@code -Prandom-seeds}; {@code PropsGuardTest} keeps every module to it), and
 * {@link org.toyvm.core.testing.Golden}, the constants and struct layouts compiled from the real
 * Linux uAPI headers, kept as a test resource so that no test reads outside the repository.
 *
 * <p>Test scope only; product code must never depend on it.
 */
package org.toyvm.core.testing;

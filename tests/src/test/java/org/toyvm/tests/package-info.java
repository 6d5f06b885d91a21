/**
 * End-to-end tests across every module: the compatibility matrix (kernel × parent × policy, with
 * each cell's expectation derived from docs/linux-vhost-vdpa.md and the policies, not listed),
 * the memory sweep, determinism of the virtual clock (same configuration, byte-identical JSON),
 * a soak of many reboots, the shaded jar's own logging, and a real Linux peer — a network namespace
 * with a veth pair and a {@code vxlan} interface, with iputils {@code ping} pinging the toy guest
 * across a reboot. The real-peer tests need root and {@code ip}; without them they skip with a
 * visible reason, and {@code TOYVM_REQUIRE_NETNS=1} (CI) turns the skip into a failure.
 *
 * <p>Tests drive the product through its public API and CLI only; nothing in the product depends on
 * this package, and no test reads files outside the repository.
 */
package org.toyvm.tests;
